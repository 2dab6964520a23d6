/// Why a request could not be framed. Every case ends the connection after the error response,
/// because the server can no longer tell where the next request would start.
public enum HTTPParseError: Error, Sendable, Hashable {
    /// The request line exceeded `maxRequestLineBytes` (414).
    case requestLineTooLong
    /// The header block or a chunked trailer exceeded `maxHeaderBytes` (431).
    case headerBlockTooLarge
    /// More than `maxHeaderCount` header fields (431).
    case tooManyHeaderFields
    /// The declared or decoded body exceeds `maxBodyBytes` (413).
    case bodyTooLarge
    /// A transfer coding other than `chunked` was used (501).
    case unsupportedTransferCoding
    /// A well-formed version other than HTTP/1.0 or HTTP/1.1 (505).
    case unsupportedVersion
    /// An `Expect` value other than `100-continue` (417).
    case unsupportedExpectation
    /// The bytes are not a valid HTTP/1.1 request (400); the reason is for logs and tests only.
    case badRequest(BadRequestReason)

    /// The precise framing fault behind a 400, kept stable for tests and logs, never sent to clients.
    public enum BadRequestReason: String, Sendable, Hashable {
        case malformedRequestLine, invalidMethod, invalidTarget, invalidPercentEncoding
        case lineWithoutCarriageReturn, malformedHeaderField, obsoleteLineFolding
        case missingHost, multipleHost
        case invalidContentLength, duplicateContentLength, contentLengthWithTransferEncoding
        case transferEncodingInHTTP10, chunkedNotFinal
        case malformedChunkSize, chunkLineTooLong, missingChunkTerminator
    }

    /// The response status for this fault.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: return .uriTooLong
        case .headerBlockTooLarge, .tooManyHeaderFields: return .headerFieldsTooLarge
        case .bodyTooLarge: return .payloadTooLarge
        case .unsupportedTransferCoding: return .notImplemented
        case .unsupportedVersion: return .httpVersionNotSupported
        case .unsupportedExpectation: return .expectationFailed
        case .badRequest: return .badRequest
        }
    }

    /// The stable error code sent in the JSON error body.
    public var code: String {
        switch self {
        case .requestLineTooLong: return "uri_too_long"
        case .headerBlockTooLarge, .tooManyHeaderFields: return "header_fields_too_large"
        case .bodyTooLarge: return "payload_too_large"
        case .unsupportedTransferCoding: return "not_implemented"
        case .unsupportedVersion: return "http_version_not_supported"
        case .unsupportedExpectation: return "expectation_failed"
        case .badRequest: return "bad_request"
        }
    }

    /// A sentence for the client that names the fault but never echoes its input.
    public var message: String {
        switch self {
        case .requestLineTooLong: return "The request line is longer than this server accepts."
        case .headerBlockTooLarge: return "The request headers are larger than this server accepts."
        case .tooManyHeaderFields: return "The request has more header fields than this server accepts."
        case .bodyTooLarge: return "The request body is larger than this server accepts."
        case .unsupportedTransferCoding: return "Only the chunked transfer coding is supported."
        case .unsupportedVersion: return "Only HTTP/1.1 and HTTP/1.0 are supported."
        case .unsupportedExpectation: return "Only the expectation 100-continue is supported."
        case .badRequest(let reason):
            switch reason {
            case .duplicateContentLength: return "The request has more than one Content-Length header."
            case .contentLengthWithTransferEncoding:
                return "The request has both Content-Length and Transfer-Encoding headers."
            case .invalidContentLength: return "The Content-Length header is not a non-negative decimal number."
            case .missingHost, .multipleHost: return "An HTTP/1.1 request needs exactly one Host header."
            default: return "The request is not valid HTTP/1.1."
            }
        }
    }
}
