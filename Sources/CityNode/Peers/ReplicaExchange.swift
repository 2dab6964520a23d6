import Crypto
import Foundation
import Formats
import Replication
import Store

/// One entry of the arrival log: its position and the item as it travels.
public struct ArrivalEntry: Sendable, Hashable {
    public let position: Int
    public let origin: String
    public let envelope: Envelope
}

/// What applying one pulled page did.
public struct PageOutcome: Sendable, Hashable {
    /// Items newly accepted or quarantined (not duplicates or stale copies).
    public var received: Int
    /// Per-item results, in page order.
    public var results: [IngestResult]
}

/// What the restore check found (design §6): own-origin records newer than anything this node signed.
public struct RestoreFinding: Sendable, Hashable {
    /// The highest own `n` a peer handed back.
    public let highestN: Int
    /// Subjects whose local data differs from the newer published payloads.
    public let differingSubjects: [String]
}

/// The per-peer facts a sync run records at its end.
public struct PeerRunOutcome: Sendable, Hashable {
    public var succeeded: Bool
    public var errorCode: String?
    /// Next try (Unix seconds) after a failure; nil after a success.
    public var nextTry: Int64?
    public var retryAfter: Int?
    public var pushedThrough: Int?

    public init(succeeded: Bool, errorCode: String? = nil, nextTry: Int64? = nil, retryAfter: Int? = nil, pushedThrough: Int? = nil) {
        self.succeeded = succeeded
        self.errorCode = errorCode
        self.nextTry = nextTry
        self.retryAfter = retryAfter
        self.pushedThrough = pushedThrough
    }
}

/// Reasons for which a pulled item proves the page was damaged in transit: the page is
/// rolled back and the cursor stays, so nothing corrupted is stored and nothing is skipped.
let transitDamageReasons: Set<String> = [
    ReplicationError.Code.malformedEnvelope.rawValue, ReplicationError.Code.malformedHeader.rawValue,
    ReplicationError.Code.badSignature.rawValue, ReplicationError.Code.payloadHashMismatch.rawValue,
    ReplicationError.Code.payloadPresence.rawValue, ReplicationError.Code.invalidPayload.rawValue,
]

extension Node {
    /// Meta keys of the sync layer (`restored` is shared with the epoch check of `serve`).
    enum SyncMetaKey {
        /// Set to `1` while the node is restored and must not publish (design §6).
        static let restored = "restored"
        /// The own `n` up to which restored records were acknowledged by `publish --after-restore`.
        static let restoreAcknowledged = "restore_ack_n"
    }

    /// The arrival log after `position`, oldest first: every current record, head and key record
    /// of trusted origins (quarantine is never relayed), optionally of one `origin` only, up to
    /// about `maxBytes` of envelope bytes and `maxItems` entries (always at least one entry). `more` tells whether
    /// entries were left for the next call. Serves `changes` and the push phase of `sync`.
    public func arrivalLog(after position: Int, origin: String? = nil, maxBytes: Int, maxItems: Int = .max, skippingOrigin: String? = nil,
                           skippingVia: String? = nil) throws(NodeError) -> (entries: [ArrivalEntry], more: Bool) {
        try read { () throws(StoreError) in
            var sql = """
                SELECT i.arrival, i.origin, i.header, i.signature, i.payload FROM item i JOIN origin o ON o.origin = i.origin
                WHERE i.arrival > ?1 AND i.current = 1 AND i.quarantine_peer IS NULL AND (o.trusted = 1 OR o.own = 1)
                """
            var values: [SQLValue] = [.integer(Int64(position))]
            if let origin { values.append(.text(origin)); sql += " AND i.origin = ?\(values.count)" }
            if let skippingOrigin { values.append(.text(skippingOrigin)); sql += " AND i.origin <> ?\(values.count)" }
            if let skippingVia { values.append(.text(skippingVia)); sql += " AND (i.via_peer IS NULL OR i.via_peer <> ?\(values.count))" }
            sql += " ORDER BY i.arrival"
            let stmt = try database.prepare(sql)
            try stmt.bind(values)
            var entries: [ArrivalEntry] = []
            var bytes = 0
            while try stmt.step() {
                let payload = stmt.isNull(4) ? nil : stmt.blob(4)
                let envelope = Envelope(headerBytes: stmt.blob(2), signature: stmt.blob(3), payload: payload)
                let size = (envelope.headerBytes.count + envelope.signature.count + (payload?.count ?? 0)) * 4 / 3 + 16
                if !entries.isEmpty && (bytes + size > maxBytes || entries.count >= maxItems) { return (entries, true) }
                bytes += size
                entries.append(ArrivalEntry(position: stmt.int(0), origin: stmt.text(1), envelope: envelope))
            }
            return (entries, false)
        }
    }

