import Crypto

/// An in-memory replica: the reference implementation of the merge, used by property tests and
/// by anything that needs a replica without a database. The SQLite store applies the same
/// `MergeEngine` decisions to its tables.
public struct ReplicaState: Sendable {
    /// Everything held for one origin.
    public struct Origin: OriginView, Sendable {
        public internal(set) var chain: KeyChain
        public internal(set) var keyItems: [Int: VerifiedItem] = [:]
        public internal(set) var currents: [Subject: VerifiedItem] = [:]
        public internal(set) var headItem: VerifiedItem?
        /// Every validly signed header ever accepted, by `n` then hash.
        public internal(set) var seen: [Int: [[UInt8]: VerifiedItem]] = [:]
        public internal(set) var forkedSequences: Set<Int> = []

        init(origin: String) { chain = KeyChain(origin: origin) }

        public var maxAcceptedN: Int { seen.keys.max() ?? 0 }
        public func current(_ subject: Subject) -> HeaderRef? {
            currents[subject].map { HeaderRef(n: $0.n, headerHash: $0.headerHash) }
        }
        public var head: HeaderRef? { headItem.map { HeaderRef(n: $0.n, headerHash: $0.headerHash) } }
        public func seenHashes(at n: Int) -> [[UInt8]] { seen[n].map { Array($0.keys) } ?? [] }

        /// True when the current records hash to the latest head's root and count (design §4).
        public var isComplete: Bool {
            guard let head = headItem, case let .head(live, root) = head.header.body, forkedSequences.isEmpty else { return false }
            let entries = currents.values.map { HeadRoot.Entry(subject: $0.header.subject!, n: $0.n, headerHash: $0.headerHash) }
            return entries.count == live && HeadRoot.compute(entries) == root
        }

        mutating func apply(_ change: MergeEngine.Change) {
            switch change {
            case .addKey(let item, let entry):
                chain.insert(entry)
                keyItems[item.n] = item
            case .recordSeen(let item):
                seen[item.n, default: [:]][item.headerHash] = item
            case .setCurrent(let item, _):
                currents[item.header.subject!] = item
            case .setHead(let item, _):
                headItem = item
            case .markFork(let n):
                forkedSequences.insert(n)
            case .revalidate(let from):
                let valid = chain
                currents = currents.filter { $0.value.n < from || valid.stillValid($0.value.header) }
                if let h = headItem, h.n >= from, !valid.stillValid(h.header) { headItem = nil }
                for (n, byHash) in seen where n >= from {
                    let kept = byHash.filter { valid.stillValid($0.value.header) }
                    seen[n] = kept.isEmpty ? nil : kept
                }
                forkedSequences = Set(forkedSequences.filter { (seen[$0]?.count ?? 0) > 1 })
            }
        }
    }

    public private(set) var origins: [String: Origin] = [:]

    public init() {}

    /// Offers one envelope; returns the push status and, for `rejected`, the reason code.
    @discardableResult
    public mutating func offer(_ envelope: Envelope) -> (status: PushStatus, reason: String?) {
        let header: Header
        do { header = try Verifier.header(of: envelope) } catch {
            return (.rejected, error.code.rawValue)
        }
        var state = origins[header.origin] ?? Origin(origin: header.origin)
        let decision = MergeEngine.decide(envelope, header: header, view: state)
        for change in decision.changes { state.apply(change) }
        if decision.item != nil { origins[header.origin] = state }
        return (decision.status, decision.reason)
    }

    /// A comparable summary of the whole state: per origin, the keys, head, current records
    /// and every seen header hash, as hex text. Two replicas converged iff their digests match.
    public var digest: [String: [String]] {
        origins.mapValues { o in
            var lines: [String] = []
            lines += o.chain.entries.map { "key \($0.n) \($0.keyID)" }
            if let h = o.headItem { lines.append("head \(h.n) \(h.headerHash.hexString)") }
            lines += o.currents.sorted { $0.key < $1.key }.map { "cur \($0.key) \($0.value.n) \($0.value.headerHash.hexString)" }
            lines += o.seen.keys.sorted().flatMap { n in o.seen[n]!.keys.map { "seen \(n) \($0.hexString)" }.sorted() }
            lines += o.forkedSequences.sorted().map { "fork \($0)" }
            return lines
        }
    }
}
