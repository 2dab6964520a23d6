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

    /// Timeouts with the given values; the defaults are the design's.
    public init(headerRead: Double = 10, bodyIdle: Double = 15, keepAliveIdle: Double = 30, sendIdle: Double = 15) {
        self.headerRead = headerRead
        self.bodyIdle = bodyIdle
        self.keepAliveIdle = keepAliveIdle
        self.sendIdle = sendIdle
    }
}

/// Which deadline currently applies to a connection, as a pure value: the driver reports what
/// the parser is waiting for and when bytes arrived, and asks when to give up and how.
///
/// The header deadline is total, not per read: a client that trickles one header byte every
/// second still runs out after `headerRead` seconds (slowloris). The body deadline is an idle
/// deadline: it moves with every piece of body that arrives.
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
            if phase != .body || receivedBytes || lastBodyProgressAt == nil { lastBodyProgressAt = now }
        }
        phase = newPhase
    }

    /// Records that a response was sent at `now` and the connection now waits for another request.
    public mutating func requestCompleted(now: MonotonicInstant) {
        servedRequests += 1
        idleSince = now
        headStartedAt = nil
        lastBodyProgressAt = nil
        phase = .idle
    }

    /// Whether at least one response was sent on this connection.
    public var hasServedRequests: Bool { servedRequests > 0 }

    /// When the current wait ends and what happens then.
    public var current: (deadline: MonotonicInstant, expiry: Expiry) {
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
