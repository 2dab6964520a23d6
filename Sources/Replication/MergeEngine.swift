/// A stored header known to a replica: enough to order, hash and re-send it.
public struct HeaderRef: Hashable, Sendable {
    public let n: Int
    public let headerHash: [UInt8]

    public init(n: Int, headerHash: [UInt8]) {
        self.n = n
        self.headerHash = headerHash
    }

    /// The merge order (design §4): greater `n` wins; among equal `n` the lower header hash,
    /// compared as unsigned bytes. Wall clocks never decide.
    public func wins(over other: HeaderRef) -> Bool {
        if n != other.n { return n > other.n }
        return headerHash.lexicographicallyPrecedes(other.headerHash)
    }
}

/// What the merge needs to know about one origin's replicated state. The in-memory
/// `ReplicaState` and the SQLite store both provide it, so one decision function serves both.
public protocol OriginView {
    var chain: KeyChain { get }
    /// Greatest `n` of any verified item of the origin held (0 if none).
    var maxAcceptedN: Int { get }
    /// The current record of a subject.
    func current(_ subject: Subject) -> HeaderRef?
    /// The current head.
    var head: HeaderRef? { get }
    /// Hashes of every validly signed header of this origin with sequence `n` ever accepted
    /// (current, superseded or fork evidence).
    func seenHashes(at n: Int) -> [[UInt8]]
}

/// The merge as a pure function (design §4 "Merge, keys and trust"): given an envelope and a
/// view of the origin's state, decide the status and the changes to make. Applying the changes
/// of any sequence of items, in any order and with any duplication, gives the same state: every
/// part of it is a union (keys, seen headers) or a maximum under `HeaderRef.wins` (current
/// record per subject, head).
public enum MergeEngine {
    /// Largest jump of `n` beyond the origin's greatest accepted `n` (2^32).
    public static let maxSequenceJump = 1 << 32

    /// A change to make to the replica, in order.
    public enum Change: Sendable, Hashable {
        /// Add a key record to the chain (and keep it for good).
        case addKey(VerifiedItem, KeyChain.Entry)
        /// Remember a validly signed header (for fork detection and evidence).
        case recordSeen(VerifiedItem)
        /// Make the item current for its subject, dropping `replacing` if given.
        case setCurrent(VerifiedItem, replacing: HeaderRef?)
        /// Make the item the origin's head, dropping `replacing` if given.
        case setHead(VerifiedItem, replacing: HeaderRef?)
        /// Mark sequence `n` as forked (two or more different headers).
        case markFork(n: Int)
        /// Re-check every held item of the origin with `n ≥ from` against the updated chain and
        /// drop those `KeyChain.stillValid` refuses (a key record arrived after items accepted
        /// under an older key, or the chain forked).
        case revalidate(from: Int)
    }

    public struct Decision: Sendable {
        public let status: PushStatus
        /// The `ReplicationError` code for `rejected`.
        public let reason: String?
        public let changes: [Change]
        /// The verified item, when verification succeeded.
        public let item: VerifiedItem?
    }

    public static func decide(_ envelope: Envelope, view: some OriginView) -> Decision {
        let header: Header
        do { header = try Verifier.header(of: envelope) } catch {
            return Decision(status: .rejected, reason: error.code.rawValue, changes: [], item: nil)
        }
        return decide(envelope, header: header, view: view)
    }

    /// Decides for an envelope whose header the caller already parsed (`header` must be
    /// `Header.parse(envelope.headerBytes)`), so the hot ingest path parses each header once.
    public static func decide(_ envelope: Envelope, header: Header, view: some OriginView) -> Decision {
        // An exact copy of a header already verified changes nothing, whatever its signature or
        // payload bytes say: answer without spending a signature verification.
        let hash = envelope.headerHash
        let seen = view.seenHashes(at: header.n)
        if seen.contains(hash) {
            let ref = HeaderRef(n: header.n, headerHash: hash)
            let isCurrent: Bool
            switch header.body {
            case .record(let subject, _, _, _, _): isCurrent = view.current(subject) == ref
            case .head: isCurrent = view.head == ref
            case .key: isCurrent = true
            }
            let beaten = seen.contains { $0 != hash && $0.lexicographicallyPrecedes(hash) }
            return Decision(status: beaten ? .fork : (isCurrent ? .duplicate : .stale), reason: nil, changes: [], item: nil)
        }
        let item: VerifiedItem
        do { item = try Verifier.verify(envelope, header: header, chain: view.chain) } catch {
            return Decision(status: .rejected, reason: error.code.rawValue, changes: [], item: nil)
        }
        return decide(verified: item, view: view)
    }

    /// Decides for an item already verified against `view.chain`.
    public static func decide(verified item: VerifiedItem, view: some OriginView) -> Decision {
        let header = item.header
        if header.n > view.maxAcceptedN + maxSequenceJump {
            return Decision(status: .rejected, reason: ReplicationError.Code.sequenceOutOfRange.rawValue, changes: [], item: item)
        }
        let ref = HeaderRef(n: header.n, headerHash: item.headerHash)
        let seen = view.seenHashes(at: header.n)
        let isDuplicate = seen.contains(item.headerHash)
        var changes: [Change] = []
        if !isDuplicate { changes.append(.recordSeen(item)) }
        let others = seen.filter { $0 != item.headerHash }
        let forked = !others.isEmpty
        if forked && !isDuplicate { changes.append(.markFork(n: header.n)) }
        // Among the headers at this n, does this one have the lowest hash?
        let lowest = others.allSatisfy { item.headerHash.lexicographicallyPrecedes($0) }

        var becameCurrent = false
        var wasCurrent = false
        switch header.body {
        case let .key(publicKey, from, _):
            let entry = KeyChain.Entry(n: header.n, from: from, publicKey: publicKey, keyID: keyID(publicKey),
                                       signedBy: header.keyID, headerHash: item.headerHash)
            if view.chain.entries.contains(entry) {
                wasCurrent = true
            } else {
                changes.append(.addKey(item, entry))
                changes.append(.revalidate(from: from))
                becameCurrent = true
            }
        case .record(let subject, _, _, _, _):
            let current = view.current(subject)
            if current == ref {
                wasCurrent = true
            } else if current == nil || ref.wins(over: current!) {
                changes.append(.setCurrent(item, replacing: current))
                becameCurrent = true
            }
        case .head:
            let current = view.head
            if current == ref {
                wasCurrent = true
            } else if current == nil || ref.wins(over: current!) {
                changes.append(.setHead(item, replacing: current))
                becameCurrent = true
            }
        }

        let status: PushStatus
        if forked && !lowest {
            status = .fork
        } else if becameCurrent {
            status = .accepted
        } else if wasCurrent {
            status = .duplicate
        } else {
            status = .stale
        }
        return Decision(status: status, reason: nil, changes: changes, item: item)
    }

    static func keyID(_ publicKey: [UInt8]) -> String {
        KeyIDs.keyID(publicKey)
    }
}
