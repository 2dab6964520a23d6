import Foundation

/// Limits and switches of the peer API beyond the HTTP framing limits of `ServerConfiguration`
/// (design §5). Every value is named here so handlers hold no magic numbers.
public struct PeerAPIConfiguration: Sendable {
    /// Per-origin rate limit; nil turns it off (benchmarks measure the server, not the limiter).
    public var rateLimit: RateLimit? = RateLimit()
    /// Most `(origin, nonce)` pairs remembered per origin within the clock window; beyond it 429.
    public var replayCapacityPerOrigin = 10_000
    /// `changes` page size in bytes of envelope JSON when the client sends no `limit`.
    public var defaultChangesLimit = 262_144
    /// Largest `limit` a client may ask for (a page never exceeds this, except that one item
    /// larger than the limit is still sent alone so a feed always makes progress).
    public var maxChangesLimit = 8 << 20
    /// Most envelopes in one `push` (a larger batch is refused whole with 400).
    public var maxPushItems = 5_000
    /// Most origins in a `reconcile` `heads` object.
    public var maxReconcileHeads = 100_000
    /// Deepest JSON nesting accepted in request bodies (envelopes sit at depth 3).
    public var maxBodyDepth = 8
    /// What untrusted origins relayed by one calling peer may occupy in quarantine.
    public var quarantine = QuarantineLimits()
    /// The server's clock in Unix seconds, injectable so tests can check the freshness window.
    public var now: @Sendable () -> Int = { Int(Date().timeIntervalSince1970) }

    public init() {}
}

/// A token bucket per origin: `burst` requests at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Hashable {
    /// Sustained requests per second per origin (a sync makes a handful per peer per run).
    public var perSecond: Double = 20
    /// Requests an origin may make at once before being slowed down.
    public var burst: Double = 200

    public init(perSecond: Double = 20, burst: Double = 200) {
        self.perSecond = perSecond
        self.burst = burst
    }
}
