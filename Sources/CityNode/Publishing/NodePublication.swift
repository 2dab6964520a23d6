import Crypto
import Foundation
import Formats
import Model
import Publishing
import Replication
import Store

/// One subject a publication would change, as `publish --preview` shows it.
public struct PlannedChange: Sendable, Hashable {
    public enum Operation: String, Sendable { case set, retract }
    public let subject: Subject
    public let operation: Operation
    /// The exact payload bytes that would be signed (nil for a retraction).
    public let payload: [UInt8]?
}

/// What a publication signed and stored (`publish --json`).
public struct PublicationResult: Sendable {
    /// The head's sequence number, nil when nothing changed.
    public let n: Int?
    public let records: [Envelope]
    public let head: Envelope?

    /// `{"n","records":[envelopes],"head":envelope}` (design §4).
    public var json: JSONValue {
        .object(JSONObject(pairs: [
            ("n", n.map { .int($0) } ?? .null),
            ("records", .array(records.map(\.json))),
            ("head", head?.json ?? .null),
        ]))
    }
}

extension Node {
    /// The disclosure policy of `node.json`.
    public func disclosurePolicy() throws(NodeError) -> DisclosurePolicy {
        do { return try DisclosurePolicy(json: .object(configuration.disclosure)) } catch {
            throw NodeError(.invalidConfiguration, "\(home.configurationFile): \(error.message)")
        }
    }

    /// The changes `publish` would make now, in subject byte order; stores nothing.
    public func previewPublication() throws(NodeError) -> [PlannedChange] {
        try plan().changes
    }

    /// Signs and stores every changed subject and a new head in one transaction (design §4).
    /// With nothing changed, uses no sequence number and returns an empty result.
    public func publish() throws(NodeError) -> PublicationResult {
        try refuseWhileRestored()
        return try write { () throws -> PublicationResult in
            let (changes, charges) = try plan()
            guard !changes.isEmpty else { return PublicationResult(n: nil, records: [], head: nil) }
            let signer = try ownSigner()
            var records: [Envelope] = []
            for change in changes {
                let envelope = signer.seal(subject: change.subject, payload: change.payload)
                try store(envelope, expecting: .accepted)
                try logPublication(envelope, subject: change.subject.description, op: change.operation.rawValue)
                if change.operation == .set {
                    try database.prepare("DELETE FROM retraction WHERE subject = ?").run([.text(change.subject.description)])
                }
                records.append(envelope)
            }
            let charge = try database.prepare("INSERT OR IGNORE INTO epsilon_ledger (kpi, period, epsilon, noise_u, charged_at) VALUES (?, ?, ?, ?, ?)")
            for c in charges {
                try charge.run([.text(c.kpi), .text(c.period.description), .real(c.epsilon), .real(c.noiseDraw), .integer(Node.now())])
            }
            let head = try signHead(with: signer)
            return PublicationResult(n: try Header.parse(head.headerBytes).n, records: records, head: head)
        }
    }

    /// Publishes a retraction of `subject` (design §4); with `purge`, the subject's earlier
    /// payloads are also deleted from the publication log (their hashes stay).
    public func retract(subject text: String, purge: Bool, reason: String?) throws(NodeError) -> PublicationResult {
        guard let subject = Subject(text) else {
            throw NodeError(.invalidInput, "'\(text)' is not a subject (expected profile, projects or kpi/<period> such as kpi/2024)")
        }
        if let reason, !ReasonCode.isValid(reason) {
            throw NodeError(.invalidInput, "reason '\(reason)' must be 1 to 32 characters of a-z, 0-9 and _ (for example error or withdrawn)")
        }
        return try write { () throws -> PublicationResult in
            let current = try ownCurrentRecords()[subject]
            guard let current, case .record(_, .set, _, _, _) = current.header.body else {
                throw NodeError(.invalidInput, "\(subject) is not published by this node, so there is nothing to retract")
            }
            let signer = try ownSigner()
            let envelope = signer.seal(retract: subject, purge: purge, reason: reason)
            try store(envelope, expecting: .accepted)
            try logPublication(envelope, subject: subject.description, op: "retract")
            // Remember what was withdrawn, so an unchanged subject is not simply published again.
            let planned = try plannedPayloads()[subject]
            try database.prepare("INSERT INTO retraction (subject, payload_hash) VALUES (?, ?) ON CONFLICT (subject) DO UPDATE SET payload_hash = excluded.payload_hash")
                .run([.text(subject.description), planned.map { .blob(SHA256.hash($0)) } ?? .null])
            if purge {
                try database.prepare("UPDATE publication_log SET payload = NULL WHERE subject = ?").run([.text(subject.description)])
            }
            let head = try signHead(with: signer)
            return PublicationResult(n: try Header.parse(head.headerBytes).n, records: [envelope], head: head)
        }
    }

