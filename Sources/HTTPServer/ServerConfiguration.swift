/// Everything an `HTTPServer` needs to know before it binds: where to listen, whether to speak TLS,
/// and every limit that protects it from slow, large or malformed clients (design §5).
///
/// All durations are in seconds. Tests shorten the deadlines; production keeps the defaults.
public struct ServerConfiguration: Sendable, Hashable {
    /// Address to bind: a numeric IPv4/IPv6 address or a host name resolved once at start.
    public var host: String
    /// TCP port to bind; 0 asks the kernel for an ephemeral port, readable as `HTTPServer.port` after start.
    public var port: UInt16
    /// TLS settings; `nil` serves plain HTTP, which is refused on non-loopback addresses unless allowed below.
    public var tls: TLSConfiguration?
    /// Permits plain HTTP on a non-loopback address; off because peers' records and credentials would travel in clear.
    public var allowPlainHTTPOnNonLoopback: Bool

    /// Longest accepted request line (method, target, version), in bytes; longer gets 414.
    public var maxRequestLineBytes: Int
    /// Largest accepted header block after the request line, in bytes; larger gets 431.
    public var maxHeaderBytes: Int
    /// Most header fields accepted in one request (or chunked trailer); more gets 431.
    public var maxHeaderCount: Int
    /// Largest accepted request body after chunked decoding, in bytes; larger gets 413.
    public var maxBodyBytes: Int
    /// Most request-body bytes all connections may hold at once; a body that would go beyond it gets
    /// 503 and close, so 512 slow uploads cannot pin 512 × `maxBodyBytes` of memory.
    public var maxBufferedBodyBytesTotal: Int
    /// Longest accepted chunk-size line (hex size plus extensions) in a chunked body, in bytes; longer gets 400.
    public var maxChunkLineBytes: Int
    /// Total time allowed to receive a request's head (and the TLS handshake on a new connection); then 408.
    public var headerReadTimeout: Double
    /// Longest pause allowed between two pieces of a request body; then 408.
    public var bodyIdleTimeout: Double
    /// Least average rate, in bytes per second, at which a request's head and body must arrive once
    /// `requestDataRateGracePeriod` has passed since its start; slower gets 408 (Kestrel's rule and
    /// default). It stops a slow body that sends a few bytes just before each `bodyIdleTimeout`.
    /// A new connection's slot can also be given to a newcomer once it falls below this rate. 0 turns both off.
    public var minimumRequestDataRate: Double
    /// Seconds from a request's start before `minimumRequestDataRate` is enforced with a 408.
    public var requestDataRateGracePeriod: Double
    /// When every slot is taken, a request that has sent nothing for this many seconds gives its
    /// slot to a newcomer, even if an opening burst keeps its average above the minimum rate; 0 turns this off.
    public var requestSilenceAllowance: Double
    /// Longest pause allowed while the client is not reading our response; then the connection is dropped.
    public var sendIdleTimeout: Double
    /// How long a keep-alive connection may wait for its next request before the server closes it silently.
    public var keepAliveIdleTimeout: Double
    /// Longest time spent discarding a client's leftover input after the final response, so the
    /// response is not destroyed by a reset when the socket closes with unread data.
    public var lingerTimeout: Double
    /// Most leftover bytes discarded during that lingering close.
    public var lingerMaxBytes: Int
    /// Most connections served at once. A newcomer beyond it takes the slot of the longest-idle
    /// keep-alive connection or of the request furthest below `minimumRequestDataRate` or silent
    /// beyond `requestSilenceAllowance` (`ConnectionEviction`); when every
    /// slot does legitimate work it is accepted and closed at once (no response), which clients see
    /// as a reset and retry later, without spending a thread or a TLS handshake on it.
    public var maxConnections: Int
    /// Most connections from one client IP address at once (the same eviction applies within them),
    /// so one address cannot take every slot; generous because a city's peers may share a NAT address.
    public var maxConnectionsPerAddress: Int
    /// Stack size of each event-loop and handler thread, in bytes; handlers run on them, so keep recursion shallow.
    public var connectionThreadStackBytes: Int
    /// Event-loop threads serving the connections; 0 means one per available core.
    public var eventLoopThreads: Int
    /// Threads running handlers not marked inline (they may block, e.g. on SQLite); requests
    /// beyond them wait in a queue, at most one per connection.
    public var handlerThreads: Int
    /// Pending connections the kernel queues before `accept` (the `listen` backlog).
    public var listenBacklog: Int32
    /// Most bytes read from the socket in one call.
    public var readChunkBytes: Int

    /// A configuration with the design's defaults, listening on `host:port` with optional TLS.
    public init(host: String = "127.0.0.1", port: UInt16 = 0, tls: TLSConfiguration? = nil) {
        self.host = host
        self.port = port
        self.tls = tls
        self.allowPlainHTTPOnNonLoopback = false
        self.maxRequestLineBytes = 8 * 1024
        self.maxHeaderBytes = 16 * 1024
        self.maxHeaderCount = 100
        self.maxBodyBytes = 8 * 1024 * 1024
        self.maxChunkLineBytes = 1024
        self.maxBufferedBodyBytesTotal = 256 * 1024 * 1024
        self.headerReadTimeout = 10
        self.bodyIdleTimeout = 15
        self.minimumRequestDataRate = 240
        self.requestDataRateGracePeriod = 5
        self.requestSilenceAllowance = 1
        self.sendIdleTimeout = 15
        self.keepAliveIdleTimeout = 30
        self.lingerTimeout = 2
        self.lingerMaxBytes = 256 * 1024
        self.maxConnections = 512
        self.maxConnectionsPerAddress = 256
        self.connectionThreadStackBytes = 512 * 1024
        self.eventLoopThreads = 0
        self.handlerThreads = 16
        self.listenBacklog = 511
        self.readChunkBytes = 16 * 1024
    }

    /// The subset of limits the pure request parser enforces.
    public var parserLimits: ParserLimits {
        ParserLimits(
            maxRequestLineBytes: maxRequestLineBytes, maxHeaderBytes: maxHeaderBytes,
            maxHeaderCount: maxHeaderCount, maxBodyBytes: maxBodyBytes, maxChunkLineBytes: maxChunkLineBytes)
    }

    /// The deadlines the connection driver enforces.
    public var timeouts: ConnectionTimeouts {
        ConnectionTimeouts(
            headerRead: headerReadTimeout, bodyIdle: bodyIdleTimeout,
            keepAliveIdle: keepAliveIdleTimeout, sendIdle: sendIdleTimeout,
            minimumDataRate: minimumRequestDataRate, dataRateGracePeriod: requestDataRateGracePeriod)
    }
}

/// Where the server finds its certificate chain and private key (PEM files).
public struct TLSConfiguration: Sendable, Hashable {
    /// PEM file with the server certificate first, then any intermediates.
    public var certificateChainPath: String
    /// PEM file with the private key matching the certificate.
    public var privateKeyPath: String

    /// TLS from a certificate chain file and a private key file, both PEM.
    public init(certificateChainPath: String, privateKeyPath: String) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
    }
}
