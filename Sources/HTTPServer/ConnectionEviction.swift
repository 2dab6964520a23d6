/// Which connection gives up its slot when a newcomer finds every slot taken, as a pure choice
/// (nginx drains idle keep-alive connections when it runs out; Kestrel's minimum data rate decides
/// who is too slow). Without a victim the newcomer is refused, as design §5 asks when every slot
/// does legitimate work.
///
/// Order: the keep-alive connection idle the longest; otherwise the request furthest behind the
/// minimum data rate, counted from its start without the grace period (under pressure a client
/// that has sent nothing useful for a while yields to one that wants to talk now). A request
/// being handled, or one arriving at least at the minimum rate, is never chosen.
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
    }

    /// The id of the connection to evict at `now`, or nil to refuse the newcomer.
    /// With `minimumDataRate` 0 only idle keep-alive connections are evicted.
    static func victim(among candidates: [Candidate], now: MonotonicInstant, minimumDataRate: Double) -> Candidate? {
        var longestIdle: Candidate?
        var worstLaggard: Candidate?
        var worstDeficit = 0.0
        for candidate in candidates {
            switch candidate.state {
            case .idle:
                if longestIdle.map({ candidate.since < $0.since }) ?? true { longestIdle = candidate }
            case .receiving:
                guard minimumDataRate > 0 else { continue }
                let deficit = max(0, now.seconds(since: candidate.since)) * minimumDataRate - Double(candidate.bytes)
                if deficit > worstDeficit {
                    worstDeficit = deficit
                    worstLaggard = candidate
                }
            case .handling, .evicted:
                continue
            }
        }
        return longestIdle ?? worstLaggard
    }
}
