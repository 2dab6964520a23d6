import Formats
import HTTPServer

/// Why the peer API refused a request: an HTTP status, a stable code and a fixed sentence a city
/// clerk (or the operator of the calling node) can act on. This is the one place where peer-API
/// failures become HTTP responses; messages never echo request input, keys or payloads.
public struct PeerAPIError: Error, Equatable, Sendable, CustomStringConvertible {
    public let status: Int
    /// Stable machine-readable code, e.g. `epoch_changed`.
    public let code: String
    public let message: String
    /// For `epoch_changed`: the server's current epoch (design §5 adds it beside `error`).
    public var epoch: String?
    /// For 429 and 503: seconds after which the client may try again.
    public var retryAfterSeconds: Int?

    init(_ status: Int, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { message }

    // MARK: Authentication (401, 403)

    static let authorizationMissing = PeerAPIError(401, "auth_missing", "This endpoint needs a signed Authorization header (CityBench origin=…, ts=…, nonce=…, sig=…).")
    static let authorizationMalformed = PeerAPIError(401, "auth_malformed", "The Authorization header does not follow the CityBench scheme.")
    static let authorizationExpired = PeerAPIError(401, "auth_expired", "The request's timestamp is more than 300 seconds from this server's clock; check the calling node's clock.")
    static let signatureInvalid = PeerAPIError(401, "auth_invalid", "The request signature does not verify with the calling origin's key.")
    static let replayed = PeerAPIError(401, "auth_replayed", "This request (origin and nonce) was already received; sign every request with a fresh nonce.")
    static let untrustedOrigin = PeerAPIError(403, "untrusted_origin", "This node does not trust the calling origin; ask its operator to add or trust your node.")

    // MARK: Load (429, 503)

    static func rateLimited(retryAfter: Int) -> PeerAPIError {
        var e = PeerAPIError(429, "rate_limited", "Too many requests from this origin; wait for the time in Retry-After.")
        e.retryAfterSeconds = retryAfter
        return e
    }

    static func replayCacheFull(retryAfter: Int) -> PeerAPIError {
        var e = PeerAPIError(429, "too_many_nonces", "Too many requests from this origin within the clock window; wait for the time in Retry-After.")
        e.retryAfterSeconds = retryAfter
        return e
    }

    static let busy: PeerAPIError = {
        var e = PeerAPIError(503, "busy", "The node's database is busy with another citybench process; try again shortly.")
        e.retryAfterSeconds = 1
        return e
    }()

    static let internalError = PeerAPIError(500, "internal_error", "The node failed to answer; its operator finds the cause in the node's log.")

    // MARK: Parameters and bodies (400, 409)

    static let invalidCursor = PeerAPIError(400, "invalid_cursor", "Parameter 'since' must be 0 or a cursor '<epoch>.<position>' taken from 'next'.")
    static let invalidLimit = PeerAPIError(400, "invalid_limit", "Parameter 'limit' must be a whole number of bytes within the documented range.")
    static let invalidOriginFilter = PeerAPIError(400, "invalid_origin", "Parameter 'origin' must be an origin id of 32 lowercase hex characters.")
    static let unknownParameter = PeerAPIError(400, "invalid_parameter", "The request has a query parameter this endpoint does not take, or one twice.")
    static let invalidJSON = PeerAPIError(400, "invalid_json", "The body is not strict JSON (UTF-8, no duplicate keys, finite numbers, limited nesting).")
    static let invalidPushBody = PeerAPIError(400, "invalid_body", "The body must be a JSON object {\"items\":[envelopes]}.")
    static let tooManyItems = PeerAPIError(400, "too_many_items", "The push carries more items than this node takes in one request; send them in smaller batches.")
    static let invalidReconcileBody = PeerAPIError(400, "invalid_body", "The body must be {\"digest\":B64} or {\"heads\":{origin:{\"n\",\"hash\"}}}.")

    static func epochChanged(current: String) -> PeerAPIError {
        var e = PeerAPIError(409, "epoch_changed", "The cursor belongs to another epoch of this node's change log; start again with since=0.")
        e.epoch = current
        return e
    }

    /// The response: `{"error":{"code","message"}}` (plus `"epoch"` for `epoch_changed`) and
    /// `Retry-After` where set.
    var response: HTTPResponse {
        var o = JSONObject()
        o["error"] = .object(JSONObject(pairs: [("code", .string(code)), ("message", .string(message))]))
        if let epoch { o["epoch"] = .string(epoch) }
        var headers = HTTPHeaders()
        if let retryAfterSeconds { headers.add(name: "Retry-After", value: String(retryAfterSeconds)) }
        let reason: String = switch status {
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 409: "Conflict"
        case 429: "Too Many Requests"
        case 503: "Service Unavailable"
        default: "Internal Server Error"
        }
        return HTTPResponse.json(HTTPStatus(code: status, reasonPhrase: reason), bytes: JSONWriter.bytes(.object(o)), headers: headers)
    }
}
