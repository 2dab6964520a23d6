import Foundation
import Testing
import TestSupport
@testable import Store

@Suite struct DatabaseTests {
    let dir = TemporaryDirectory(prefix: "store")

    private let first = Migration(name: "0001-a", sql: "CREATE TABLE a (x INTEGER) STRICT;")
    private let second = Migration(name: "0002-b", sql: "CREATE TABLE b (y TEXT) STRICT; INSERT INTO a VALUES (1);")

    @Test func appliesMigrationsOnceAndInOrder() throws {
        let path = dir.file("m.sqlite")
        do {
            let db = try Database(path: path, mode: .create, migrations: [first])
            #expect(try db.appliedMigrations() == ["0001-a"])
        }
        do {
            let db = try Database(path: path, mode: .openExisting, migrations: [first, second])
            #expect(try db.appliedMigrations() == ["0001-a", "0002-b"])
            #expect(try db.scalarInt("SELECT count(*) FROM a") == 1)
        }
        // A third open with the same list changes nothing: the insert of 0002 is not repeated.
        let db = try Database(path: path, mode: .openExisting, migrations: [first, second])
        #expect(try db.scalarInt("SELECT count(*) FROM a") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM schema_migrations") == 2)
    }

    @Test func secondOpenIsANoOp() throws {
        let path = dir.file("noop.sqlite")
        _ = try Database(path: path, mode: .create)
        let before = try #require(FileFingerprint.of(path))
        let db = try Database(path: path, mode: .openExisting)
        #expect(try db.appliedMigrations() == Migration.all.map(\.name))
        #expect(FileFingerprint.of(path) == before)
        // Any write transaction would have appended frames to the write-ahead log.
        let walSize = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)
    }

    @Test func refusesADatabaseWithMigrationsThisProgramDoesNotKnow() throws {
        let path = dir.file("newer.sqlite")
        _ = try Database(path: path, mode: .create, migrations: [first, second])
        #expect(throws: StoreError.self) { try Database(path: path, mode: .openExisting, migrations: [first]) }
        let error = try #require(throws: StoreError.self) { try Database(path: path, mode: .openExisting, migrations: [first]) }
        #expect(error.code == .newerSchema)
    }

    @Test func refusesMigrationsRecordedUnderOtherNames() throws {
        let path = dir.file("renamed.sqlite")
        _ = try Database(path: path, mode: .create, migrations: [first])
        let renamed = Migration(name: "0001-other", sql: first.sql)
        let error = try #require(throws: StoreError.self) { try Database(path: path, mode: .openExisting, migrations: [renamed]) }
        #expect(error.code == .migrationMismatch)
    }

    @Test func refusesAForeignSQLiteFileAndLeavesItAlone() throws {
        let path = dir.file("foreign.sqlite")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [path, "CREATE TABLE t (x); INSERT INTO t VALUES (42);"]
        try p.run()
        p.waitUntilExit()
        let before = try #require(FileFingerprint.of(path))
        for mode in [Database.OpenMode.openExisting, .create] {
            let error = try #require(throws: StoreError.self) { try Database(path: path, mode: mode) }
            #expect(error.code == .foreignDatabase)
        }
        #expect(FileFingerprint.of(path) == before)
    }

    @Test func refusesAFileThatIsNotSQLite() throws {
        let path = dir.write("garbage.sqlite", String(repeating: "this is not a database. ", count: 200))
        let before = try #require(FileFingerprint.of(path))
        let error = try #require(throws: StoreError.self) { try Database(path: path, mode: .openExisting) }
        #expect(error.code == .notADatabase)
        #expect(error.message.contains("never recreated") || error.message.contains("restore"))
        #expect(FileFingerprint.of(path) == before)
    }

    @Test func neverCreatesAMissingFileWhenOpeningAnExistingHome() throws {
        let path = dir.file("missing.sqlite")
        let error = try #require(throws: StoreError.self) { try Database(path: path, mode: .openExisting) }
        #expect(error.code == .missingDatabase)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func configuresWALFullSyncForeignKeysAndApplicationID() throws {
        let db = try Database(path: dir.file("pragmas.sqlite"), mode: .create)
        #expect(try db.scalarText("PRAGMA journal_mode") == "wal")
        #expect(try db.scalarInt("PRAGMA synchronous") == 2)
        #expect(try db.scalarInt("PRAGMA foreign_keys") == 1)
        #expect(try db.scalarInt("PRAGMA application_id") == Int(Database.applicationID))
        #expect(try db.scalarInt("PRAGMA trusted_schema") == 0)
    }

    @Test func defensiveModeRefusesSchemaCorruptionThroughWritableSchema() throws {
        let db = try Database(path: dir.file("defensive.sqlite"), mode: .create)
        // In defensive mode PRAGMA writable_schema has no effect, so sqlite_schema stays read-only.
        try? db.execute("PRAGMA writable_schema=ON")
        #expect(throws: StoreError.self) { try db.execute("UPDATE sqlite_schema SET sql = 'garbage' WHERE name = 'meta'") }
        #expect(try db.integrityCheck() == ["ok"])
    }

    @Test func integrityCheckReportsDamagedPages() throws {
        let path = dir.file("damaged.sqlite")
        do {
            let db = try Database(path: path, mode: .create)
            try db.transaction { () throws(StoreError) in
                let stmt = try db.prepare("INSERT INTO kpi_value (code, period, period_order, value, entered_at) VALUES (?, ?, ?, ?, 0)")
                for i in 0..<3000 { try stmt.run([.text("A.B\(i)"), .text("2024"), .integer(2024), .text(String(i))]) }
            }
            try db.execute("PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE")
            #expect(try db.integrityCheck() == ["ok"])
        }
        // Overwrite one whole page in the middle of the file (not the header page) with garbage.
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size >= 3 * Database.pageSize)
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        var rng = SeededGenerator(seed: 7)
        try handle.seek(toOffset: UInt64(size / 2 / Database.pageSize * Database.pageSize))
        try handle.write(contentsOf: (0..<Database.pageSize).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try handle.close()
        let findings: [String]
        do {
            let db = try Database(path: path, mode: .openExisting)
            findings = try db.integrityCheck()
        } catch {
            findings = [error.message]
        }
        #expect(findings != ["ok"])
    }

    @Test func transactionRollsBackWhenItsBodyThrows() throws {
        let db = try Database(path: dir.file("tx.sqlite"), mode: .create)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.execute("INSERT INTO meta (key, value) VALUES ('k', 'v')")
                throw Boom()
            }
        }
        #expect(try db.scalarInt("SELECT count(*) FROM meta") == 0)
    }

    @Test func bindsTextWithQuotesNulsAndEmptyStringsExactly() throws {
        let db = try Database(path: dir.file("bind.sqlite"), mode: .create)
        try db.execute("CREATE TABLE loose (key TEXT PRIMARY KEY, value TEXT)")
        let texts = ["", "O'Brien \"x\"", "Grüße 🚲", String(repeating: "a", count: 10_000)]
        let insert = try db.prepare("INSERT INTO loose (key, value) VALUES (?, ?)")
        for (i, t) in texts.enumerated() { try insert.run([.text("k\(i)"), .text(t)]) }
        let read = try db.prepare("SELECT value FROM loose ORDER BY key")
        var out: [String?] = []
        while try read.step() { out.append(read.optionalText(0)) }
        #expect(out == texts)   // the empty string stays text, never NULL
    }

    /// `run` binds large blobs in place (no copy): several in one statement, around and beside
    /// small ones, are stored exactly, and reusing the statement never sees an earlier binding.
    @Test func bindsLargeBlobsInPlaceExactlyAndClearsThemAfterTheRun() throws {
        let db = try Database(path: dir.file("blobs.sqlite"), mode: .create)
        try db.execute("CREATE TABLE blobs (id INTEGER PRIMARY KEY, a BLOB, b BLOB, c BLOB)")
        var rng = SeededGenerator(seed: 0xB10B)
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let rows: [[SQLValue]] = [
            [.blob(bytes(Statement.inPlaceBlobBytes)), .blob(bytes(3)), .blob(bytes(70_000))],
            [.blob([]), .blob(bytes(Statement.inPlaceBlobBytes - 1)), .null],
            [.null, .blob(bytes(200_000)), .blob(bytes(5))],
        ]
        let insert = try db.cached("INSERT INTO blobs (a, b, c) VALUES (?, ?, ?)")
        for row in rows { try insert.run(row) }
        let read = try db.prepare("SELECT a, b, c FROM blobs ORDER BY id")
        var stored: [[SQLValue]] = []
        while try read.step() { stored.append((0..<3).map { read.isNull($0) ? .null : .blob(read.blob($0)) }) }
        #expect(stored == rows)
        // The bindings were cleared after the run: stepping again without binding inserts NULLs.
        insert.rewind()
        _ = try insert.step()
        insert.reset()
        #expect(try db.scalarInt("SELECT count(*) FROM blobs WHERE a IS NULL AND b IS NULL AND c IS NULL") == 1)
        // Also when the step fails (a constraint) and when a later bind fails (too many values).
        try db.execute("CREATE TABLE unique_blob (x BLOB UNIQUE, y INTEGER)")
        let unique = try db.cached("INSERT INTO unique_blob (x, y) VALUES (?, ?)")
        let big = bytes(50_000)
        try unique.run([.blob(big), .integer(1)])
        #expect(throws: StoreError.self) { try unique.run([.blob(big), .integer(2)]) }
        #expect(throws: StoreError.self) { try unique.run([.blob(bytes(50_000)), .integer(3), .integer(4)]) }
        unique.rewind()
        _ = try unique.step()
        unique.reset()
        #expect(try db.scalarInt("SELECT count(*) FROM unique_blob WHERE x IS NULL AND y IS NULL") == 1)
        #expect(try db.scalarInt("SELECT count(*) FROM unique_blob") == 2)
    }

    @Test func backupAndRestoreRoundTripTheData() throws {
        let db = try Database(path: dir.file("live.sqlite"), mode: .create)
        try db.execute("INSERT INTO meta (key, value) VALUES ('city', 'Aachen')")
        let backup = dir.file("backup.sqlite")
        try db.backup(to: backup)
        try db.execute("UPDATE meta SET value = 'changed' WHERE key = 'city'")
        try db.restore(from: backup)
        #expect(try db.scalarText("SELECT value FROM meta WHERE key = 'city'") == "Aachen")
        let foreign = dir.write("foreign-backup.sqlite", "not a database at all, but long enough to look like one")
        let error = try #require(throws: StoreError.self) { try db.restore(from: foreign) }
        #expect(error.code == .foreignDatabase)
        #expect(try db.scalarText("SELECT value FROM meta WHERE key = 'city'") == "Aachen")
    }

    @Test func aBackupWithAnotherPageSizeRestoresAndTheDatabaseStaysInWALMode() throws {
        // A node created before new databases got 16 KiB pages has 4 KiB pages; its backups
        // restore into a new node, and a new node's backups into an old one.
        let old = try Database(path: dir.file("old.sqlite"), mode: .create)
        try old.execute("PRAGMA journal_mode=DELETE")
        try old.execute("PRAGMA page_size=4096")
        try old.execute("VACUUM")
        _ = try old.scalarText("PRAGMA journal_mode=WAL")
        #expect(try old.scalarInt("PRAGMA page_size") == 4096)
        try old.execute("INSERT INTO meta (key, value) VALUES ('city', 'Kempten')")
        let oldBackup = dir.file("old-backup.sqlite")
        try old.backup(to: oldBackup)

        let new = try Database(path: dir.file("new.sqlite"), mode: .create)
        #expect(try new.scalarInt("PRAGMA page_size") == Database.pageSize)
        try new.execute("INSERT INTO meta (key, value) VALUES ('city', 'Emsdetten')")
        let newBackup = dir.file("new-backup.sqlite")
        try new.backup(to: newBackup)

        try new.restore(from: oldBackup)
        #expect(try new.scalarText("SELECT value FROM meta WHERE key = 'city'") == "Kempten")
        #expect(try new.scalarText("PRAGMA journal_mode").lowercased() == "wal")
        try old.restore(from: newBackup)
        #expect(try old.scalarText("SELECT value FROM meta WHERE key = 'city'") == "Emsdetten")
        #expect(try old.scalarText("PRAGMA journal_mode").lowercased() == "wal")
        #expect(try old.integrityCheck() == ["ok"])
    }
}
