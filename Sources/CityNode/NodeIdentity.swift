import Foundation
import Formats
import Model
import Store

/// This node's peer descriptor (design §4, §8 `identity`): what another city needs to trust and
/// reach it.
public struct NodeIdentity: Sendable, Hashable {
    /// Lowercase hex of the first 16 bytes of SHA-256 of the first Ed25519 public key.
    public var origin: String
    /// The city name, or `city-` + 10 hex digits of the origin for a pseudonymous node.
    public var label: String
    /// The first Ed25519 public key, base64url without padding (32 raw bytes).
    public var publicKey: String
    /// The node's public URL, if it serves.
    public var url: String?
    /// `sha256//` + base64 SHA-256 of the TLS certificate's SubjectPublicKeyInfo.
    public var tlsPin: String
    /// The origin's key-record envelopes, oldest first (design §4), so a receiver can verify
    /// records signed after a key rotation without waiting for the chain to arrive by sync.
    public var keys: [JSONValue] = []

    /// `{"origin","label","publicKey","url","tlsPin","keys"}` in that order.
    public var json: JSONValue {
        .object(JSONObject(pairs: [("origin", .string(origin)), ("label", .string(label)), ("publicKey", .string(publicKey)),
                                   ("url", .string(url)), ("tlsPin", .string(tlsPin)), ("keys", .array(keys))]))
    }

    /// The label for `origin`: the city's name, or a pseudonym derived from the origin id.
    static func label(origin: String, configuration: NodeConfiguration) -> String {
        configuration.isPseudonymous ? "city-" + origin.prefix(10) : configuration.profile.name
    }
}

extension Node {
    /// Meta keys written by `init`.
    enum MetaKey {
        static let origin = "origin"
        static let publicKey = "public_key"
        static let createdAt = "created_at"
    }

    /// A value from the `meta` table.
    func meta(_ key: String) throws(NodeError) -> String? {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT value FROM meta WHERE key = ?")
            try stmt.bind([.text(key)])
            return try stmt.step() ? stmt.text(0) : nil
        }
    }

    /// This node's peer descriptor; reads the origin recorded at `init` and pins the current certificate.
    public func identity() throws(NodeError) -> NodeIdentity {
        guard let origin = try meta(MetaKey.origin), let publicKey = try meta(MetaKey.publicKey) else {
            throw NodeError(.invalidKeys, "the database in \(home.path) records no origin; the home was not made by 'citybench init'")
        }
        let certPath = configuration.tlsCertificate.hasPrefix("/") ? configuration.tlsCertificate
            : (home.path as NSString).appendingPathComponent(configuration.tlsCertificate)
        guard let cert = FileManager.default.contents(atPath: certPath) else {
            throw NodeError(.invalidKeys, "the TLS certificate \(certPath) is missing or unreadable")
        }
        let pin = try NodeKeys.tlsPin(certificatePEM: String(decoding: cert, as: UTF8.self))
        var identity = NodeIdentity(origin: origin, label: NodeIdentity.label(origin: origin, configuration: configuration),
                                    publicKey: publicKey, url: configuration.url, tlsPin: pin)
        identity.keys = try ownKeyRecords().map(\.json)
        return identity
    }
}