    /// Applies one page pulled from `peer` and, when `cursor` is given, advances that peer's
    /// cursor to it, in one transaction. A page carrying an item damaged in transit (bad
    /// signature, malformed, wrong payload hash) is rolled back whole and throws, so the cursor
    /// never passes unapplied data.
    public func applyPulledPage(_ envelopes: [Envelope], from peer: String, cursor: String?, epoch: String?) throws(NodeError) -> PageOutcome {
        try write { () throws -> PageOutcome in
            let results = try ingestInTransaction(envelopes, relayedBy: peer)
            if let damaged = results.first(where: { $0.status == .rejected && transitDamageReasons.contains($0.reason ?? "") }) {
                throw NodeError(.invalidInput, "peer '\(peer)' sent an item that fails verification (\(damaged.reason ?? "rejected")); nothing of that page was stored")
            }
            let mark = try database.prepare("UPDATE item SET via_peer = ? WHERE origin = ? AND hash = ? AND current = 1")
            var received = 0
            for (envelope, result) in zip(envelopes, results) where result.status == .accepted || result.status == .quarantined {
                received += 1
                guard let header = try? Header.parse(envelope.headerBytes) else { continue }
                try mark.run([.text(peer), .text(header.origin), .blob(envelope.headerHash)])
            }
            if let cursor {
                try database.prepare("UPDATE peer SET cursor = ?, epoch = ? WHERE name = ?").run([.text(cursor), .text(epoch), .text(peer)])
            }
            return PageOutcome(received: received, results: results)
        }
    }

    /// Resets a peer's cursor (its epoch changed) and forgets what it acknowledged, so the next
    /// pull starts at 0 and the reconcile re-offers what it may have lost.
    public func resetPeerCursor(_ peer: String) throws(NodeError) {
        try write { () throws in
            try database.prepare("UPDATE peer SET cursor = '0', epoch = NULL, pushed_through = 0 WHERE name = ?").run([.text(peer)])
        }
    }

    /// Trusted origins whose recomputed root does not match their latest head (design §4
    /// "partial"), forked origins excluded (they are never re-fetched).
    public func partialOrigins() throws(NodeError) -> [String] {
        try read { () throws(StoreError) in
            let heads = try database.prepare("""
                SELECT i.origin, i.header FROM item i JOIN origin o ON o.origin = i.origin
                WHERE i.kind = 'head' AND i.current = 1 AND (o.trusted = 1 OR o.own = 1)
                  AND NOT EXISTS (SELECT 1 FROM fork f WHERE f.origin = i.origin) ORDER BY i.origin
                """)
            var partial: [String] = []
            let records = try database.prepare("SELECT subject, n, hash FROM item WHERE origin = ? AND kind = 'record' AND current = 1")
            while try heads.step() {
                let origin = heads.text(0)
                guard let header = try? Header.parse(heads.blob(1)), case .head(let live, let root) = header.body else { continue }
                records.reset()
                try records.bind([.text(origin)])
                var entries: [HeadRoot.Entry] = []
                while try records.step() {
                    guard let subject = Subject(records.text(0)) else { continue }
                    entries.append(HeadRoot.Entry(subject: subject, n: records.int(1), headerHash: records.blob(2)))
                }
                if entries.count != live || HeadRoot.compute(entries) != root { partial.append(origin) }
            }
            return partial
        }
    }

    /// The `Authorization` value for a request to the server whose origin is `audience` (design §5).
    public func signRequest(audience: String, method: String, pathWithQuery: String, body: [UInt8], now: Int) throws(NodeError) -> String {
        let key = try loadSigningKey()
        let nonce: [UInt8]
        do { nonce = try randomness.bytes(RequestAuthorization.nonceBytes) } catch {
            throw NodeError(.crypto, "no randomness for a request nonce: \(error)")
        }
        return RequestAuthorization.sign(origin: try originID(), key: key, audience: audience, method: method,
                                         pathWithQuery: pathWithQuery, body: body, timestamp: now, nonce: nonce)
    }

