import CSQLite
import Foundation
import Glibc
import Testing
import TestSupport
@testable import Store

/// `Database.quickChangeStamp`: the WAL-index header read from the mapped `-shm` file must move
/// with every commit of any connection (including across checkpoints that reset the WAL), stay
/// put while nothing commits, refuse to answer inside a transaction, take only a consistent
/// header, and leave SQLite's locks on the shared memory alone.
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

    @Test func aStatementSteppedAndNotYetResetHoldsASnapshotSoTheQuickStampStaysOut() throws {
        let path = dir.file("stepped.sqlite")
        let db = try Database(path: path, mode: .create, migrations: [table])
        let writer = try Database(path: path, mode: .openExisting, migrations: [table])
        try db.execute("INSERT INTO t (v) VALUES ('a'), ('b')")
        let reading = try db.prepare("SELECT v FROM t")
        #expect(try reading.step())  // a read snapshot is open until the statement is reset
        try writer.execute("INSERT INTO t (v) VALUES ('c')")
        #expect(db.quickChangeStamp() == nil, "the header is newer than what this connection reads")
        reading.reset()
        #expect(db.quickChangeStamp() != nil)
    }

    @Test func aConnectionOutsideWALModeGetsNoViewAndNoSharedMemoryFile() throws {
        let path = dir.file("rollback.sqlite")
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        let db = try #require(handle)
        #expect(sqlite3_exec(db, "PRAGMA journal_mode=DELETE; CREATE TABLE t (x); INSERT INTO t VALUES (1);", nil, nil, nil) == SQLITE_OK)
        #expect(WALIndexView(database: db) == nil)
        #expect(!FileManager.default.fileExists(atPath: path + "-shm"), "the VFS was not asked to create shared memory")
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

    @Test func readingTheWALIndexKeepsSQLitesLocksOnTheSharedMemory() throws {
        // SQLite holds a shared lock on byte 128 of the -shm file (the "dead man switch") while a
        // connection is open; a process that could take it exclusively would rebuild the shared
        // memory under this one. Closing any descriptor of the file would drop that lock, so the
        // view must never open the file itself. An open-file-description lock probe conflicts
        // with the process's own POSIX locks, so it sees them from within the process.
        let path = dir.file("locks.sqlite")
        let db = try Database(path: path, mode: .create, migrations: [table])
        // One probe descriptor for the whole test: closing it would drop the locks itself.
        let probe = open(path + "-shm", O_RDWR)
        try #require(probe >= 0)
        defer { close(probe) }
        #expect(Self.someoneLocksByte(128, probing: probe), "SQLite holds its lock after opening")
        for _ in 0..<3 {
            _ = try db.changeStamp()
            _ = db.quickChangeStamp()
            try db.execute("INSERT INTO t (v) VALUES ('x')")
        }
        #expect(db.quickChangeStamp() != nil)
        #expect(Self.someoneLocksByte(128, probing: probe), "the lock survives reading the header")
    }

    /// Whether a lock conflicting with a write lock is held on `byte` of the file open as `fd`
    /// (F_OFD_GETLK: an open-file-description probe sees this process's own POSIX locks too).
    static func someoneLocksByte(_ byte: Int, probing fd: Int32) -> Bool {
        var lock = flock()
        lock.l_type = Int16(F_WRLCK)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(byte)
        lock.l_len = 1
        let getOpenFileDescriptionLock: Int32 = 36  // F_OFD_GETLK (Linux), not exported to Swift
        guard fcntl(fd, getOpenFileDescriptionLock, &lock) == 0 else { return false }
        return lock.l_type != Int16(F_UNLCK)
    }

    @Test func aHeaderIsTakenOnlyWhenBothCopiesAgreeItIsInitialisedAndItsChecksumHolds() {
        // A header as SQLite writes it: version, unused, iChange, isInit/bigEndCksum/szPage,
        // mxFrame, nPage, frame checksums, salts, then the checksum over those 40 bytes.
        var header: [UInt32] = [3_007_000, 0, 41, 1 | (0 << 8) | (16_384 / 1 << 16), 12, 9, 0xDEAD, 0xBEEF, 7, 8, 0, 0]
        var s1: UInt32 = 0, s2: UInt32 = 0
        for i in stride(from: 0, to: 10, by: 2) {
            s1 = s1 &+ header[i] &+ s2
            s2 = s2 &+ header[i + 1] &+ s1
        }
        header[10] = s1
        header[11] = s2
        func read(_ region: [UInt32]) -> [UInt32]? {
            var out = [UInt32](repeating: 0, count: 12)
            return region.withUnsafeBytes { csqlite_wal_index_header($0.baseAddress, &out) } == 1 ? out : nil
        }
        #expect(read(header + header) == header)
        var torn = header + header
        torn[12 + 2] += 1  // the second copy mid-rewrite
        #expect(read(torn) == nil)
        var badSum = header
        badSum[4] += 1
        #expect(read(badSum + badSum) == nil)
        var uninitialised = header
        uninitialised[3] &= ~0xFF
        #expect(read(uninitialised + uninitialised) == nil)
    }

    @Test func anInMemoryDatabaseHasNoWALIndexToView() throws {
        var handle: OpaquePointer?
        #expect(sqlite3_open(":memory:", &handle) == SQLITE_OK)
        defer { sqlite3_close(handle) }
        #expect(WALIndexView(database: try #require(handle)) == nil)
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
        // The old mapping left with WAL mode; the restore mapped its successor.
        let restored = try #require(db.quickChangeStamp())
        #expect(try db.changeStamp() == restored)
        let writer = try Database(path: path, mode: .openExisting)
        try writer.execute("CREATE TABLE scratch (x INTEGER)")
        #expect(db.quickChangeStamp() != restored, "a commit after the restore is seen")
    }
}
