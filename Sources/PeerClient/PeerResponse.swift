import Foundation

/// A peer's answer: status, the header fields sync needs, and the body bytes.
///
/// `send` returns every status, 4xx and 5xx included; `statusError(for:)` turns a non-2xx status
/// into a `PeerClientError` when the caller decides it is a failure.
public struct PeerResponse: Sendable, Hashable {
    /// The HTTP status code of the final response.
    public let status: Int
    /// Header fields of the final response, names lowercased; repeated fields joined with `, `.
    public let headers: [String: String]
    /// The response body exactly as received (no content coding is ever requested).
    public let body: [UInt8]
    /// `Retry-After` in seconds (delta-seconds or an IMF-fixdate relative to the request's clock), if sent and valid.
    public let retryAfterSeconds: Int?

    /// Creates a response; `send` builds these, tests and fakes may too.
    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = [], retryAfterSeconds: Int? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The value of header `name` (case-insensitive).
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// Whether the status is 2xx.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// The kind of answer, for deciding between retry, backoff and operator action.
    public var statusClass: PeerStatusClass { PeerStatusClass(status: status) }

    /// The `code` of a citybench error body `{"error":{"code":…}}`, if present and made only of
    /// lowercase letters, digits and `_` (anything else from an untrusted peer is not echoed).
    public var errorCode: String? {
        guard !isSuccess, body.count <= PeerResponse.maxErrorBodyBytesInspected,
              let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any], let code = error["code"] as? String,
              (1...40).contains(code.utf8.count),
              code.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F })
        else { return nil }
        return code
    }

    /// Largest error body whose `code` is looked at; error bodies are small, anything bigger is not parsed.
    static let maxErrorBodyBytesInspected = 4096

    /// nil for a 2xx answer, else an `http_status` error whose message says what the peer answered
    /// and what the operator can do about it.
    public func statusError(for endpoint: PeerEndpoint) -> PeerClientError? {
        guard !isSuccess else { return nil }
        var cause = statusClass.explanation(status: status)
        if let code = errorCode { cause += " (peer error code \(code))" }
        if let seconds = retryAfterSeconds { cause += "; it asked to retry after \(seconds) s" }
        return PeerClientError(.httpStatus, endpoint: endpoint, cause, status: status)
    }
}

/// What a status code means for the caller; 2xx is success, everything else is one kind of failure.
public enum PeerStatusClass: String, Sendable, Hashable, CaseIterable {
    /// 2xx.
    case success
    /// 3xx: never followed to `http://`, and by default not followed at all.
    case redirect
    /// 401: the peer did not accept this node's request signature.
    case unauthenticated
    /// 403: the peer does not trust this node's origin.
    case forbidden
    /// 409: a conflict such as `epoch_changed`; sync starts over from a fresh cursor.
    case conflict
    /// 429: the peer's rate limit; honour `Retry-After`.
    case rateLimited
    /// Any other 4xx: the request was wrong for this peer.
    case clientError
    /// 5xx: the peer failed; retry later with backoff.
    case serverError
    /// 1xx or a number outside 100–599.
    case unexpected

    /// Classifies a status code.
    public init(status: Int) {
        switch status {
        case 200..<300: self = .success
        case 300..<400: self = .redirect
        case 401: self = .unauthenticated
        case 403: self = .forbidden
        case 409: self = .conflict
        case 429: self = .rateLimited
        case 400..<500: self = .clientError
        case 500..<600: self = .serverError
        default: self = .unexpected
        }
    }

    /// Whether trying again later, unchanged, can succeed (rate limits and server failures).
    public var isTransient: Bool { self == .rateLimited || self == .serverError }

    /// The cause part of an `http_status` message.
    func explanation(status: Int) -> String {
        switch self {
        case .success:
            return "answered HTTP \(status)"
        case .redirect:
            return "answered with a redirect (HTTP \(status)), which citybench does not follow; check the peer's URL"
        case .unauthenticated:
            return "did not accept this node's signed request (HTTP 401); check that both clocks are right and that the peer holds this node's current key"
        case .forbidden:
            return "does not trust this node (HTTP 403); ask the peer's operator to add this node's descriptor"
        case .conflict:
            return "reported a conflict (HTTP 409), for example that its data was restored; the next sync starts over"
        case .rateLimited:
            return "asked this node to slow down (HTTP 429)"
        case .clientError:
            return "rejected the request (HTTP \(status)); check that the URL points to a citybench node of the same protocol version"
        case .serverError:
            return "had an internal problem (HTTP \(status)); it will be retried later"
        case .unexpected:
            return "answered with an unexpected HTTP status \(status)"
        }
    }
}
