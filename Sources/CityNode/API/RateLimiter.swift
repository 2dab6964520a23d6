import Foundation

/// One origin's token bucket as a value: time is passed in, so it is tested without sleeping.
public struct TokenBucket: Sendable, Hashable {
    public let limit: RateLimit
    public private(set) var tokens: Double
    public private(set) var updatedAt: Double

    public init(limit: RateLimit, now: Double) {
        self.limit = limit
        tokens = limit.burst
        updatedAt = now
    }

    /// Takes one token if available (true); otherwise returns false and leaves the bucket as is.
    public mutating func take(now: Double) -> Bool {
        refill(now: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Whole seconds until a token is available again (at least 1), for `Retry-After`.
    public func secondsUntilNextToken() -> Int {
        guard limit.perSecond > 0 else { return 3600 }
        return max(1, Int(((1 - tokens) / limit.perSecond).rounded(.up)))
    }

    private mutating func refill(now: Double) {
        let elapsed = max(0, now - updatedAt)
        tokens = min(limit.burst, tokens + elapsed * limit.perSecond)
        updatedAt = now
    }
}

/// Token buckets of every calling origin, shared by the connection threads.
///
/// `@unchecked Sendable`: `buckets` is only touched under `lock`.
final class RateLimiter: @unchecked Sendable {
    /// Buckets kept before idle (full) ones are forgotten; bounded because origins are trusted ones.
    static let maxTrackedOrigins = 10_000

    let limit: RateLimit
    private let lock = NSLock()
    private var buckets: [String: TokenBucket] = [:]

    init(limit: RateLimit) { self.limit = limit }

    /// nil if the request may proceed, else the seconds to wait.
    func admit(origin: String, now: Double) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        if buckets.count >= RateLimiter.maxTrackedOrigins && buckets[origin] == nil {
            buckets = buckets.filter { $0.value.tokens < limit.burst - 1 }
        }
        var bucket = buckets[origin] ?? TokenBucket(limit: limit, now: now)
        let ok = bucket.take(now: now)
        buckets[origin] = bucket
        return ok ? nil : bucket.secondsUntilNextToken()
    }
}
