import Formats

/// The signed part of every item an origin publishes (design §4). A header is produced once as
/// compact JSON bytes, signed, and from then on travels and is stored as those exact bytes;
/// `parse` reads such bytes strictly, `encoded()` writes a new header's bytes.
public struct Header: Hashable, Sendable {
    /// Protocol version of headers this node writes and accepts.
    public static let version = 1
    /// Exclusive upper bound of sequence numbers (2^53, exactly representable everywhere).
    public static let sequenceLimit: Int = 1 << 53
    /// Longest header accepted, in bytes.
    public static let maxBytes = 4096

    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case record, head, key
    }

    public enum Operation: String, Sendable, Hashable {
        case set, retract
    }

    /// The type-specific fields.
    public enum Body: Hashable, Sendable {
        /// A `set` carries the payload's SHA-256; a retraction may purge and give a reason code.
        case record(subject: Subject, operation: Operation, payloadHash: [UInt8]?, purge: Bool, reason: String?)
        /// The origin's state after a publication: number and root of its current records.
        case head(live: Int, root: [UInt8])
        /// Introduces `publicKey`, valid for sequence numbers from `from` on.
        case key(publicKey: [UInt8], from: Int, label: String)
    }

    /// Origin id: 32 lowercase hex characters.
    public var origin: String
    /// Key id of the signing key: 16 lowercase hex characters.
    public var keyID: String
    public var n: Int
    /// Unix seconds when signed; informational only, never used to decide anything.
    public var at: Int
    public var body: Body

    public init(origin: String, keyID: String, n: Int, at: Int, body: Body) {
        self.origin = origin
        self.keyID = keyID
        self.n = n
        self.at = at
        self.body = body
    }

    public var kind: Kind {
        switch body {
        case .record: .record
        case .head: .head
        case .key: .key
        }
    }

    /// The subject of a record header, nil for heads and key records.
    public var subject: Subject? {
        if case .record(let s, _, _, _, _) = body { s } else { nil }
    }

    /// Compact JSON in a fixed key order: `v t o kid n at`, then the type's fields.
    public func encoded() -> [UInt8] {
        var o = JSONObject()
        o["v"] = .int(Header.version)
        o["t"] = .string(kind.rawValue)
        o["o"] = .string(origin)
        o["kid"] = .string(keyID)
        o["n"] = .int(n)
        o["at"] = .int(at)
        switch body {
        case let .record(subject, operation, payloadHash, purge, reason):
            o["sub"] = .string(subject.description)
            o["op"] = .string(operation.rawValue)
            if operation == .set, let payloadHash { o["ph"] = .string(Base64URL.encode(payloadHash)) }
            if operation == .retract {
                o["purge"] = .bool(purge)
                if let reason { o["rsn"] = .string(reason) }
            }
        case let .head(live, root):
            o["live"] = .int(live)
            o["root"] = .string(Base64URL.encode(root))
        case let .key(publicKey, from, label):
            o["pub"] = .string(Base64URL.encode(publicKey))
            o["from"] = .int(from)
            o["label"] = .string(label)
        }
        return JSONWriter.bytes(.object(o))
    }

    /// Reads header bytes strictly: duplicate keys, a non-integer or out-of-range `n`, a wrong
    /// type for any known field, or a missing required field are refused. Unknown fields are
    /// ignored so newer nodes can add some.
    public static func parse(_ bytes: [UInt8]) throws(ReplicationError) -> Header {
        guard bytes.count <= maxBytes else { throw ReplicationError(.tooLarge, "header longer than \(maxBytes) bytes") }
        let value: JSONValue
        do { value = try JSONReader.parse(bytes, limits: .init(maxDepth: 4, maxNumberLength: 24)) } catch {
            throw ReplicationError(.malformedHeader, "header is not strict JSON: \(error.description)")
        }
        guard let o = value.objectValue else { throw ReplicationError(.malformedHeader, "header is not a JSON object") }
        let fields = HeaderFields(object: o)
        let version = try fields.integer("v")
        guard version == Header.version else {
            throw ReplicationError(.unsupportedVersion, "header version \(version) is not supported (this node speaks version \(Header.version))")
        }
        guard let kind = Kind(rawValue: try fields.string("t")) else {
            throw ReplicationError(.malformedHeader, "header type must be record, head or key")
        }
        let origin = try fields.hex("o", characters: 32)
        let keyID = try fields.hex("kid", characters: 16)
        let n = try fields.integer("n")
        guard n >= 1 && n < sequenceLimit else {
            throw ReplicationError(.sequenceOutOfRange, "sequence number \(n) is outside 1 to 2^53-1")
        }
        let at = try fields.integer("at")
        guard at >= 0 else { throw ReplicationError(.malformedHeader, "header field 'at' must not be negative") }
        let body: Body
        switch kind {
        case .record:
            let subjectText = try fields.string("sub")
            guard let subject = Subject(subjectText) else {
                throw ReplicationError(.malformedHeader, "header subject must be profile, projects or kpi/<period>")
            }
            guard let operation = Operation(rawValue: try fields.string("op")) else {
                throw ReplicationError(.malformedHeader, "header op must be set or retract")
            }
            switch operation {
            case .set:
                body = .record(subject: subject, operation: .set, payloadHash: try fields.digest("ph"), purge: false, reason: nil)
            case .retract:
                let purge = try fields.bool("purge")
                var reason: String?
                if o["rsn"] != nil {
                    let r = try fields.string("rsn")
                    guard ReasonCode.isValid(r) else {
                        throw ReplicationError(.malformedHeader, "retraction reason must be 1 to 32 characters of a-z, 0-9 and _")
                    }
                    reason = r
                }
                body = .record(subject: subject, operation: .retract, payloadHash: nil, purge: purge, reason: reason)
            }
        case .head:
            let live = try fields.integer("live")
            guard live >= 0 else { throw ReplicationError(.malformedHeader, "head field 'live' must not be negative") }
            body = .head(live: live, root: try fields.digest("root"))
        case .key:
            let pub = try fields.digest("pub")
            let from = try fields.integer("from")
            guard from == n + 1 else {
                throw ReplicationError(.invalidKeyRecord, "key record field 'from' must be its n + 1")
            }
            let label = try fields.string("label")
            guard (1...64).contains(label.count) else {
                throw ReplicationError(.malformedHeader, "key label must be 1 to 64 characters")
            }
            body = .key(publicKey: pub, from: from, label: label)
        }
        return Header(origin: origin, keyID: keyID, n: n, at: at, body: body)
    }
}

