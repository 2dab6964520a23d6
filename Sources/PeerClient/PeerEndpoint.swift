import Foundation

/// Where a peer listens and how its TLS identity is checked: the validated form of a peer
/// descriptor's `url` and `tlsPin`, plus the display name used in every error message.
public struct PeerEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The peer's name on this node (e.g. `aachen`), shown to operators; never sent on the wire.
    public let name: String
    /// The base URL without a trailing slash, e.g. `https://aachen.example:8443`; request paths are appended.
    public let baseURL: String
    /// libcurl's pin format, `sha256//<base64 SHA-256 of the SPKI>` (several joined by `;` during a
    /// certificate change); when present the pin alone is the trust anchor, else the system CA store is.
    public let tlsPin: String?
    /// True for `http://`, which is accepted only for loopback hosts (tests and `serve --plain-http`).
    public let isPlainHTTP: Bool

    /// Validates and stores a peer's address.
    ///
    /// Accepts `https://host[:port][/prefix]` with any host, and `http://` only for `localhost`,
    /// `127.0.0.0/8` and `::1`. User names, passwords, queries and fragments in the URL are refused,
    /// as is a pin that is not one or more `sha256//` + base64 of 32 bytes.
    public init(name: String, baseURL: String, tlsPin: String? = nil) throws(PeerClientError) {
        self.name = name
        let trimmed = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        guard let parts = URLComponents(string: trimmed), let scheme = parts.scheme?.lowercased(),
              let host = parts.host, !host.isEmpty
        else {
            throw PeerClientError(.invalidEndpoint, peer: name, url: baseURL,
                                  "the address is not a valid URL; use the form https://host:port")
        }
        guard parts.user == nil, parts.password == nil, parts.query == nil, parts.fragment == nil,
              trimmed.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw PeerClientError(.invalidEndpoint, peer: name, url: baseURL,
                                  "the address must not contain a user name, password, query, fragment or spaces")
        }
        switch scheme {
        case "https":
            isPlainHTTP = false
        case "http" where PeerEndpoint.isLoopback(host: host):
            isPlainHTTP = true
        case "http":
            throw PeerClientError(.invalidEndpoint, peer: name, url: baseURL,
                                  "plain http:// is allowed only for loopback testing; use https://")
        default:
            throw PeerClientError(.invalidEndpoint, peer: name, url: baseURL,
                                  "the address must start with https://")
        }
        if let pin = tlsPin {
            guard PeerEndpoint.isWellFormedPin(pin) else {
                throw PeerClientError(.invalidEndpoint, peer: name, url: baseURL,
                                      "the TLS pin is not in the form sha256//<base64 of 32 bytes>; copy it from the peer's descriptor")
            }
        }
        self.baseURL = trimmed
        self.tlsPin = tlsPin
    }

    /// `name at baseURL`, as used in messages.
    public var description: String { "peer '\(name)' at \(baseURL)" }

    /// Whether `host` (as `URLComponents` reports it, with or without IPv6 brackets) is a loopback address.
    static func isLoopback(host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare.lowercased() == "localhost" || bare == "::1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ $0.count <= 3 && UInt8($0) != nil }) else { return false }
        return octets[0] == "127"
    }

    /// Whether `pin` is one or more `sha256//<base64 of 32 bytes>` joined by `;` (libcurl's `CURLOPT_PINNEDPUBLICKEY`).
    static func isWellFormedPin(_ pin: String) -> Bool {
        let alternatives = pin.split(separator: ";", omittingEmptySubsequences: false)
        return !alternatives.isEmpty && alternatives.allSatisfy { alternative in
            guard alternative.hasPrefix("sha256//") else { return false }
            let encoded = alternative.dropFirst("sha256//".count)
            return Data(base64Encoded: String(encoded))?.count == 32
        }
    }
}
