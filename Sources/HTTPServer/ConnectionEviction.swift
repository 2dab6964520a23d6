/// Which connection gives up its slot when a newcomer finds every slot taken, as a pure choice
/// (nginx drains idle keep-alive connections when it runs out; Kestrel's minimum data rate decides
/// who is too slow). Without a victim the newcomer is refused, as design §5 asks when every slot
/// does legitimate work.
///
/// Order: the keep-alive connection idle the longest; otherwise the request furthest behind,
/// in seconds: behind the minimum data rate counted from its start without the grace period, or
/// silent (no byte received) for at least `silenceAllowance`. The silence rule matters because an
/// attacker's opening burst of header bytes earns it seconds of rate credit, during which 200 new
/// attack connections a second could fill every slot; a real client sends its request in one go.
/// A request being handled, or one arriving at the minimum rate without a long pause, is never chosen.
enum ConnectionEviction {
    /// What the choice needs to know about one connection.
    struct Candidate: Equatable {
        /// The server's id for the connection.
        var id: UInt64
        /// What the connection is doing.
        var state: ConnectionActivity.State
        /// When the current request started, or when the connection went idle.
        var since: MonotonicInstant
        /// Bytes of the current request received so far.
        var bytes: Int
        /// When bytes last arrived (or the connection was accepted or answered).
        var lastProgress: MonotonicInstant
    }

    /// The connection to evict at `now`, or nil to refuse the newcomer. A `minimumDataRate` or
    /// `silenceAllowance` of 0 turns that rule off; idle keep-alive connections are always evictable.
    static func victim(
        among candidates: [Candidate], now: MonotonicInstant, minimumDataRate: Double, silenceAllowance: Double
    ) -> Candidate? {
        var longestIdle: Candidate?
        var worstLaggard: Candidate?
        var worstLag = 0.0
        for candidate in candidates {
            switch candidate.state {
            case .idle:
                if longestIdle.map({ candidate.since < $0.since }) ?? true { longestIdle = candidate }
            case .receiving:
                var lag = 0.0
                if minimumDataRate > 0 {
                    lag = max(0, now.seconds(since: candidate.since)) - Double(candidate.bytes) / minimumDataRate
                }
                let silence = now.seconds(since: candidate.lastProgress)
                if silenceAllowance > 0 && silence >= silenceAllowance { lag = max(lag, silence) }
                if lag > worstLag {
                    worstLag = lag
                    worstLaggard = candidate
                }
            case .handling, .evicted:
                continue
            }
        }
        return longestIdle ?? worstLaggard
    }
}
