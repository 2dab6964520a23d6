/// The per-connection time limits, in seconds (see `ServerConfiguration`).
public struct ConnectionTimeouts: Sendable, Hashable {
    /// Total time for a request head, counted from its first byte (from accept for a new connection, TLS handshake included).
    public var headerRead: Double
    /// Longest pause between two pieces of a body.
    public var bodyIdle: Double
    /// Longest wait for the first byte of a further request on a kept-alive connection.
    public var keepAliveIdle: Double
    /// Longest pause while the client does not read our response.
    public var sendIdle: Double
    /// Least average rate, in bytes per second, at which a request (head and body) must arrive
    /// once `dataRateGracePeriod` has passed; 0 turns the rule off.
    public var minimumDataRate: Double
    /// Seconds from a request's start during which the minimum data rate is not enforced.
    public var dataRateGracePeriod: Double

    /// Timeouts with the given values; the defaults are the design's (the rate rule is Kestrel's: 240 B/s after 5 s).
    public init(
        headerRead: Double = 10, bodyIdle: Double = 15, keepAliveIdle: Double = 30, sendIdle: Double = 15,
        minimumDataRate: Double = 240, dataRateGracePeriod: Double = 5
    ) {
        self.headerRead = headerRead
        self.bodyIdle = bodyIdle
        self.keepAliveIdle = keepAliveIdle
        self.sendIdle = sendIdle
        self.minimumDataRate = minimumDataRate
        self.dataRateGracePeriod = dataRateGracePeriod
    }
}

/// Which deadline currently applies to a connection, as a pure value: the driver reports what
/// the parser is waiting for and when bytes arrived, and asks when to give up and how.
///
/// The header deadline is total, not per read: a client that trickles one header byte every
/// second still runs out after `headerRead` seconds (slowloris). The body deadline is an idle
/// deadline: it moves with every piece of body that arrives. On top of both, once a request has
/// been arriving for `dataRateGracePeriod` seconds its bytes must average `minimumDataRate` per
/// second since its start, so a client sending a few bytes just before each idle deadline (a slow
/// body) is answered 408 after the grace period instead of holding its slot for minutes.
public struct ConnectionDeadline: Sendable, Hashable {
    /// What to do when the deadline passes.
    public enum Expiry: Sendable, Hashable {
        /// Nothing of a request has arrived: close without a response.
        case closeSilently
        /// A request is partly received: answer 408 and close.
        case requestTimeout
    }

    /// The limits applied.
    public let timeouts: ConnectionTimeouts
    private var servedRequests = 0
    private var acceptedAt: MonotonicInstant
    private var idleSince: MonotonicInstant
    private var headStartedAt: MonotonicInstant?
    private var lastBodyProgressAt: MonotonicInstant?
    private var phase: HTTPRequestParser.Phase = .idle
    /// Bytes of the current request received so far (head and body, as read from the transport).
    private var requestBytes = 0

    /// A fresh connection accepted at `acceptedAt`.
    public init(timeouts: ConnectionTimeouts, acceptedAt: MonotonicInstant) {
        self.timeouts = timeouts
        self.acceptedAt = acceptedAt
        self.idleSince = acceptedAt
    }

    /// Records what the parser waits for at `now`; `receivedBytes` says whether the last read delivered data.
    public mutating func observe(phase newPhase: HTTPRequestParser.Phase, receivedBytes: Bool, now: MonotonicInstant) {
        switch newPhase {
        case .idle:
            break
        case .head:
            if headStartedAt == nil { headStartedAt = servedRequests == 0 ? acceptedAt : now }
        case .body:
            // The whole head may have come in one read, so the request can start here.
            if headStartedAt == nil { headStartedAt = servedRequests == 0 ? acceptedAt : now }
            if phase != .body || receivedBytes || lastBodyProgressAt == nil { lastBodyProgressAt = now }
        }
        phase = newPhase
    }

    /// Records that `count` bytes of the current request arrived.
    public mutating func received(bytes count: Int) {
        requestBytes += count
    }

    /// When the current request began: its first byte, or the accept for a connection's first request.
    public var requestStartedAt: MonotonicInstant? {
        phase == .idle ? nil : headStartedAt ?? (servedRequests == 0 ? acceptedAt : idleSince)
    }

    /// Bytes of the current request received so far.
    public var requestBytesReceived: Int { requestBytes }

    /// When the request falls below the minimum data rate with the bytes received so far: never
    /// before the grace period ends, and later the more bytes have arrived. Nil when the rule is off
    /// or no request is under way.
    public var dataRateDeadline: MonotonicInstant? {
        guard timeouts.minimumDataRate > 0, let start = requestStartedAt else { return nil }
        let earned = Double(requestBytes) / timeouts.minimumDataRate
        return start.advanced(bySeconds: max(timeouts.dataRateGracePeriod, earned))
    }

    /// Records that a response was sent at `now` and the connection now waits for another request.
    public mutating func requestCompleted(now: MonotonicInstant) {
        servedRequests += 1
        idleSince = now
        headStartedAt = nil
        lastBodyProgressAt = nil
        phase = .idle
        requestBytes = 0
    }

    /// Whether at least one response was sent on this connection.
    public var hasServedRequests: Bool { servedRequests > 0 }

    /// When the current wait ends and what happens then: the phase's own deadline or, if earlier,
    /// the moment the request falls below the minimum data rate (also a 408).
    public var current: (deadline: MonotonicInstant, expiry: Expiry) {
        let own = phaseDeadline
        if let rate = dataRateDeadline, rate < own.deadline { return (rate, .requestTimeout) }
        return own
    }

    private var phaseDeadline: (deadline: MonotonicInstant, expiry: Expiry) {
        switch phase {
        case .idle:
            if servedRequests == 0 { return (acceptedAt.advanced(bySeconds: timeouts.headerRead), .closeSilently) }
            return (idleSince.advanced(bySeconds: timeouts.keepAliveIdle), .closeSilently)
        case .head:
            return ((headStartedAt ?? idleSince).advanced(bySeconds: timeouts.headerRead), .requestTimeout)
        case .body:
            return ((lastBodyProgressAt ?? idleSince).advanced(bySeconds: timeouts.bodyIdle), .requestTimeout)
        }
    }
}
