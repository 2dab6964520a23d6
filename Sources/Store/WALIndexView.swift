import CSQLite

/// The WAL-index header of a connection's database, read from SQLite's own mapping of the `-shm`
/// shared memory (https://www.sqlite.org/walformat.html §2.1): 48 bytes, stored twice, that every
/// commit by any connection or process rewrites (the change counter `iChange`, `mxFrame`, salts,
/// checksum). Two equal looks mean no commit happened in between, learnt without a system call
/// or a lock; `PRAGMA data_version` learns the same by opening a read transaction, which costs
/// four `fcntl` lock calls. The header is read as SQLite's own readers read it (copy, barrier,
/// copy; `isInit` and the checksum checked, in the C shim); a look that tells nothing (a writer
/// mid-update) gives nil.
///
/// The mapping is SQLite's (`csqlite_wal_index`, the VFS's xShmMap): this view never opens the
/// file, because on Linux closing any descriptor of a file drops every POSIX lock the process
/// holds on it — SQLite's shared-memory locks included, after which another process would take
/// itself for the first connection and rebuild the shared memory under this one. The pointer
/// stays valid while the connection is open in WAL mode; `Database` drops the view before
/// leaving WAL mode.
struct WALIndexView {
    /// The header's 48 bytes as words, compared whole.
    struct Header: Equatable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        static func == (a: Header, b: Header) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
                && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.words.5 == b.words.5
        }
    }

    private let region: UnsafeRawPointer

    /// The view of `handle`'s WAL-index as SQLite maps it; nil when the connection is not in WAL
    /// mode (there the VFS would create and keep open a shared-memory file SQLite never
    /// attached) or nothing is mapped. Runs a pragma and may map the region (I/O), so not for an
    /// event loop.
    init?(database handle: OpaquePointer) {
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, "PRAGMA journal_mode", -1, &statement, nil) == SQLITE_OK,
              sqlite3_step(statement) == SQLITE_ROW, let mode = sqlite3_column_text(statement, 0),
              String(cString: mode).lowercased() == "wal" else { return nil }
        sqlite3_reset(statement)
        guard let region = csqlite_wal_index(handle) else { return nil }
        self.region = region
    }

    /// The current header, or nil while a writer is rewriting it (or it is not a valid header).
    func header() -> Header? {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 12) { words -> Header? in
            guard let base = words.baseAddress, csqlite_wal_index_header(region, base) == 1 else { return nil }
            func pair(_ i: Int) -> UInt64 { UInt64(base[2 * i]) | UInt64(base[2 * i + 1]) << 32 }
            return Header(words: (pair(0), pair(1), pair(2), pair(3), pair(4), pair(5)))
        }
    }
}
