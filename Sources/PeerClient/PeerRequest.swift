/// One HTTP request to a peer: method, path with query, the caller's headers (normally just
/// `Authorization`) and an optional JSON body.
public struct PeerRequest: Sendable, Hashable {
    /// The two methods the peer protocol uses.
    public enum Method: String, Sendable, Hashable {
        case get = "GET"
        case post = "POST"
    }

    /// A request header the caller adds; `Host`, `Content-Type` and `Content-Length` are set by the client.
    public struct Header: Sendable, Hashable {
        /// The field name, e.g. `Authorization`.
        public var name: String
        /// The field value, sent verbatim.
        public var value: String

        /// Creates a header field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// GET or POST.
    public var method: Method
    /// Path with query, starting with `/`, already percent-encoded, e.g. `/v1/changes?since=0`.
    public var path: String
    /// Extra header fields in sending order; the peer protocol needs only `Authorization`.
    public var headers: [Header]
    /// The JSON body bytes for POST, sent with `Content-Type: application/json`; nil sends no body.
    public var body: [UInt8]?

    /// Creates a request.
    public init(method: Method, path: String, headers: [Header] = [], body: [UInt8]? = nil) {
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body
    }

    /// A GET of `path`, optionally with an `Authorization` value.
    public static func get(_ path: String, authorization: String? = nil) -> PeerRequest {
        PeerRequest(method: .get, path: path, headers: authorization.map { [Header(name: "Authorization", value: $0)] } ?? [])
    }

    /// A POST of the JSON `body` to `path`, optionally with an `Authorization` value.
    public static func post(_ path: String, json body: [UInt8], authorization: String? = nil) -> PeerRequest {
        PeerRequest(method: .post, path: path,
                    headers: authorization.map { [Header(name: "Authorization", value: $0)] } ?? [], body: body)
    }

    /// Header names the client sets itself or must never send (hop-by-hop, framing); lowercase.
    static let reservedHeaderNames: Set<String> = [
        "host", "content-type", "content-length", "transfer-encoding", "expect", "connection",
        "accept", "user-agent", "te", "upgrade", "keep-alive", "trailer",
    ]

    /// Checks that the request cannot inject framing: a path of visible ASCII starting with `/`,
    /// token header names that the client does not own, header values without control characters.
    func validate(for endpoint: PeerEndpoint) throws(PeerClientError) {
        guard path.hasPrefix("/"), !path.contains("#"), path.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw PeerClientError(.invalidRequest, endpoint: endpoint,
                                  "the request path must start with / and contain only visible ASCII characters")
        }
        for header in headers {
            let tokenBytes = header.name.utf8
            guard !tokenBytes.isEmpty, tokenBytes.allSatisfy(PeerRequest.isTokenByte) else {
                throw PeerClientError(.invalidRequest, endpoint: endpoint, "a request header has an invalid name")
            }
            guard !PeerRequest.reservedHeaderNames.contains(header.name.lowercased()) else {
                throw PeerClientError(.invalidRequest, endpoint: endpoint,
                                      "the header \(header.name) is set by the client itself and cannot be passed in")
            }
            guard header.value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw PeerClientError(.invalidRequest, endpoint: endpoint,
                                      "the value of header \(header.name) contains a line break or control character")
            }
        }
        if method == .get, body != nil {
            throw PeerClientError(.invalidRequest, endpoint: endpoint, "a GET request cannot carry a body")
        }
    }

    /// RFC 9110 `tchar`.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }
}
