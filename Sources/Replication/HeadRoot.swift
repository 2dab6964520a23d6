import Crypto

/// The root a head commits to (design §4): SHA-256 over the origin's current records sorted by
/// subject bytes, each contributing `sub` bytes, `\0`, `n` as 8 bytes big-endian and the
/// SHA-256 of its header bytes. Only record headers (retractions included) count.
public enum HeadRoot {
    /// One current record's contribution.
    public struct Entry: Hashable, Sendable {
        public let subject: Subject
        public let n: Int
        public let headerHash: [UInt8]

        public init(subject: Subject, n: Int, headerHash: [UInt8]) {
            self.subject = subject
            self.n = n
            self.headerHash = headerHash
        }
    }

    public static func compute(_ entries: [Entry]) -> [UInt8] {
        let sorted = entries.sorted { $0.subject < $1.subject }
        let hasher = SHA256()
        for e in sorted {
            hasher.update(Array(e.subject.description.utf8) + [0])
            hasher.update(bigEndian8(e.n))
            hasher.update(e.headerHash)
        }
        return hasher.finalize()
    }

    /// `n` as 8 bytes, most significant first.
    public static func bigEndian8(_ n: Int) -> [UInt8] {
        let v = UInt64(n)
        return (0..<8).map { UInt8(truncatingIfNeeded: v >> (56 - 8 * $0)) }
    }
}
