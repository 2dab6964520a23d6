import Foundation
import Testing
import TestSupport
@testable import Store

/// `Database.quickChangeStamp`: the WAL-index header read from the mapped `-shm` file must move
/// with every commit of any connection (including across checkpoints that reset the WAL), stay
/// put while nothing commits, refuse to answer inside a transaction, and never trust a file that
/// is not the database's WAL-index.
@Suite struct QuickChangeStampTests {
    let dir = TemporaryDirectory(prefix: "quickstamp")
    private let table = Migration(name: "0001-t", sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT) STRICT;")

    @Test func theQuickStampMovesWithEveryCommitOfAnotherConnectionAndOnlyThen() throws {
        let path = dir.file("commits.sqlite")
        let reader = try Database(path: path, mode: .create, migrations: [table])
        let writer = try Database(path: path, mode: .openExisting, migrations: [table])
        var last = try #require(reader.quickChangeStamp(), "a WAL database's header can be read")
        var seen = [last]
        for k in 1...60 {
            _ = try reader.scalarInt("SELECT count(*) FROM t")
            #expect(reader.quickChangeStamp() == last, "reading changes nothing")
            try writer.execute("INSERT INTO t (k, v) VALUES (\(k), 'v')")
            if k % 7 == 0 { try writer.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
            if k % 11 == 0 { try writer.execute("PRAGMA wal_checkpoint(RESTART)") }
            let now = try #require(reader.quickChangeStamp())
            #expect(now != last, "commit \(k) moves the stamp")
            #expect(!seen.contains(now), "commit \(k) gives a stamp not seen before")
            seen.append(now)
            last = now
            // The full stamp agrees: it is the quick one whenever that can tell.
            #expect(try reader.changeStamp() == now)
        }
    }

    @Test func itAlsoMovesWithThisConnectionsOwnChangesAndIsNilInsideATransaction() throws {
        let db = try Database(path: dir.file("own.sqlite"), mode: .create, migrations: [table])
        let before = try #require(db.quickChangeStamp())
        try db.execute("BEGIN IMMEDIATE")
        try db.execute("INSERT INTO t (k, v) VALUES (1, 'a')")
        #expect(db.quickChangeStamp() == nil, "a transaction's snapshot may be older than the header")
        let inside = try db.changeStamp()
        #expect(inside != before, "the uncommitted own change moves the full stamp")
        try db.execute("COMMIT")
        let after = try #require(db.quickChangeStamp())
        #expect(after != before)
    }

    @Test func aStampFromAnotherSourceNeverEqualsAQuickOne() throws {
        let db = try Database(path: dir.file("kinds.sqlite"), mode: .create, migrations: [table])
        let quick = try #require(db.quickChangeStamp())
        try db.execute("BEGIN")
        _ = try db.scalarInt("SELECT count(*) FROM t")
        let fromPragma = try db.changeStamp()
        try db.execute("COMMIT")
        #expect(fromPragma != quick)
    }

    @Test func aFileThatIsNotTheDatabasesWALIndexIsNeverTrusted() throws {
        let db = try Database(path: dir.file("real.sqlite"), mode: .create, migrations: [table])
        _ = db
        let realPageSize = try db.scalarInt("PRAGMA page_size")
        #expect(WALIndexView(databasePath: dir.file("real.sqlite"), pageSize: realPageSize) != nil)
        #expect(WALIndexView(databasePath: dir.file("real.sqlite"), pageSize: realPageSize * 2) == nil, "another page size")
        #expect(WALIndexView(databasePath: dir.file("missing.sqlite"), pageSize: realPageSize) == nil, "no -shm file")
        _ = FileManager.default.createFile(atPath: dir.file("stray.sqlite-shm"), contents: Data(repeating: 0x5A, count: 32_768))
        #expect(WALIndexView(databasePath: dir.file("stray.sqlite"), pageSize: realPageSize) == nil, "not a WAL-index")
        _ = FileManager.default.createFile(atPath: dir.file("short.sqlite-shm"), contents: Data(repeating: 0, count: 40))
        #expect(WALIndexView(databasePath: dir.file("short.sqlite"), pageSize: realPageSize) == nil, "shorter than two headers")
    }

    @Test func afterARestoreAcrossPageSizesTheNewWALIndexIsWatched() throws {
        let path = dir.file("restored.sqlite")
        let db = try Database(path: path, mode: .create)
        _ = try #require(db.quickChangeStamp())
        // A backup with another page size makes restore leave WAL mode for the copy.
        let other = dir.file("other.sqlite")
        let source = try Database(path: other, mode: .create)
        let pageSize = try db.scalarInt("PRAGMA page_size") == 4096 ? 8192 : 4096
        try source.execute("PRAGMA journal_mode=DELETE; PRAGMA page_size=\(pageSize); VACUUM;")
        try db.restore(from: other)
        #expect(try db.scalarInt("PRAGMA page_size") == pageSize)
        let restored = try #require(db.quickChangeStamp())
        let writer = try Database(path: path, mode: .openExisting)
        try writer.execute("CREATE TABLE scratch (x INTEGER)")
        #expect(db.quickChangeStamp() != restored, "a commit after the restore is seen")
    }
}
