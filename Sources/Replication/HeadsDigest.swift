import Crypto

/// The reconcile digest (design §5): SHA-256 over the latest heads of all trusted origins
/// sorted by origin id, each contributing origin (16 raw bytes) ‖ n (8 bytes big-endian) ‖
/// SHA-256 of the head's header bytes.
public enum HeadsDigest {
    public struct Head: Hashable, Sendable {
        public let origin: String
        public let n: Int
        public let headerHash: [UInt8]

        public init(origin: String, n: Int, headerHash: [UInt8]) {
            self.origin = origin
            self.n = n
            self.headerHash = headerHash
        }
    }

    public static func compute(_ heads: [Head]) -> [UInt8] {
        let hasher = SHA256()
        for head in heads.sorted(by: { $0.origin < $1.origin }) {
            hasher.update([UInt8](hexString: head.origin) ?? [])
            hasher.update(HeadRoot.bigEndian8(head.n))
            hasher.update(head.headerHash)
        }
        return hasher.finalize()
    }
}
