import Foundation

/// Limits and schedule of a sync run (design §6), named so operators and tests can see them.
public struct SyncConfiguration: Sendable, Hashable {
    /// Reconcile with a peer on every this-many-th run (and on first contact and epoch change).
    public var reconcileEvery = 24
    /// The `limit` asked of `changes` per page, in bytes (the protocol default; omitted from the request when equal).
    public var pageBytes = SyncConfiguration.protocolPageBytes
    /// Envelope bytes per `push` request (well below the server's 8 MiB body limit).
    public var pushBytes = 1 << 20
    /// Envelopes per `push` request (the server refuses more than 5,000 in one batch).
    public var pushItems = 1_000
    /// Most pages pulled from one peer in one run, so a peer that never says `more: false` cannot hold the run.
    public var maxPagesPerPeer = 100_000
    /// A fresh own head is signed when the latest is older than this (7 days, design §4).
    public var freshHeadAfterSeconds = 7 * 24 * 3600
    /// The backoff applied to failing peers.
    public var backoff = BackoffPolicy()

    /// `changes`' default `limit` (design §5).
    public static let protocolPageBytes = 262_144

    public init() {}
}

/// The time and randomness a run uses, injected so tests control backoff and schedules.
public struct SyncClock: Sendable {
    /// Unix seconds now.
    public var now: @Sendable () -> Int64
    /// A uniform draw in [0, 1) for backoff jitter.
    public var unit: @Sendable () -> Double

    public init(now: @escaping @Sendable () -> Int64, unit: @escaping @Sendable () -> Double) {
        self.now = now
        self.unit = unit
    }

    /// The wall clock and the system random source.
    public static let system = SyncClock(now: { Int64(Date().timeIntervalSince1970) },
                                         unit: { Double.random(in: 0..<1) })
}
