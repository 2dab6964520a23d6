import Glibc
import Synchronization

/// A read-only view of the WAL-index header in a database's `-shm` file, SQLite's documented
/// shared-memory format (https://www.sqlite.org/walformat.html §2.1): 48 bytes, stored twice, that
/// every commit by any connection rewrites (the change counter `iChange`, `mxFrame`, salts and
/// checksums). Two equal looks mean no commit happened in between, learnt without a system call
/// or a lock; `PRAGMA data_version` learns the same by opening a read transaction, which costs
/// four `fcntl` lock calls. Read as SQLite's own readers read it (`walIndexTryHdr`): the first
/// copy, a barrier, the second; copies that differ mean a writer is mid-update and the look
/// tells nothing. The file stays valid while this process keeps a connection to the database
/// open (its lock keeps any other connection from resetting the shared memory).
final class WALIndexView {
    /// The header's 48 bytes as words, compared whole.
    struct Header: Equatable, Sendable {
        let words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

        static func == (a: Header, b: Header) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
                && a.words.3 == b.words.3 && a.words.4 == b.words.4 && a.words.5 == b.words.5
        }
    }

    /// `iVersion` of the WAL-index format every SQLite since 3.7.0 writes.
    static let formatVersion: UInt32 = 3_007_000
    static let headerBytes = 48

    private let base: UnsafeMutableRawPointer
    private let length: Int

    /// Maps `databasePath`-shm read-only; nil when it cannot be mapped or its header is not an
    /// initialised WAL-index of the known version for pages of `pageSize` bytes (so a stray file
    /// is never trusted).
    init?(databasePath: String, pageSize: Int) {
        let fd = open(databasePath + "-shm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= 2 * WALIndexView.headerBytes else { return nil }
        length = Int(sysconf(Int32(_SC_PAGESIZE)))
        guard let mapped = mmap(nil, length, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else { return nil }
        base = mapped
        let storedPageSize = Int(base.loadUnaligned(fromByteOffset: 14, as: UInt16.self))
        guard base.loadUnaligned(fromByteOffset: 0, as: UInt32.self) == WALIndexView.formatVersion,
              base.load(fromByteOffset: 12, as: UInt8.self) == 1,  // isInit
              storedPageSize == 0 || (storedPageSize == 1 ? 65_536 : storedPageSize) == pageSize else {  // 0 until a frame is written
            munmap(base, length)
            return nil
        }
    }

    deinit { munmap(base, length) }

    /// The current header, or nil while a writer is rewriting it.
    func header() -> Header? {
        let first = read(copy: 0)
        atomicMemoryFence(ordering: .acquiring)
        let second = read(copy: 1)
        return first == second ? first : nil
    }

    private func read(copy: Int) -> Header {
        let at = copy * WALIndexView.headerBytes
        func word(_ i: Int) -> UInt64 { base.loadUnaligned(fromByteOffset: at + 8 * i, as: UInt64.self) }
        return Header(words: (word(0), word(1), word(2), word(3), word(4), word(5)))
    }
}