    /// Introduces a new signing key with a key record signed by the current one (design §4).
    /// The origin id does not change. Returns the key record.
    public func rotateKey() throws(NodeError) -> Envelope {
        let next: Ed25519SigningKey
        do { next = try Ed25519SigningKey.generate() } catch { throw NodeError(.crypto, error.message) }
        let staged = home.signingKeyFile + ".new"
        try? FileManager.default.removeItem(atPath: staged)
        try SecureFile.createExclusive(staged, contents: Array(next.pkcs8PEM.utf8))
        let envelope: Envelope
        do {
            envelope = try write { () throws -> Envelope in
                let signer = try ownSigner(finishingRotation: false)
                let count = try database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND kind = 'key'", [.text(signer.origin)])
                let e = signer.seal(keyRecord: next.publicKey, label: "key-\(count + 1)")
                try store(e, expecting: .accepted)
                try logPublication(e, subject: "key", op: "key")
                return e
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staged)
            throw error
        }
        // The database now names the new key: make it the signing key (atomic rename).
        guard rename(staged, home.signingKeyFile) == 0 else {
            throw NodeError(.homeUnwritable, "the new signing key could not replace \(home.signingKeyFile); it is kept in \(staged)")
        }
        SecureFile.syncDirectory(home.keysDirectory)
        return envelope
    }

