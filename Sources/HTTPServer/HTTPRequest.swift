/// The protocol version of a request; only HTTP/1.0 and HTTP/1.1 are served.
public enum HTTPVersion: String, Sendable, Hashable {
    case http10 = "HTTP/1.0"
    case http11 = "HTTP/1.1"
}

/// One complete, validated request as handed to a `Handler`.
///
/// By the time a handler sees it, framing, size limits, the target's percent-encoding and the
/// query's UTF-8 have all been checked, so handlers validate only their own parameters.
public struct HTTPRequest: Sendable, Hashable {
    /// The method token exactly as sent (methods are case-sensitive), e.g. `GET`.
    public var method: String
    /// The path part of the target, still percent-encoded, e.g. `/v1/changes`; routing matches it byte for byte.
    public var path: String
    /// The raw query after `?` (without it), or nil when the target has none.
    public var query: String?
    /// The query's `name=value` pairs in order, percent-decoded (a `+` stays a `+`).
    public var queryItems: [QueryItem]
    /// The protocol version of the request line.
    public var version: HTTPVersion
    /// The header fields as received.
    public var headers: HTTPHeaders
    /// The request body after any chunked decoding; empty when there is none.
    public var body: [UInt8]
    /// The client's IP address as text, e.g. `127.0.0.1`; empty for requests built in tests.
    public var peerAddress: String

    /// A request with the given parts; the server builds these, tests may too.
    public init(
        method: String, path: String, query: String? = nil, queryItems: [QueryItem] = [],
        version: HTTPVersion = .http11, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
        peerAddress: String = ""
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.queryItems = queryItems
        self.version = version
        self.headers = headers
        self.body = body
        self.peerAddress = peerAddress
    }

    /// The path and query as sent, e.g. `/v1/changes?since=0` (what request signatures cover).
    public var target: String {
        guard let query else { return path }
        return path + "?" + query
    }

    /// The first decoded value of query parameter `name`, or nil.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// Whether the client asked to keep the connection open after this request
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`).
    public var wantsKeepAlive: Bool {
        let tokens = headers.values(for: "Connection").flatMap { HTTPRequest.commaSeparatedTokens($0) }
        switch version {
        case .http11: return !tokens.contains("close")
        case .http10: return tokens.contains("keep-alive") && !tokens.contains("close")
        }
    }

    /// Splits a list-valued header into lowercased, trimmed, non-empty elements.
    static func commaSeparatedTokens(_ value: String) -> [String] {
        value.split(separator: ",").compactMap { part in
            let trimmed = part.trimmingASCIIWhitespace()
            return trimmed.isEmpty ? nil : HTTPHeaders.lowercasedASCII(trimmed)
        }
    }
}

/// One `name=value` pair of a query string, percent-decoded.
public struct QueryItem: Sendable, Hashable {
    /// The decoded parameter name.
    public var name: String
    /// The decoded value; empty for `name` or `name=` alike.
    public var value: String

    /// A query item with the given decoded name and value.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

extension Substring {
    /// Removes leading and trailing spaces and tabs (HTTP's optional whitespace).
    func trimmingASCIIWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first == " " || first == "\t" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
