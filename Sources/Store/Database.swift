import CSQLite
import Foundation

/// One SQLite connection to a node's database: owns its `sqlite3*` and closes it in `deinit`.
/// Opening configures WAL, `synchronous=FULL`, foreign keys, a busy timeout, defensive mode and
/// an untrusted schema, refuses any file that is not a citybench database, and applies pending
/// migrations. Not Sendable: each process (and thread) holds its own connection.
public final class Database {
    /// Whether opening may create the file.
    public enum OpenMode: Sendable {
        /// Create the file if missing (only `init` does this, for a new home).
        case create
        /// The file must exist; a missing file is an error, never silently recreated.
        case openExisting
    }

    /// `PRAGMA application_id` of every citybench database ("CBN1"), so foreign files are refused.
    public static let applicationID: Int32 = 0x4342_4E31
    /// How long a writer waits for another process's write transaction before giving up.
    public static let busyTimeoutMilliseconds: Int32 = 5_000

    /// Most compiled statements `cached(_:)` keeps per connection; the cache is emptied when full.
    public static let statementCacheCapacity = 64

    let handle: OpaquePointer
    /// The file this connection opened.
    public let path: String
    /// Statements compiled by `cached(_:)`, by SQL text.
    private var statementCache: [String: Statement] = [:]
    /// SQLite's WAL-index mapping, for `quickChangeStamp`; nil until mapped (and while not in WAL
    /// mode). The journal mode is this class's own business: `restore` is the only place that
    /// leaves WAL and drops the view first; switching it through `execute` would leave the view
    /// pointing at unmapped memory.
    private var walIndex: WALIndexView?