    /// Records the end of a run with `peer`: success resets the backoff, failure counts it.
    public func recordPeerRun(_ peer: String, _ outcome: PeerRunOutcome, now: Int64) throws(NodeError) {
        try write { () throws in
            if outcome.succeeded {
                try database.prepare("""
                    UPDATE peer SET failures = 0, next_try = NULL, retry_after = NULL, last_error = NULL, last_success = ?,
                        runs = runs + 1, pushed_through = max(pushed_through, coalesce(?, 0)) WHERE name = ?
                    """).run([.integer(now), outcome.pushedThrough.map { .integer(Int64($0)) } ?? .null, .text(peer)])
            } else {
                try database.prepare("""
                    UPDATE peer SET failures = failures + 1, next_try = ?, retry_after = ?, last_error = ?, runs = runs + 1,
                        pushed_through = max(pushed_through, coalesce(?, 0)) WHERE name = ?
                    """).run([outcome.nextTry.map { .integer($0) } ?? .null, outcome.retryAfter.map { .integer(Int64($0)) } ?? .null,
                              .text(outcome.errorCode), outcome.pushedThrough.map { .integer(Int64($0)) } ?? .null, .text(peer)])
            }
        }
    }

    // MARK: - Restore (design §6)

    /// Looks for own-origin records above everything this node itself signed (peers handed them
    /// back: the database was restored). On a finding, draws a new epoch and sets `restored`.
    public func checkForRestore() throws(NodeError) -> RestoreFinding? {
        let origin = try originID()
        let acknowledged = Int(try meta(SyncMetaKey.restoreAcknowledged) ?? "0") ?? 0
        let (signed, highest) = try read { () throws(StoreError) in
            (try database.scalarInt("SELECT coalesce(max(n), 0) FROM publication_log"),
             try database.scalarInt("SELECT coalesce(max(n), 0) FROM item WHERE origin = ?", [.text(origin)]))
        }
        guard highest > max(signed, acknowledged) else { return nil }
        let differing = try previewPublication().map(\.subject.description)
        try drawNewEpoch(restored: true)
        return RestoreFinding(highestN: highest, differingSubjects: differing)
    }

    /// Refuses to sign while `restored` is set (called by `publish`).
    func refuseWhileRestored() throws(NodeError) {
        if try isRestored() {
            throw NodeError(.invalidInput, "this node was restored from an older state and peers hold newer records of it; re-enter or confirm the data, then run 'citybench publish --after-restore'")
        }
    }

    /// `publish --after-restore`: clears `restored` (the operator confirmed the data) and publishes.
    public func publish(afterRestore: Bool) throws(NodeError) -> PublicationResult {
        if afterRestore {
            let origin = try originID()
            let highest = try read { () throws(StoreError) in
                try database.scalarInt("SELECT coalesce(max(n), 0) FROM item WHERE origin = ?", [.text(origin)])
            }
            try write { () throws in
                try database.prepare("DELETE FROM meta WHERE key = ?").run([.text(SyncMetaKey.restored)])
                try database.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                    .run([.text(SyncMetaKey.restoreAcknowledged), .text(String(highest))])
            }
        }
        return try publish()
    }

    // MARK: - Fresh heads (design §4 completeness)

    /// Unix seconds of the own latest head's `at`, nil if none.
    public func ownLatestHeadTime() throws(NodeError) -> Int? {
        let origin = try originID()
        let bytes: [UInt8]? = try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT header FROM item WHERE origin = ? AND kind = 'head' AND current = 1")
            try stmt.bind([.text(origin)])
            return try stmt.step() ? stmt.blob(0) : nil
        }
        return bytes.flatMap { try? Header.parse($0) }?.at
    }

    /// Signs a fresh head (the next `n`, same `live` and `root`) so peers can tell the origin is alive.
    @discardableResult
    public func publishFreshHead() throws(NodeError) -> Envelope {
        try refuseWhileRestored()
        return try write { () throws -> Envelope in
            let signer = try ownSigner()
            return try signHead(with: signer)
        }
    }
}

extension Node {
    /// Whether records of `origin` are accepted here (own or trusted).
    public func isTrusted(origin: String) throws(NodeError) -> Bool {
        try read { () throws(StoreError) in
            try database.scalarInt("SELECT count(*) FROM origin WHERE origin = ? AND (trusted = 1 OR own = 1)", [.text(origin)]) > 0
        }
    }
}
