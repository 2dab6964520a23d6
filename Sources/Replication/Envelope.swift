import Crypto
import Formats

/// What travels between nodes (design §4): `{"h":B64(header),"s":B64(signature),"p":B64(payload)}`
/// with `p` absent for heads, key records and retractions. The bytes inside are kept verbatim.
public struct Envelope: Hashable, Sendable {
    /// Largest payload accepted, in bytes (a 300-KPI period with carried definitions fits easily).
    public static let maxPayloadBytes = 1 << 20

    public let headerBytes: [UInt8]
    public let signature: [UInt8]
    public let payload: [UInt8]?

    public init(headerBytes: [UInt8], signature: [UInt8], payload: [UInt8]?) {
        self.headerBytes = headerBytes
        self.signature = signature
        self.payload = payload
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["h"] = .string(Base64URL.encode(headerBytes))
        o["s"] = .string(Base64URL.encode(signature))
        if let payload { o["p"] = .string(Base64URL.encode(payload)) }
        return .object(o)
    }

    /// Reads an envelope object; unknown members are ignored, known ones must be canonical base64url.
    public init(json: JSONValue) throws(ReplicationError) {
        guard let o = json.objectValue else { throw ReplicationError(.malformedEnvelope, "envelope is not a JSON object") }
        func bytes(_ key: String) throws(ReplicationError) -> [UInt8]? {
            guard let v = o[key] else { return nil }
            guard let s = v.stringValue, let b = Base64URL.decode(s) else {
                throw ReplicationError(.malformedEnvelope, "envelope field '\(key)' is not base64url")
            }
            return b
        }
        guard let h = try bytes("h") else { throw ReplicationError(.malformedEnvelope, "envelope field 'h' is missing") }
        guard let s = try bytes("s") else { throw ReplicationError(.malformedEnvelope, "envelope field 's' is missing") }
        guard s.count == Ed25519SigningKey.signatureCount else {
            throw ReplicationError(.malformedEnvelope, "envelope signature must be \(Ed25519SigningKey.signatureCount) bytes")
        }
        guard h.count <= Header.maxBytes else { throw ReplicationError(.tooLarge, "header longer than \(Header.maxBytes) bytes") }
        let p = try bytes("p")
        if let p, p.count > Envelope.maxPayloadBytes {
            throw ReplicationError(.tooLarge, "payload longer than \(Envelope.maxPayloadBytes) bytes")
        }
        self.init(headerBytes: h, signature: s, payload: p)
    }

    /// SHA-256 of the header bytes: the tie-breaker of the merge and the item's identity.
    public var headerHash: [UInt8] { SHA256.hash(headerBytes) }
}

/// Signing and the exact bytes a signature covers (design §4).
public enum Signing {
    /// `"citybench/v1/" + t + "\0" + header bytes`.
    public static func signatureInput(kind: Header.Kind, headerBytes: [UInt8]) -> [UInt8] {
        var input = Array("citybench/v1/\(kind.rawValue)".utf8)
        input.append(0)
        input.append(contentsOf: headerBytes)
        return input
    }

    /// Encodes and signs a header; for a `set` record, `payload` must be the bytes hashed into `ph`.
    public static func seal(_ header: Header, payload: [UInt8]?, with key: Ed25519SigningKey) -> Envelope {
        let bytes = header.encoded()
        let signature = key.sign(signatureInput(kind: header.kind, headerBytes: bytes))
        return Envelope(headerBytes: bytes, signature: signature, payload: payload)
    }
}
