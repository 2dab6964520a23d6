/// Per-peer backoff with full jitter (design §6): after `failures` consecutive failed runs the
/// next try waits `random(0, min(cap, base·2^failures))` seconds, at least what the peer asked
/// for with `Retry-After`. Pure: the random draw is passed in, so tests check the bounds exactly.
public struct BackoffPolicy: Sendable, Hashable {
    /// The first window, in seconds (30 s by default).
    public var baseSeconds: Int
    /// The largest window, in seconds (1 h by default).
    public var capSeconds: Int

    public init(baseSeconds: Int = 30, capSeconds: Int = 3600) {
        self.baseSeconds = baseSeconds
        self.capSeconds = capSeconds
    }

    /// The upper bound of the delay after `failures` failures: `min(cap, base·2^failures)`.
    public func window(failures: Int) -> Int {
        let shift = min(max(failures, 0), 40)
        let (grown, overflow) = baseSeconds.multipliedReportingOverflow(by: 1 << shift)
        return overflow ? capSeconds : min(capSeconds, grown)
    }

    /// The delay in whole seconds after `failures` failures, given a uniform draw `unit` in
    /// [0, 1) and the peer's `Retry-After`, if any (honoured even above the cap).
    public func delay(failures: Int, unit: Double, retryAfter: Int? = nil) -> Int {
        let u = unit.isFinite ? min(max(unit, 0), 1) : 0
        let jittered = Int((Double(window(failures: failures)) * u).rounded(.down))
        return max(jittered, retryAfter ?? 0)
    }

    /// Whether a peer whose next try is `nextTry` is still waiting at `now` (Unix seconds).
    public static func isWaiting(nextTry: Int64?, now: Int64) -> Bool {
        guard let nextTry else { return false }
        return now < nextTry
    }
}
