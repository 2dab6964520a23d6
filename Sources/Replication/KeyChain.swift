import Crypto

/// One origin's signing keys, from its key records (design §4 "Keys"). A header with sequence
/// `n` verifies only with the key whose `from` is the greatest ≤ `n`; the first key record
/// (n = 1) verifies with the key it introduces, whose hash is the origin id.
public struct KeyChain: Sendable {
    /// A key introduced by a verified key record.
    public struct Entry: Sendable, Hashable {
        /// Sequence number of the key record that introduced this key.
        public let n: Int
        /// First sequence number the key signs.
        public let from: Int
        public let publicKey: [UInt8]
        public let keyID: String
        /// Key id of the key that signed the introducing record (itself for the first key).
        public let signedBy: String
        public let headerHash: [UInt8]

        /// The entry a key record's header introduces. Only for key records that were verified
        /// when they were stored (e.g. reloading a chain from the database).
        public init?(verifiedKeyRecord header: Header, headerHash: [UInt8]) {
            guard case let .key(publicKey, from, _) = header.body else { return nil }
            self.init(n: header.n, from: from, publicKey: publicKey, keyID: KeyIDs.keyID(publicKey),
                      signedBy: header.keyID, headerHash: headerHash)
        }

        init(n: Int, from: Int, publicKey: [UInt8], keyID: String, signedBy: String, headerHash: [UInt8]) {
            self.n = n
            self.from = from
            self.publicKey = publicKey
            self.keyID = keyID
            self.signedBy = signedBy
            self.headerHash = headerHash
        }
    }

    public let origin: String
    /// Entries ordered by `from`.
    public private(set) var entries: [Entry] = []
    /// Lowest `n` of two different key records replacing the same key, if the chain forked.
    public private(set) var forkPoint: Int?

    public init(origin: String, entries: [Entry] = []) {
        self.origin = origin
        for e in entries { _ = insert(e) }
    }

    /// The key valid at sequence `n`, if known.
    public func key(at n: Int) -> Entry? {
        entries.last { $0.from <= n }
    }

    /// Adds a verified key entry. Returns false if it was already present. A second, different
    /// entry signed by the same key marks a key fork at the lower of the two `n`.
    @discardableResult
    public mutating func insert(_ entry: Entry) -> Bool {
        if entries.contains(entry) { return false }
        if let rival = entries.first(where: { $0.signedBy == entry.signedBy && $0.n > 1 && entry.n > 1 }) {
            let point = min(rival.n, entry.n)
            forkPoint = min(forkPoint ?? point, point)
        }
        entries.append(entry)
        entries.sort { a, b in a.from != b.from ? a.from < b.from : a.headerHash.lexicographicallyPrecedes(b.headerHash) }
        return true
    }

    /// Whether an item already held still verifies under this chain: its `kid` must be the key
    /// valid at its `n`, and after a key fork only key records (kept as evidence) survive.
    public func stillValid(_ header: Header) -> Bool {
        if let fork = forkPoint, header.n >= fork, header.kind != .key { return false }
        if header.kind == .key && header.n == 1 { return true }
        return key(at: header.n)?.keyID == header.keyID
    }

    /// Checks a key record's consistency with the chain and returns the key that must have
    /// signed it (for the first record, the key it introduces).
    public func signerForKeyRecord(_ header: Header) throws(ReplicationError) -> [UInt8] {
        guard case let .key(publicKey, _, _) = header.body else {
            preconditionFailure("signerForKeyRecord called with a non-key header")
        }
        if header.n == 1 {
            guard Ed25519PublicKey.originID(raw: publicKey) == origin else {
                throw ReplicationError(.invalidKeyRecord, "the first key record's key does not hash to the origin id")
            }
            guard Ed25519PublicKey.keyID(raw: publicKey) == header.keyID else {
                throw ReplicationError(.invalidKeyRecord, "the first key record must be signed by the key it introduces")
            }
            return publicKey
        }
        return try signer(for: header)
    }

    /// The key that must have signed a header of sequence `n` with this `kid`.
    public func signer(for header: Header) throws(ReplicationError) -> [UInt8] {
        guard let entry = key(at: header.n), entry.keyID == header.keyID else {
            throw ReplicationError(.unknownKey, "no key of origin \(origin.prefix(10)) with id \(header.keyID) signs sequence \(header.n)")
        }
        return entry.publicKey
    }
}
