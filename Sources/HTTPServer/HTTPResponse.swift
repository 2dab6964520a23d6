import Foundation

/// A response produced by a `Handler`: status, header fields and body bytes.
///
/// The server itself sets `Content-Length` and `Connection`; values a handler puts there are replaced.
public struct HTTPResponse: Sendable, Hashable {
    /// The status sent in the status line.
    public var status: HTTPStatus
    /// Header fields to send, e.g. `Content-Type`, `Allow`, `Retry-After`.
    public var headers: HTTPHeaders
    /// The body bytes; empty for none.
    public var body: [UInt8]
    /// A low-cardinality label for metrics (the matched route pattern); set by `Router`, never sent.
    public var routeLabel: String?

    /// A response with the given status, headers and body.
    public init(status: HTTPStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], routeLabel: String? = nil) {
        self.status = status
        self.headers = headers
        self.body = body
        self.routeLabel = routeLabel
    }

    /// A JSON response from bytes that are already serialized JSON.
    public static func json(_ status: HTTPStatus = .ok, bytes: [UInt8], headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var allHeaders = headers
        allHeaders.replace(name: "Content-Type", value: "application/json")
        return HTTPResponse(status: status, headers: allHeaders, body: bytes)
    }

    /// A plain-text response, e.g. Prometheus metrics with `text/plain; version=0.0.4`.
    public static func text(_ text: String, status: HTTPStatus = .ok, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: ["Content-Type": contentType], body: Array(text.utf8))
    }

    /// A JSON response encoding `value` with sorted keys, so equal values give equal bytes.
    public static func json<Value: Encodable>(_ status: HTTPStatus = .ok, _ value: Value) throws -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return json(status, bytes: Array(try encoder.encode(value)))
    }

    /// The standard error body `{"error":{"code":…,"message":…}}` with a stable code.
    /// The message must be a fixed sentence: never put request input into it.
    public static func error(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
        var text = "{\"error\":{\"code\":"
        appendJSONString(code, to: &text)
        text += ",\"message\":"
        appendJSONString(message, to: &text)
        text += "}}"
        return json(status, bytes: Array(text.utf8), headers: headers)
    }

    /// The error response for a request that could not be framed.
    public static func error(_ parseError: HTTPParseError) -> HTTPResponse {
        error(parseError.status, code: parseError.code, message: parseError.message)
    }

    /// 408 for a client that did not send its request in time.
    public static let requestTimeout = HTTPResponse.error(
        .requestTimeout, code: "request_timeout", message: "The request was not received in time; send it again.")

    /// 503 when all connections together already hold `maxBufferedBodyBytesTotal` of request bodies.
    public static let bodyBudgetExhausted = HTTPResponse.error(
        .serviceUnavailable, code: "server_busy",
        message: "The server is receiving too much data right now; try again shortly.", headers: ["Retry-After": "1"])

    /// 500 for a handler that could not produce a response.
    public static let internalError = HTTPResponse.error(
        .internalServerError, code: "internal_error", message: "The server failed to answer; try again later.")

    /// Escapes a string as a JSON string literal (RFC 8259 §7).
    static func appendJSONString(_ value: String, to text: inout String) {
        text.append("\"")
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text.append("\\\"")
            case "\\": text.append("\\\\")
            case "\n": text.append("\\n")
            case "\r": text.append("\\r")
            case "\t": text.append("\\t")
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                } else {
                    text.unicodeScalars.append(scalar)
                }
            }
        }
        text.append("\"")
    }
}
