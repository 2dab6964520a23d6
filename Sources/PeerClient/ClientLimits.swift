/// Timeouts, caps and redirect policy of a `PeerConnection`; the defaults are the production values
/// of design §5, and tests pass shorter ones.
public struct ClientLimits: Sendable, Hashable {
    /// Longest wait for the TCP connection and TLS handshake to a peer (`CURLOPT_CONNECTTIMEOUT_MS`).
    public var connectTimeout: Duration
    /// Longest time one request may take from start to the last response byte (`CURLOPT_TIMEOUT_MS`).
    public var totalTimeout: Duration
    /// Transfer speed in bytes per second below which a transfer counts as stalled (`CURLOPT_LOW_SPEED_LIMIT`);
    /// 1 byte/s means "nothing at all arrives", so a slow but live peer is bounded only by `totalTimeout`.
    public var lowSpeedBytesPerSecond: Int
    /// How long a transfer may stay below `lowSpeedBytesPerSecond` before it is aborted, rounded up to
    /// whole seconds (`CURLOPT_LOW_SPEED_TIME`); shorter than `totalTimeout` so a dead peer fails early.
    public var lowSpeedTime: Duration
    /// Largest response body accepted; a larger one aborts the transfer (`CURLOPT_MAXFILESIZE_LARGE`
    /// for announced lengths, counted in the write callback for chunked ones). 16 MiB leaves room for
    /// a 262,144-byte `changes` page many times over while keeping a hostile peer from filling memory.
    public var maxResponseBodyBytes: Int
    /// Largest total size of the response header block; a hostile peer cannot grow memory through headers.
    public var maxResponseHeaderBytes: Int
    /// Redirects followed per request (`CURLOPT_MAXREDIRS`); 0 (the default) returns a 3xx to the caller,
    /// and any larger value still follows `https://` targets only (`CURLOPT_REDIR_PROTOCOLS_STR`).
    public var maxRedirects: Int

    /// Creates limits; every argument defaults to the production value.
    public init(
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(60),
        lowSpeedBytesPerSecond: Int = 1,
        lowSpeedTime: Duration = .seconds(15),
        maxResponseBodyBytes: Int = 16 * 1024 * 1024,
        maxResponseHeaderBytes: Int = 64 * 1024,
        maxRedirects: Int = 0
    ) {
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.lowSpeedBytesPerSecond = lowSpeedBytesPerSecond
        self.lowSpeedTime = lowSpeedTime
        self.maxResponseBodyBytes = maxResponseBodyBytes
        self.maxResponseHeaderBytes = maxResponseHeaderBytes
        self.maxRedirects = maxRedirects
    }

    /// The production limits of design §5.
    public static let standard = ClientLimits()
}

extension Duration {
    /// This duration in whole milliseconds, rounded up so that a positive duration never becomes 0
    /// (which libcurl would read as "no timeout").
    var wholeMillisecondsRoundedUp: Int {
        let (seconds, attoseconds) = components
        let perMillisecond: Int64 = 1_000_000_000_000_000
        let millis = seconds * 1000 + attoseconds / perMillisecond + (attoseconds % perMillisecond > 0 ? 1 : 0)
        return Int(clamping: max(millis, 0))
    }

    /// This duration in whole seconds, rounded up, at least 1.
    var wholeSecondsRoundedUp: Int {
        max(1, (wholeMillisecondsRoundedUp + 999) / 1000)
    }
}
