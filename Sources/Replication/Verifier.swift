import Crypto
import Formats
import Model

/// An envelope whose header parsed, whose signature verified against the origin's key chain,
/// whose payload matches `ph` and its subject's schema. Only verified items are ever stored.
public struct VerifiedItem: Hashable, Sendable {
    public let envelope: Envelope
    public let header: Header
    /// SHA-256 of the header bytes.
    public let headerHash: [UInt8]

    public var origin: String { header.origin }
    public var n: Int { header.n }
}

/// Checks items received from anywhere (design §4; issue "Publishing" point 6). The order of
/// checks is fixed so each failure has one code: envelope → header → payload presence and size
/// → key → signature → payload hash → payload schema.
public enum Verifier {
    /// Parses the header of an envelope without verifying anything else (to find its origin).
    public static func header(of envelope: Envelope) throws(ReplicationError) -> Header {
        try Header.parse(envelope.headerBytes)
    }

    /// Verifies `envelope` against `chain`, the origin's known keys. For a key record the
    /// returned item still has to be added to the chain by the caller. KPI codes in `catalog`
    /// need no carried definition (the built-in catalog version 1 by default, as design §4 says).
    public static func verify(_ envelope: Envelope, chain: KeyChain, catalog: KPICatalog = .builtIn) throws(ReplicationError) -> VerifiedItem {
        try verify(envelope, header: try Header.parse(envelope.headerBytes), chain: chain, catalog: catalog)
    }

    /// As `verify(_:chain:catalog:)` for an envelope whose header the caller already parsed
    /// (`header` must be `Header.parse(envelope.headerBytes)`).
    public static func verify(_ envelope: Envelope, header: Header, chain: KeyChain, catalog: KPICatalog = .builtIn) throws(ReplicationError) -> VerifiedItem {
        guard header.origin == chain.origin else {
            throw ReplicationError(.unknownKey, "the item belongs to origin \(header.origin.prefix(10)), not \(chain.origin.prefix(10))")
        }
        let wantsPayload: Bool
        switch header.body {
        case .record(_, let op, _, _, _): wantsPayload = op == .set
        case .head, .key: wantsPayload = false
        }
        if wantsPayload != (envelope.payload != nil) {
            throw ReplicationError(.payloadPresence, wantsPayload ? "a set record must carry a payload" : "heads, key records and retractions carry no payload")
        }
        if let fork = chain.forkPoint, header.n >= fork {
            throw ReplicationError(.keyFork, "the key chain of origin \(header.origin.prefix(10)) forked at \(fork); nothing after it is accepted")
        }
        let signer: [UInt8]
        if header.kind == .key {
            signer = try chain.signerForKeyRecord(header)
        } else {
            signer = try chain.signer(for: header)
        }
        let key: Ed25519PublicKey
        do { key = try VerifyingKeyCache.shared.key(raw: signer) } catch {
            throw ReplicationError(.unknownKey, "the signing key is not a valid Ed25519 key")
        }
        let input = Signing.signatureInput(kind: header.kind, headerBytes: envelope.headerBytes)
        guard key.isValidSignature(envelope.signature, for: input) else {
            throw ReplicationError(.badSignature, "the signature of origin \(header.origin.prefix(10)) sequence \(header.n) does not verify")
        }
        if case let .record(subject, .set, payloadHash?, _, _) = header.body, let payload = envelope.payload {
            guard SHA256.hash(payload) == payloadHash else {
                throw ReplicationError(.payloadHashMismatch, "the payload does not match the hash in its signed header")
            }
            try validatePayload(payload, subject: subject, catalog: catalog)
        }
        return VerifiedItem(envelope: envelope, header: header, headerHash: SHA256.hash(envelope.headerBytes))
    }

    /// JSON limits for payloads: shallow documents only.
    static let payloadLimits = JSONReader.Limits(maxDepth: 16)
    /// Nesting depth of a carried `def` object inside a `kpi/<period>` payload
    /// (payload object, `values` array, value object, `def`), less the `def` itself.
    static let definitionDepth = 3

    /// Checks a payload's bytes against its subject's schema. `kpi/<period>` payloads of the
    /// usual shape are checked on the bytes by `KPIPayloadScanner`; everything else (and every
    /// refusal) goes through the full parse.
    public static func validatePayload(_ payload: [UInt8], subject: Subject, catalog: KPICatalog = .builtIn) throws(ReplicationError) {
        if case .kpi(let period) = subject, KPIPayloadScanner.check(payload, period: period, catalog: catalog) == .valid { return }
        let json: JSONValue
        do { json = try JSONReader.parse(payload, limits: payloadLimits) } catch {
            throw ReplicationError(.invalidPayload, "the payload is not strict JSON: \(error.description)")
        }
        switch subject {
        case .profile: _ = try ProfilePayload(json: json)
        case .projects: _ = try ProjectsPayload(json: json)
        case .kpi(let period): _ = try KPIPayload(json: json, period: period, catalog: catalog)
        }
    }
}

/// Parsed Ed25519 public keys by raw bytes, so verifying many items of one origin does not
/// rebuild the OpenSSL key each time. Bounded; cleared when full.
final class VerifyingKeyCache: @unchecked Sendable {
    static let shared = VerifyingKeyCache()
    /// Most keys kept before the cache is emptied.
    static let capacity = 4096

    // `lock` guards `keys`; `Ed25519PublicKey` itself is safe to use from several threads.
    private let lock = NSLockLike()
    private var keys: [[UInt8]: Ed25519PublicKey] = [:]

    func key(raw: [UInt8]) throws(CryptoError) -> Ed25519PublicKey {
        if let k = lock.withLock({ keys[raw] }) { return k }
        let k = try Ed25519PublicKey(raw: raw)
        lock.withLock {
            if keys.count >= VerifyingKeyCache.capacity { keys.removeAll() }
            keys[raw] = k
        }
        return k
    }
}
