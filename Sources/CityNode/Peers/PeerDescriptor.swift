import Crypto
import Foundation
import Formats
import Replication

/// A peer descriptor as `identity --json` prints it and a roster holds it:
/// `{"origin","label","publicKey","url","tlsPin"}` (design §4, §6). Validated on reading: the
/// public key must hash to the origin id, so a descriptor cannot name someone else's origin.
public struct PeerDescriptor: Sendable, Hashable {
    /// Lowercase hex origin id (32 characters).
    public var origin: String
    /// The origin's label (city name or pseudonym), the default peer name.
    public var label: String?
    /// The origin's first Ed25519 public key, base64url without padding.
    public var publicKey: String
    /// Where the peer serves, if it does.
    public var url: String?
    /// libcurl pin of the peer's TLS key, if pinned.
    public var tlsPin: String?

    public init(origin: String, label: String?, publicKey: String, url: String?, tlsPin: String?) {
        self.origin = origin
        self.label = label
        self.publicKey = publicKey
        self.url = url
        self.tlsPin = tlsPin
    }

    /// Reads and validates a descriptor; `source` names the file (or option) in messages.
    public init(json bytes: [UInt8], source: String) throws(NodeError) {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch {
            throw NodeError(.invalidInput, "\(source) is not a peer descriptor: \(error.message)")
        }
        guard let o = value.objectValue else {
            throw NodeError(.invalidInput, "\(source) is not a peer descriptor (expected a JSON object as printed by 'citybench identity --json')")
        }
        func text(_ key: String) throws(NodeError) -> String? {
            guard let v = o[key], !v.isNull else { return nil }
            guard let s = v.stringValue else { throw NodeError(.invalidInput, "\(source): field '\(key)' must be a string") }
            return s
        }
        guard let key = try text("publicKey") else {
            throw NodeError(.invalidInput, "\(source): the field 'publicKey' is missing; ask the city for the output of 'citybench identity --json'")
        }
        let origin = try text("origin")
        try self.init(publicKey: key, origin: origin, label: try text("label"), url: try text("url"), tlsPin: try text("tlsPin"), source: source)
    }

    /// Builds a descriptor from its parts (`peer add --name --url --key --pin`), deriving the
    /// origin from the key and checking a given origin against it.
    public init(publicKey: String, origin: String?, label: String?, url: String?, tlsPin: String?, source: String) throws(NodeError) {
        guard let raw = Base64URL.decode(publicKey), raw.count == 32 else {
            throw NodeError(.invalidInput, "\(source): the public key is not base64url of 32 bytes; copy 'publicKey' from the city's 'citybench identity --json'")
        }
        let derived = KeyIDs.originID(raw)
        if let origin, origin != derived {
            throw NodeError(.invalidInput, "\(source): the public key does not belong to origin \(origin) (it hashes to \(derived)); the descriptor is damaged or forged")
        }
        if let label, !PeerName.isValid(label) {
            throw NodeError(.invalidInput, "\(source): the label '\(label)' cannot be a peer name (1 to 64 characters, no '/', no leading '.', no control characters)")
        }
        if let tlsPin, !tlsPin.hasPrefix("sha256//") {
            throw NodeError(.invalidInput, "\(source): the tlsPin must look like sha256//<base64>")
        }
        self.init(origin: derived, label: label, publicKey: publicKey, url: url, tlsPin: tlsPin)
    }

    /// Reads a descriptor file.
    public init(file: String) throws(NodeError) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw NodeError(.invalidInput, "cannot read the peer descriptor \(file): no such file or not readable")
        }
        try self.init(json: Array(data), source: file)
    }

    /// `{"origin","label","publicKey","url","tlsPin"}` in that order (the operator copy in `HOME/peers/`).
    public var json: JSONValue {
        .object(JSONObject(pairs: [("origin", .string(origin)), ("label", .string(label)), ("publicKey", .string(publicKey)),
                                   ("url", .string(url)), ("tlsPin", .string(tlsPin))]))
    }
}

/// The naming rule of design §6: `--name`, else the label, else `origin-<10 hex>`; unique per node.
public enum PeerName {
    /// Longest peer name accepted (it is also a file name in `HOME/peers/`).
    public static let maxLength = 64

    /// Whether `name` can name a peer and its `HOME/peers/<name>.json` file.
    public static func isValid(_ name: String) -> Bool {
        !name.isEmpty && name.count <= maxLength && !name.contains("/") && !name.hasPrefix(".")
            && !name.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }

    /// The default name of an origin without label.
    public static func fallback(origin: String) -> String { "origin-" + origin.prefix(10) }
}
