/// The outcome of offering one item to a replica, as `push` reports it (design §5).
public enum PushStatus: String, Sendable, Hashable, CaseIterable {
    /// Verified and stored; it is now current (or a key record of the chain).
    case accepted
    /// The replica already holds exactly this item.
    case duplicate
    /// Verified, but an item with a greater `n` is already current for its subject.
    case stale
    /// Verified, but another validly signed header of the origin has the same `n`; this one has
    /// the higher hash. Both are kept as evidence.
    case fork
    /// Verified, but it cannot be applied yet (reserved for items waiting on their key record).
    case held
    /// Verified, from an origin nobody here trusts yet: kept aside, not ranked, not relayed.
    case quarantined
    /// Refused; `reason` carries the `ReplicationError` code.
    case rejected
}
