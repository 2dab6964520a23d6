import Crypto
import Formats
import Model
@testable import Replication

/// A fake city that signs real records, for tests: it numbers items like a node would and can
/// also misbehave (forks, reused numbers) on request.
final class TestOrigin {
    private(set) var key: Ed25519SigningKey
    let firstPublicKey: [UInt8]
    let origin: String
    var n = 0
    var at = 1_700_000_000
    /// Current records as the origin sees them, for heads.
    var currents: [Subject: (n: Int, hash: [UInt8])] = [:]
    private var keyNumber = 1

    init() throws {
        key = try Ed25519SigningKey.generate()
        firstPublicKey = key.publicKey
        origin = KeyIDs.originID(key.publicKey)
    }

    var keyID: String { KeyIDs.keyID(key.publicKey) }

    func nextN() -> Int { n += 1; at += 1; return n }

    func firstKeyRecord() -> Envelope {
        precondition(n == 0)
        let n = nextN()
        let header = Header(origin: origin, keyID: keyID, n: n, at: at,
                            body: .key(publicKey: key.publicKey, from: n + 1, label: "key-1"))
        return Signing.seal(header, payload: nil, with: key)
    }

    static func kpiPayload(_ period: Period, values: [(String, String?)]) -> [UInt8] {
        let payload = KPIPayload(period: period, values: values.map { code, value in
            PublishedValue(kpi: code, value: value.flatMap { DecimalValue($0) }, flag: value == nil ? .suppressed : .ok, unit: "count")
        })
        return JSONWriter.bytes(payload.json)
    }

    /// A `set` record; `n` may be forced to reuse a number (a fork).
    func set(_ subject: Subject, payload: [UInt8], n forced: Int? = nil, track: Bool = true) -> Envelope {
        let n = forced ?? nextN()
        let header = Header(origin: origin, keyID: keyID, n: n, at: at,
                            body: .record(subject: subject, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil))
        let envelope = Signing.seal(header, payload: payload, with: key)
        if track { currents[subject] = (n, envelope.headerHash) }
        return envelope
    }

    func retract(_ subject: Subject, purge: Bool, reason: String? = nil) -> Envelope {
        let n = nextN()
        let header = Header(origin: origin, keyID: keyID, n: n, at: at,
                            body: .record(subject: subject, operation: .retract, payloadHash: nil, purge: purge, reason: reason))
        let envelope = Signing.seal(header, payload: nil, with: key)
        currents[subject] = (n, envelope.headerHash)
        return envelope
    }

    func head() -> Envelope {
        let n = nextN()
        let entries = currents.map { HeadRoot.Entry(subject: $0.key, n: $0.value.n, headerHash: $0.value.hash) }
        let header = Header(origin: origin, keyID: keyID, n: n, at: at,
                            body: .head(live: entries.count, root: HeadRoot.compute(entries)))
        return Signing.seal(header, payload: nil, with: key)
    }

    /// A key record signed by the current key introducing a new one; later items use the new key.
    func rotate() throws -> Envelope {
        let next = try Ed25519SigningKey.generate()
        keyNumber += 1
        let n = nextN()
        let header = Header(origin: origin, keyID: keyID, n: n, at: at,
                            body: .key(publicKey: next.publicKey, from: n + 1, label: "key-\(keyNumber)"))
        let envelope = Signing.seal(header, payload: nil, with: key)
        key = next
        return envelope
    }
}
