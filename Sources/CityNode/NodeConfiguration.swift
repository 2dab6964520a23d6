import Formats
import Model

/// The node's configuration, `node.json` in its home (design §3). Known keys are checked
/// strictly and errors name the field; unknown keys are ignored (so a file written by a newer
/// citybench still opens), and `disclosure` is kept verbatim for the publishing layer.
///
/// ```json
/// {"city":"Braunschweig","country":"DE","region":null,"ags":null,"url":"https://…","listen":"127.0.0.1:8443",
///  "tlsCertificate":"keys/tls-cert.pem","tlsKey":"keys/tls-key.pem","disclosure":{"identity":"named"}}
/// ```
public struct NodeConfiguration: Sendable, Hashable {
    /// Address `serve` listens on when neither `init --listen` nor `serve --listen` says otherwise;
    /// loopback, so a fresh node exposes nothing until the operator chooses to.
    public static let defaultListen = "127.0.0.1:8443"
    /// Certificate path, relative to the home, written by `init`.
    public static let defaultTLSCertificate = "keys/tls-cert.pem"
    /// TLS key path, relative to the home, written by `init`.
    public static let defaultTLSKey = "keys/tls-key.pem"

    public var profile: CityProfile
    /// The public HTTPS URL other cities use to reach this node, if it serves.
    public var url: String?
    /// `HOST:PORT` the server binds.
    public var listen: String
    /// TLS certificate path (relative paths are relative to the home).
    public var tlsCertificate: String
    /// TLS key path (relative paths are relative to the home).
    public var tlsKey: String
    /// The disclosure policy object (design §4), kept verbatim.
    public var disclosure: JSONObject

    public init(profile: CityProfile, url: String? = nil, listen: String = NodeConfiguration.defaultListen,
                tlsCertificate: String = NodeConfiguration.defaultTLSCertificate,
                tlsKey: String = NodeConfiguration.defaultTLSKey, disclosure: JSONObject = JSONObject()) {
        self.profile = profile
        self.url = url
        self.listen = listen
        self.tlsCertificate = tlsCertificate
        self.tlsKey = tlsKey
        self.disclosure = disclosure
    }

    /// True if the disclosure policy's identity is `pseudonymous` (default `named`).
    public var isPseudonymous: Bool { disclosure["identity"]?.stringValue == "pseudonymous" }

    /// Parses `node.json` bytes; `file` names the file in messages.
    public init(json bytes: [UInt8], file: String = "node.json") throws(NodeError) {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch {
            throw NodeError(.invalidConfiguration, "\(file) is not valid JSON: \(error.description)")
        }
        guard let o = value.objectValue else {
            throw NodeError(.invalidConfiguration, "\(file) must hold a JSON object")
        }
        func string(_ key: String, required: Bool) throws(NodeError) -> String? {
            guard let v = o[key], !v.isNull else {
                if required { throw NodeError(.invalidConfiguration, "\(file): field '\(key)' is missing") }
                return nil
            }
            guard let s = v.stringValue else {
                throw NodeError(.invalidConfiguration, "\(file): field '\(key)' must be a string")
            }
            return s
        }
        let profile = CityProfile(name: try string("city", required: true)!, country: try string("country", required: true)!,
                                  region: try string("region", required: false), ags: try string("ags", required: false))
        do { self.profile = try profile.validated() } catch {
            throw NodeError(.invalidConfiguration, "\(file): \(error.message)")
        }
        url = try string("url", required: false)
        if let url { try NodeConfiguration.validateURL(url, context: "\(file): field 'url'") }
        listen = try string("listen", required: false) ?? NodeConfiguration.defaultListen
        try NodeConfiguration.validateListen(listen, context: "\(file): field 'listen'")
        tlsCertificate = try string("tlsCertificate", required: false) ?? NodeConfiguration.defaultTLSCertificate
        tlsKey = try string("tlsKey", required: false) ?? NodeConfiguration.defaultTLSKey
        if let d = o["disclosure"], !d.isNull {
            guard let object = d.objectValue else {
                throw NodeError(.invalidConfiguration, "\(file): field 'disclosure' must be a JSON object")
            }
            if let identity = object["identity"], !identity.isNull,
               identity.stringValue != "named" && identity.stringValue != "pseudonymous" {
                throw NodeError(.invalidConfiguration, "\(file): field 'disclosure.identity' must be \"named\" or \"pseudonymous\"")
            }
            disclosure = object
        } else {
            disclosure = JSONObject()
        }
    }

    /// The configuration as `node.json` bytes (pretty, stable key order, trailing newline).
    public var json: [UInt8] {
        var o = JSONObject()
        o["city"] = .string(profile.name)
        o["country"] = .string(profile.country)
        o["region"] = .string(profile.region)
        o["ags"] = .string(profile.ags)
        o["url"] = .string(url)
        o["listen"] = .string(listen)
        o["tlsCertificate"] = .string(tlsCertificate)
        o["tlsKey"] = .string(tlsKey)
        o["disclosure"] = .object(disclosure)
        return JSONWriter.bytes(.object(o), pretty: true) + [10]
    }

    /// Accepts `https://host[:port][/path]` or `http://…`, with no spaces.
    public static func validateURL(_ url: String, context: String) throws(NodeError) {
        let lower = url.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") { rest = url.dropFirst(8) } else if lower.hasPrefix("http://") { rest = url.dropFirst(7) } else {
            throw NodeError(.invalidInput, "\(context) '\(url)' is not a URL (expected https://HOST[:PORT])")
        }
        guard !rest.isEmpty, rest.first != "/", !url.contains(where: { $0.isWhitespace }), url.utf8.count <= 2048 else {
            throw NodeError(.invalidInput, "\(context) '\(url)' is not a URL (expected https://HOST[:PORT])")
        }
    }

    /// Accepts `HOST:PORT` with a port 1-65535 (IPv6 hosts in brackets).
    public static func validateListen(_ listen: String, context: String) throws(NodeError) {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (1...65535).contains(port), colon != listen.startIndex,
              !listen.contains(where: { $0.isWhitespace }) else {
            throw NodeError(.invalidInput, "\(context) '\(listen)' is not HOST:PORT with a port from 1 to 65535")
        }
    }
}