    /// This node's key records, oldest first (for `identity --json`).
    public func ownKeyRecords() throws(NodeError) -> [Envelope] {
        let origin = try originID()
        return try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT header, signature FROM item WHERE origin = ? AND kind = 'key' AND current = 1 ORDER BY n")
            try stmt.bind([.text(origin)])
            var out: [Envelope] = []
            while try stmt.step() { out.append(Envelope(headerBytes: stmt.blob(0), signature: stmt.blob(1), payload: nil)) }
            return out
        }
    }

    /// Signs and stores the first key record (n = 1) if this origin has none yet; `init` calls it.
    public func ensureFirstKeyRecord() throws(NodeError) {
        try write { () throws in try insertFirstKeyRecordIfMissing() }
    }

    /// The first key record, inside the caller's transaction: signed by the key it introduces,
    /// whose hash is the origin id.
    private func insertFirstKeyRecordIfMissing() throws {
        let origin = try originID()
        if try database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND kind = 'key' AND n = 1", [.text(origin)]) > 0 { return }
        let key = try loadSigningKey(finishingRotation: false)
        guard KeyIDs.originID(key.publicKey) == origin else {
            throw NodeError(.invalidKeys, "\(home.signingKeyFile) does not belong to this node's origin")
        }
        try database.prepare("INSERT OR IGNORE INTO origin (origin, own, trusted) VALUES (?, 1, 1)").run([.text(origin)])
        let existing = try database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND kind = 'key' AND n = 1", [.text(origin)])
        guard existing == 0 else { return }
        let header = Header(origin: origin, keyID: KeyIDs.keyID(key.publicKey), n: 1, at: Int(Node.now()),
                            body: .key(publicKey: key.publicKey, from: 2, label: "key-1"))
        let envelope = Signing.seal(header, payload: nil, with: key)
        try store(envelope, expecting: .accepted)
        try logPublication(envelope, subject: "key", op: "key")
    }

    // MARK: - Planning

    /// The payloads the policy yields now, by subject.
    func plannedPayloads() throws(NodeError) -> [Subject: [UInt8]] {
        try build().payloads
    }

    private func build() throws(NodeError) -> Publication {
        let policy = try disclosurePolicy()
        let input = PublicationInput(
            originID: try originID(), profile: configuration.profile, catalog: try catalog(),
            values: try localValues(), projects: try listProjects(), projectKey: try projectKey(),
            policy: policy, ledger: try ledger())
        do { return try Publisher.build(input) } catch { throw NodeError(.invalidInput, error.message) }
    }

    private func plan() throws(NodeError) -> (changes: [PlannedChange], charges: [EpsilonCharge]) {
        let publication = try build()
        let current = try ownCurrentRecords()
        let retracted = try retractedPayloadHashes()
        if try disclosurePolicy().identity == .pseudonymous, let profile = current[.profile], profile.envelope.payload != nil,
           let json = try? JSONReader.parse(profile.envelope.payload!), json["label"]?.stringValue == configuration.profile.name {
            throw NodeError(.invalidInput, "this origin has published under its name and cannot switch to pseudonymous; make a new origin (citybench init in a new home) instead")
        }
        var changes: [PlannedChange] = []
        for subject in Set(publication.payloads.keys).union(current.keys).sorted() {
            let planned = publication.payloads[subject]
            let item = current[subject]
            let isSet: Bool
            if let item, case .record(_, .set, _, _, _) = item.header.body { isSet = true } else { isSet = false }
            if let planned {
                let hash = SHA256.hash(planned)
                if isSet, case .record(_, .set, let ph?, _, _) = item!.header.body, ph == hash { continue }
                if !isSet, item != nil, retracted[subject] == hash { continue }
                changes.append(PlannedChange(subject: subject, operation: .set, payload: planned))
            } else if isSet {
                changes.append(PlannedChange(subject: subject, operation: .retract, payload: nil))
            }
        }
        return (changes, publication.newCharges)
    }

    // MARK: - Reading local state

    /// This node's origin id, recorded by `init`.
    public func originID() throws(NodeError) -> String {
        guard let origin = try meta(MetaKey.origin) else {
            throw NodeError(.invalidKeys, "the database in \(home.path) records no origin; the home was not made by 'citybench init'")
        }
        return origin
    }

    private func localValues() throws(NodeError) -> [LocalValue] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT code, period, value, noise_u FROM kpi_value ORDER BY code, period_order")
            var out: [LocalValue] = []
            while try stmt.step() {
                guard let period = Period(stmt.text(1)), let value = DecimalValue(stmt.text(2)) else { continue }
                out.append(LocalValue(code: stmt.text(0), period: period, value: value, noiseDraw: stmt.optionalDouble(3)))
            }
            return out
        }
    }

    private func ledger() throws(NodeError) -> [EpsilonCharge] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT kpi, period, epsilon, noise_u FROM epsilon_ledger")
            var out: [EpsilonCharge] = []
            while try stmt.step() {
                guard let period = Period(stmt.text(1)) else { continue }
                out.append(EpsilonCharge(kpi: stmt.text(0), period: period, epsilon: stmt.double(2), noiseDraw: stmt.double(3)))
            }
            return out
        }
    }

    /// ε spent per KPI and period (for `status`).
    public func epsilonSpent() throws(NodeError) -> [(kpi: String, period: String, spent: Double)] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT kpi, period, sum(epsilon) FROM epsilon_ledger GROUP BY kpi, period ORDER BY kpi, period")
            var out: [(String, String, Double)] = []
            while try stmt.step() { out.append((stmt.text(0), stmt.text(1), stmt.double(2))) }
            return out
        }
    }

    private func projectKey() throws(NodeError) -> [UInt8] {
        guard let key = FileManager.default.contents(atPath: home.hmacKeyFile), key.count >= 16 else {
            throw NodeError(.invalidKeys, "the HMAC key \(home.hmacKeyFile) is missing or too short")
        }
        return Array(key)
    }

    private func retractedPayloadHashes() throws(NodeError) -> [Subject: [UInt8]] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT subject, payload_hash FROM retraction WHERE payload_hash IS NOT NULL")
            var out: [Subject: [UInt8]] = [:]
            while try stmt.step() { if let s = Subject(stmt.text(0)) { out[s] = stmt.blob(1) } }
            return out
        }
    }

    /// This origin's current records by subject.
    func ownCurrentRecords() throws(NodeError) -> [Subject: StoredItem] {
        let origin = try originID()
        return try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT header, signature, payload, hash FROM item WHERE origin = ? AND kind = 'record' AND current = 1")
            try stmt.bind([.text(origin)])
            var out: [Subject: StoredItem] = [:]
            while try stmt.step() {
                let envelope = Envelope(headerBytes: stmt.blob(0), signature: stmt.blob(1), payload: stmt.isNull(2) ? nil : stmt.blob(2))
                guard let header = try? Header.parse(envelope.headerBytes), let subject = header.subject else { continue }
                out[subject] = StoredItem(envelope: envelope, header: header, headerHash: stmt.blob(3))
            }
            return out
        }
    }

    // MARK: - Signing and storing

    /// Loads `keys/signing.pem`, first finishing a key rotation that was interrupted between
    /// its commit and the rename of the staged key (unless `rotateKey` itself is asking).
    func loadSigningKey(finishingRotation: Bool = true) throws(NodeError) -> Ed25519SigningKey {
        let staged = home.signingKeyFile + ".new"
        if finishingRotation, FileManager.default.fileExists(atPath: staged), let pem = FileManager.default.contents(atPath: staged),
           let candidate = try? Ed25519SigningKey(pkcs8PEM: String(decoding: pem, as: UTF8.self)) {
            // A rotation stopped between commit and rename: finish it only if the chain names this key.
            let origin = try originID()
            let chain = try read { () throws(StoreError) in try SQLOriginView.chain(database, origin: origin) }
            if chain.entries.last?.publicKey == candidate.publicKey {
                _ = rename(staged, home.signingKeyFile)
            } else {
                try? FileManager.default.removeItem(atPath: staged)
            }
        }
        guard let pem = FileManager.default.contents(atPath: home.signingKeyFile) else {
            throw NodeError(.invalidKeys, "the signing key \(home.signingKeyFile) is missing or unreadable; restore keys/ from your backup")
        }
        do { return try Ed25519SigningKey(pkcs8PEM: String(decoding: pem, as: UTF8.self)) } catch {
            throw NodeError(.invalidKeys, "the signing key \(home.signingKeyFile) is not an Ed25519 PKCS#8 key")
        }
    }

    /// The current key and the next sequence number: one above the highest own `n` seen anywhere.
    func ownSigner(finishingRotation: Bool = true) throws -> OwnSigner {
        let origin = try originID()
        try insertFirstKeyRecordIfMissing()
        let key = try loadSigningKey(finishingRotation: finishingRotation)
        let chain = try SQLOriginView.chain(database, origin: origin)
        guard let latest = chain.entries.last, latest.publicKey == key.publicKey else {
            throw NodeError(.invalidKeys, "\(home.signingKeyFile) is not this origin's current key (was keys/ restored from before a key rotation? then make a new origin)")
        }
        let maxN = try database.scalarInt("SELECT coalesce(max(n), 0) FROM item WHERE origin = ?", [.text(origin)])
        return OwnSigner(origin: origin, key: key, nextN: maxN + 1)
    }

    /// Verifies and stores an own envelope through the same merge as any received item.
    private func store(_ envelope: Envelope, expecting expected: PushStatus) throws {
        let result = try ReplicaStore(database: database).offer(envelope)
        guard result.status == expected else {
            throw NodeError(.database, "storing an own record gave '\(result.status.rawValue)'\(result.reason.map { " (\($0))" } ?? ""); nothing was published")
        }
    }

    func signHead(with signer: OwnSigner) throws -> Envelope {
        let stmt = try database.prepare("SELECT subject, n, hash FROM item WHERE origin = ? AND kind = 'record' AND current = 1")
        try stmt.bind([.text(signer.origin)])
        var entries: [HeadRoot.Entry] = []
        while try stmt.step() {
            guard let subject = Subject(stmt.text(0)) else { continue }
            entries.append(HeadRoot.Entry(subject: subject, n: stmt.int(1), headerHash: stmt.blob(2)))
        }
        let head = signer.seal(head: entries.count, root: HeadRoot.compute(entries))
        try store(head, expecting: .accepted)
        try logPublication(head, subject: "head", op: "head")
        return head
    }

    /// Appends to the local audit of what left the node.
    private func logPublication(_ envelope: Envelope, subject: String, op: String) throws {
        let header = try Header.parse(envelope.headerBytes)
        try database.prepare("INSERT INTO publication_log (n, subject, op, payload_hash, published_at, payload) VALUES (?, ?, ?, ?, ?, ?)")
            .run([.integer(header.n), .text(subject), .text(op), envelope.payload.map { .blob(SHA256.hash($0)) } ?? .null,
                  .integer(Int64(header.at)), envelope.payload.map { .blob($0) } ?? .null])
    }
}

