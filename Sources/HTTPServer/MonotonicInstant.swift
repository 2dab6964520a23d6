import Glibc

/// A point on the monotonic clock (`clock_gettime(CLOCK_MONOTONIC)`) in nanoseconds; wall-clock
/// changes never move connection deadlines.
public struct MonotonicInstant: Sendable, Hashable, Comparable {
    /// Nanoseconds since an arbitrary origin fixed at boot.
    public var nanoseconds: UInt64

    /// An instant at `nanoseconds` on the monotonic clock; tests construct these freely.
    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    /// The current instant, read with `clock_gettime(CLOCK_MONOTONIC)`.
    public static func now() -> MonotonicInstant {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return MonotonicInstant(nanoseconds: UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec))
    }

    /// This instant moved `seconds` later (negative values clamp at the origin).
    public func advanced(bySeconds seconds: Double) -> MonotonicInstant {
        let delta = seconds * 1e9
        if delta < 0 {
            let magnitude = UInt64(-delta)
            return MonotonicInstant(nanoseconds: nanoseconds > magnitude ? nanoseconds - magnitude : 0)
        }
        return MonotonicInstant(nanoseconds: nanoseconds &+ UInt64(min(delta, 1e18)))
    }

    /// Seconds from `earlier` to this instant; negative if `earlier` is later.
    public func seconds(since earlier: MonotonicInstant) -> Double {
        if nanoseconds >= earlier.nanoseconds { return Double(nanoseconds - earlier.nanoseconds) / 1e9 }
        return -Double(earlier.nanoseconds - nanoseconds) / 1e9
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }
}