/// Retraction reason codes: short machine words such as `error` or `withdrawn`.
public enum ReasonCode {
    public static func isValid(_ text: String) -> Bool {
        let b = Array(text.utf8)
        return (1...32).contains(b.count) && b.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
    }
}

/// Typed access to header members, each failure naming the field.
private struct HeaderFields {
    let object: JSONObject

    func value(_ key: String) throws(ReplicationError) -> JSONValue {
        guard let v = object[key] else { throw ReplicationError(.malformedHeader, "header field '\(key)' is missing") }
        return v
    }

    func string(_ key: String) throws(ReplicationError) -> String {
        guard let s = try value(key).stringValue else { throw ReplicationError(.malformedHeader, "header field '\(key)' must be a string") }
        return s
    }

    func bool(_ key: String) throws(ReplicationError) -> Bool {
        guard let b = try value(key).boolValue else { throw ReplicationError(.malformedHeader, "header field '\(key)' must be true or false") }
        return b
    }

    func integer(_ key: String) throws(ReplicationError) -> Int {
        guard let number = try value(key).numberValue else { throw ReplicationError(.malformedHeader, "header field '\(key)' must be a number") }
        guard number.isInteger, let i = number.intValue else {
            throw ReplicationError(key == "n" ? .sequenceOutOfRange : .malformedHeader, "header field '\(key)' must be an integer")
        }
        return i
    }

    func hex(_ key: String, characters: Int) throws(ReplicationError) -> String {
        let s = try string(key)
        let ok = s.utf8.count == characters && s.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        guard ok else { throw ReplicationError(.malformedHeader, "header field '\(key)' must be \(characters) lowercase hex characters") }
        return s
    }

    /// A base64url-encoded 32-byte value (hash or public key).
    func digest(_ key: String) throws(ReplicationError) -> [UInt8] {
        guard let bytes = Base64URL.decode(try string(key)), bytes.count == 32 else {
            throw ReplicationError(.malformedHeader, "header field '\(key)' must be 32 bytes in base64url")
        }
        return bytes
    }
}