/// An item read back from the store (it was verified before it was stored).
struct StoredItem {
    let envelope: Envelope
    let header: Header
    let headerHash: [UInt8]
}

/// Numbers and signs this node's items: consecutive `n` from the next free one.
final class OwnSigner {
    let origin: String
    let key: Ed25519SigningKey
    private(set) var nextN: Int

    init(origin: String, key: Ed25519SigningKey, nextN: Int) {
        self.origin = origin
        self.key = key
        self.nextN = nextN
    }

    private func header(_ body: Header.Body) -> Header {
        defer { nextN += 1 }
        return Header(origin: origin, keyID: KeyIDs.keyID(key.publicKey), n: nextN, at: Int(Node.now()), body: body)
    }

    func seal(subject: Subject, payload: [UInt8]?) -> Envelope {
        guard let payload else { return seal(retract: subject, purge: false, reason: "withdrawn") }
        return Signing.seal(header(.record(subject: subject, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil)),
                            payload: payload, with: key)
    }

    func seal(retract subject: Subject, purge: Bool, reason: String?) -> Envelope {
        Signing.seal(header(.record(subject: subject, operation: .retract, payloadHash: nil, purge: purge, reason: reason)), payload: nil, with: key)
    }

    func seal(head live: Int, root: [UInt8]) -> Envelope {
        Signing.seal(header(.head(live: live, root: root)), payload: nil, with: key)
    }

    func seal(keyRecord publicKey: [UInt8], label: String) -> Envelope {
        let n = nextN
        return Signing.seal(header(.key(publicKey: publicKey, from: n + 1, label: label)), payload: nil, with: key)
    }
}