    /// Opens (or with `.create`, creates) the database at `path` and applies `migrations`.
    public init(path: String, mode: OpenMode, migrations: [Migration] = Migration.all) throws(StoreError) {
        self.path = path
        let name = (path as NSString).lastPathComponent
        if mode == .openExisting && !FileManager.default.fileExists(atPath: path) {
            throw StoreError(.missingDatabase, "the database \(path) does not exist (run citybench init, or restore a backup)")
        }
        _ = Database.processConfiguration
        var flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX
        if mode == .create { flags |= SQLITE_OPEN_CREATE }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw StoreError(rc == SQLITE_CANTOPEN ? .readOnly : .sqlite,
                             "cannot open the database \(path) (\(message)); check that the directory exists and is writable")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, Database.busyTimeoutMilliseconds)
        _ = csqlite_db_config_defensive(db, 1)
        _ = csqlite_db_config_trusted_schema(db, 0)
        try checkApplicationID(mode: mode, name: name)
        let journal = try scalarText("PRAGMA journal_mode=WAL")
        guard journal.lowercased() == "wal" else {
            throw StoreError(.readOnly, "cannot switch the database \(path) to WAL mode; check that its directory is writable")
        }
        try execute("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-\(Database.cacheKiB);")
        try migrate(migrations)
        mapWALIndex()
    }

    deinit {
        statementCache.removeAll()
        sqlite3_close_v2(handle)
    }

    /// Page size of new databases. Published records carry payloads of tens of kilobytes, which
    /// at SQLite's default 4 KiB spread over a dozen overflow pages each; 16 KiB pages cut the
    /// per-page work of every write and checkpoint by four. Existing databases keep theirs.
    public static let pageSize = 16_384

    /// Page cache per connection, in KiB (SQLite's default is 2,000): enough for the B-tree
    /// interiors and indexes of a federation's replicated records, so merges do not re-read them.
    public static let cacheKiB = 8_192

    /// Process-wide SQLite settings, applied once before the first connection opens
    /// (sqlite3_config via csqlite_config_memstatus): no memory statistics, so allocations
    /// take no global mutex.
    private static let processConfiguration: Bool = csqlite_config_memstatus(0) == SQLITE_OK

    /// Refuses files that belong to another application, are empty in an existing home, or are
    /// not SQLite at all; stamps a new database with `applicationID`.
    private func checkApplicationID(mode: OpenMode, name: String) throws(StoreError) {
        let id: Int
        do { id = try scalarInt("PRAGMA application_id") } catch {
            if error.code == .notADatabase || error.code == .sqlite {
                throw StoreError(.notADatabase, "\(path) is not a citybench database or is damaged; restore it from a backup (it is never recreated)")
            }
            throw error
        }
        if id == Int(Database.applicationID) { return }
        let objects = try scalarInt("SELECT count(*) FROM sqlite_schema")
        if id == 0 && objects == 0 && mode == .create {
            try execute("PRAGMA page_size=\(Database.pageSize)")
            try execute("PRAGMA application_id=\(Database.applicationID)")
            return
        }
        throw StoreError(.foreignDatabase, "\(path) is not a citybench database (it belongs to another program or is empty); restore it from a backup (it is never recreated)")
    }

    /// Names of the migrations recorded in this database, in the order applied.
    public func appliedMigrations() throws(StoreError) -> [String] {
        let exists = try scalarInt("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations'")
        guard exists == 1 else { return [] }
        let stmt = try prepare("SELECT name FROM schema_migrations ORDER BY position")
        var names: [String] = []
        while try stmt.step() { names.append(stmt.text(0)) }
        return names
    }

    /// Applies the migrations not yet recorded, each in order, all in one write transaction.
    /// Refuses a database whose recorded migrations are not a prefix of `migrations`.
    private func migrate(_ migrations: [Migration]) throws(StoreError) {
        let wanted = migrations.map(\.name)
        if try appliedMigrations() == wanted { return }
        try transaction { () throws(StoreError) in
            try execute("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    position INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    applied_at INTEGER NOT NULL
                ) STRICT
                """)
            let applied = try appliedMigrations()
            if applied.count > wanted.count {
                throw StoreError(.newerSchema, "the database \(path) was written by a newer citybench (it has \(applied.count) migrations, this program knows \(wanted.count)); update citybench")
            }
            for (i, name) in applied.enumerated() where wanted[i] != name {
                throw StoreError(.migrationMismatch, "the database \(path) records migration '\(name)' where this program expects '\(wanted[i])'; it was made by an incompatible citybench")
            }
            let record = try prepare("INSERT INTO schema_migrations (position, name, applied_at) VALUES (?, ?, ?)")
            let now = Int64(Date().timeIntervalSince1970)
            for (i, migration) in migrations.enumerated().dropFirst(applied.count) {
                try execute(migration.sql)
                try record.run([.integer(Int64(i + 1)), .text(migration.name), .integer(now)])
            }
        }
    }

    /// Runs one or more SQL statements without results (sqlite3_exec).
    public func execute(_ sql: String) throws(StoreError) {
        var message: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &message)
        if let message { sqlite3_free(message) }
        guard rc == SQLITE_OK else { throw error(rc, doing: "run SQL") }
    }

    /// Compiles `sql` into a statement.
    public func prepare(_ sql: String) throws(StoreError) -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A compiled statement for `sql` that this connection keeps and hands out again for the
    /// same text, so hot paths (ingest, merge reads) compile each query once rather than per
    /// call. `bind` and `run` reset it; a caller must finish with it (step to the end, or
    /// `reset`) before asking for the same SQL again, and must not keep it beyond the connection.
    public func cached(_ sql: String) throws(StoreError) -> Statement {
        if let stmt = statementCache[sql] { return stmt }
        let stmt = try Statement(database: self, sql: sql, cached: true)
        if statementCache.count >= Database.statementCacheCapacity { statementCache.removeAll() }
        statementCache[sql] = stmt
        return stmt
    }

    /// What identifies the database's contents as this connection sees them: the commits of
    /// every connection (the WAL-index header, or else SQLite's `PRAGMA data_version`) and
    /// `sqlite3_total_changes64`, the rows this connection has changed, also inside a
    /// transaction not yet committed. Two equal stamps mean nothing changed in between, so
    /// answers cached at one stamp still hold at the other. A stamp taken before reading makes
    /// a memo conservative: a commit after the stamp only makes the next look differ.
    public struct ChangeStamp: Equatable, Sendable {
        enum Commits: Equatable, Sendable {
            case walIndex(WALIndexView.Header)
            case dataVersion(Int)
        }
        let commits: Commits
        let own: Int64
    }

    /// The current `ChangeStamp`: from the WAL-index when it can tell (mapping it first if this
    /// connection has not yet and is in WAL mode), else one cached pragma step.
    public func changeStamp() throws(StoreError) -> ChangeStamp {
        if walIndex == nil { mapWALIndex() }
        if let stamp = quickChangeStamp() { return stamp }
        return ChangeStamp(commits: .dataVersion(try scalarInt("PRAGMA data_version")), own: sqlite3_total_changes64(handle))
    }

    /// The `ChangeStamp` from the WAL-index header alone: no system call, no lock, never blocks,
    /// so an event loop may ask. nil while this connection holds a read snapshot (an open
    /// transaction or a statement stepped and not yet reset: its snapshot may be older than the
    /// header), before the WAL-index is mapped (`init` and `changeStamp` map it), and while a
    /// writer rewrites the header.
    public func quickChangeStamp() -> ChangeStamp? {
        guard sqlite3_txn_state(handle, nil) == SQLITE_TXN_NONE, let header = walIndex?.header() else { return nil }
        return ChangeStamp(commits: .walIndex(header), own: sqlite3_total_changes64(handle))
    }

    /// Maps SQLite's WAL-index for `quickChangeStamp` (only in WAL mode, which the view checks).
    private func mapWALIndex() {
        walIndex = WALIndexView(database: handle)
    }

    /// The first column of the first row of `sql` as an integer (0 if there is no row).
    public func scalarInt(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> Int {
        let stmt = try cached(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        return try stmt.step() ? stmt.int(0) : 0
    }

    /// The first column of the first row of `sql` as text (empty if there is no row).
    public func scalarText(_ sql: String, _ values: [SQLValue] = []) throws(StoreError) -> String {
        let stmt = try cached(sql)
        defer { stmt.reset() }
        try stmt.bind(values)
        return try stmt.step() ? stmt.text(0) : ""
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction (so the write lock is taken up front and a
    /// busy database fails at once), committing if it returns and rolling back if it throws.
    public func transaction<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
        try inTransaction(body)
    }

    /// Typed-throw variant of `transaction` for bodies that only throw `StoreError`.
    public func transaction<T>(_ body: () throws(StoreError) -> T) throws(StoreError) -> T {
        do { return try inTransaction(body) } catch let error as StoreError { throw error } catch {
            preconditionFailure("a StoreError-only transaction threw \(error)")
        }
    }

    /// BEGIN IMMEDIATE, `body`, then COMMIT; ROLLBACK if `body` or the commit throws.
    private func inTransaction<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        let result: T
        do {
            result = try body()
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        do {
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
        return result
    }

    /// Rows changed by the most recent INSERT, UPDATE or DELETE (sqlite3_changes64).
    public var changes: Int { Int(sqlite3_changes64(handle)) }

    /// Runs `PRAGMA integrity_check` and returns its findings; `["ok"]` means no problem found.
    public func integrityCheck() throws(StoreError) -> [String] {
        let stmt = try prepare("PRAGMA integrity_check")
        var findings: [String] = []
        while try stmt.step() { findings.append(stmt.text(0)) }
        return findings
    }

    /// Writes a consistent copy of the whole database to `destination` with SQLite's online
    /// backup API (sqlite3_backup_init/step/finish), while other connections keep working.
    public func backup(to destination: String) throws(StoreError) {
        try copy(from: handle, toPath: destination, reverse: false)
    }

    /// Replaces this database's contents with the citybench database at `source` (online backup
    /// API in reverse). The source is checked first, so a foreign file is refused.
    public func restore(from source: String) throws(StoreError) {
        let sourcePageSize = try Database.verifyCitybenchFile(source)
        if sourcePageSize != (try scalarInt("PRAGMA page_size")) {
            // The backup API cannot change the page size of a database in WAL mode (older
            // databases use 4 KiB pages, new ones `pageSize`): copy in rollback-journal mode.
            guard try scalarText("PRAGMA journal_mode=DELETE").lowercased() == "delete" else {
                throw StoreError(.busy, "cannot restore while another process uses the database; stop citybench serve and try again")
            }
            // Leaving WAL unmaps the shared memory; its successor is mapped once WAL is back.
            walIndex = nil
            do { try copy(from: handle, toPath: source, reverse: true) } catch {
                _ = try? scalarText("PRAGMA journal_mode=WAL")
                throw error
            }
            guard try scalarText("PRAGMA journal_mode=WAL").lowercased() == "wal" else {
                throw StoreError(.readOnly, "the restored database \(path) could not return to WAL mode; check that its directory is writable")
            }
        } else {
            try copy(from: handle, toPath: source, reverse: true)
        }
        try migrate(Migration.all)
        if walIndex == nil { mapWALIndex() }
    }

    /// Opens `path` read-only and refuses it unless it is a citybench database; returns its page size.
    private static func verifyCitybenchFile(_ path: String) throws(StoreError) -> Int {
        var db: OpaquePointer?
        defer { sqlite3_close_v2(db) }
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, nil) == SQLITE_OK, let db else {
            throw StoreError(.readOnly, "cannot read \(path); check the path and its permissions")
        }
        var stmt: OpaquePointer?
        defer { sqlite3_finalize(stmt) }
        guard sqlite3_prepare_v2(db, "PRAGMA application_id", -1, &stmt, nil) == SQLITE_OK, sqlite3_step(stmt) == SQLITE_ROW,
              sqlite3_column_int(stmt, 0) == applicationID else {
            throw StoreError(.foreignDatabase, "\(path) is not a citybench database backup; nothing was restored")
        }
        var sizeStatement: OpaquePointer?
        defer { sqlite3_finalize(sizeStatement) }
        guard sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &sizeStatement, nil) == SQLITE_OK, sqlite3_step(sizeStatement) == SQLITE_ROW else {
            throw StoreError(.notADatabase, "\(path) cannot be read as a database; nothing was restored")
        }
        return Int(sqlite3_column_int(sizeStatement, 0))
    }

    private func copy(from local: OpaquePointer, toPath other: String, reverse: Bool) throws(StoreError) {
        var otherDB: OpaquePointer?
        let flags = reverse ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
        let rc = sqlite3_open_v2(other, &otherDB, flags, nil)
        guard rc == SQLITE_OK, let otherDB else {
            sqlite3_close_v2(otherDB)
            throw StoreError(.readOnly, "cannot open \(other) for the backup; check the path and its permissions")
        }
        defer { sqlite3_close_v2(otherDB) }
        let (dest, src) = reverse ? (local, otherDB) : (otherDB, local)
        guard let backup = sqlite3_backup_init(dest, "main", src, "main") else {
            throw error(sqlite3_errcode(dest), doing: "start the backup")
        }
        var step: Int32
        repeat {
            step = sqlite3_backup_step(backup, 256)
            if step == SQLITE_BUSY || step == SQLITE_LOCKED { sqlite3_sleep(50) }
        } while step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED
        let finish = sqlite3_backup_finish(backup)
        guard step == SQLITE_DONE, finish == SQLITE_OK else {
            throw error(step == SQLITE_DONE ? finish : step, doing: "copy the database")
        }
    }

    /// Maps a SQLite result code to a `StoreError` whose message says what failed.
    func error(_ rc: Int32, doing what: String) -> StoreError {
        let detail = String(cString: sqlite3_errmsg(handle))
        switch rc & 0xff {
        case SQLITE_NOTADB, SQLITE_CORRUPT:
            return StoreError(.notADatabase, "\(path) is not a citybench database or is damaged (\(detail)); restore it from a backup")
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_IOERR:
            return StoreError(.readOnly, "cannot write the database \(path) (\(detail)); check the permissions of the file and its directory")
        case SQLITE_BUSY, SQLITE_LOCKED:
            return StoreError(.busy, "the database \(path) is busy with another citybench process; try again in a moment")
        case SQLITE_CONSTRAINT:
            return StoreError(.constraint, "could not \(what): \(detail)")
        case SQLITE_FULL:
            return StoreError(.diskFull, "the disk holding \(path) is full; free some space and try again")
        default:
            return StoreError(.sqlite, "could not \(what) in \(path): \(detail)")
        }
    }
}
