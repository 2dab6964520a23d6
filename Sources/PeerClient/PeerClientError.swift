/// A failure talking to a peer, with a stable code and a sentence that names the peer, its address
/// and the cause, e.g. "peer 'aachen' at https://127.0.0.1:8443: TLS public key does not match the
/// pinned key (pin mismatch)". Messages never contain request headers, bodies or keys.
public struct PeerClientError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename (sync reports and backoff rely on them).
    public enum Code: String, Sendable, CaseIterable {
        /// The peer's host name could not be resolved.
        case dns
        /// Nothing accepted the TCP connection (refused or unreachable).
        case refused
        /// The peer's TLS public key is not the pinned one.
        case pinMismatch = "pin_mismatch"
        /// The TLS handshake or certificate verification failed.
        case tls
        /// The connect, total or low-speed deadline passed.
        case timeout
        /// The response body or headers exceeded the configured cap.
        case responseTooLarge = "response_too_large"
        /// Any other network or protocol failure.
        case transport
        /// The peer's URL or pin is unusable; nothing was sent.
        case invalidEndpoint = "invalid_endpoint"
        /// The request itself is malformed (path or header); nothing was sent.
        case invalidRequest = "invalid_request"
        /// The peer answered with a status other than 2xx; produced only by `PeerResponse.statusError`, never by `send`.
        case httpStatus = "http_status"
    }

    /// What went wrong, stable across releases.
    public let code: Code
    /// One sentence for a city clerk: peer name, address and cause.
    public let message: String
    /// The peer's display name.
    public let peer: String
    /// libcurl's own error text (`CURLOPT_ERRORBUFFER`) or its code number, for verbose logs; nil when not from libcurl.
    public let detail: String?
    /// The HTTP status for `httpStatus` errors.
    public let status: Int?

    /// Creates an error whose message is "peer 'NAME' at URL: CAUSE".
    public init(_ code: Code, peer: String, url: String, _ cause: String, detail: String? = nil, status: Int? = nil) {
        self.code = code
        self.peer = peer
        self.message = "peer '\(peer)' at \(url): \(cause)"
        self.detail = detail
        self.status = status
    }

    /// Creates an error about `endpoint`.
    public init(_ code: Code, endpoint: PeerEndpoint, _ cause: String, detail: String? = nil, status: Int? = nil) {
        self.init(code, peer: endpoint.name, url: endpoint.baseURL, cause, detail: detail, status: status)
    }

    public var description: String { message }
}
