import Foundation
import Formats
import Replication
import Store

/// The outcome of offering one item, in the order offered (`push` results, pull accounting).
public struct IngestResult: Sendable, Hashable {
    public let status: PushStatus
    /// The `ReplicationError` code (or `quarantine_full`) for `rejected`.
    public let reason: String?

    public init(status: PushStatus, reason: String? = nil) {
        self.status = status
        self.reason = reason
    }

    /// `{"status"[, "reason"]}`.
    public var json: JSONValue {
        var o = JSONObject()
        o["status"] = .string(status.rawValue)
        if let reason { o["reason"] = .string(reason) }
        return .object(o)
    }
}

/// Limits on what untrusted origins relayed by one peer may occupy (design §4 "Trust").
public struct QuarantineLimits: Sendable, Hashable {
    /// Most distinct untrusted origins held per relaying peer.
    public var originsPerPeer = 1_000
    /// Most bytes (headers, signatures, payloads) held per relaying peer.
    public var bytesPerPeer = 64 << 20

    public init(originsPerPeer: Int = 1_000, bytesPerPeer: Int = 64 << 20) {
        self.originsPerPeer = originsPerPeer
        self.bytesPerPeer = bytesPerPeer
    }
}

extension Node {
    /// Offers envelopes received from `relayedBy` (a peer name or origin id; nil for local
    /// tooling) in one write transaction: items of trusted origins merge as usual, validly signed
    /// items of unknown origins go to quarantine (not ranked, not relayed) within
    /// `QuarantineLimits`. Returns one result per envelope, in order.
    public func ingest(_ envelopes: [Envelope], relayedBy: String?, limits: QuarantineLimits = QuarantineLimits()) throws(NodeError) -> [IngestResult] {
        try write { () throws -> [IngestResult] in
            try ingestInTransaction(envelopes, relayedBy: relayedBy, limits: limits)
        }
    }

    /// `ingest` inside the caller's transaction (a sync applies a page and advances its cursor together).
    func ingestInTransaction(_ envelopes: [Envelope], relayedBy: String?, limits: QuarantineLimits = QuarantineLimits()) throws -> [IngestResult] {
        let replica = ReplicaStore(database: database)
        var trust: [String: Bool] = [:]
        var released: Set<String> = []
        var results: [IngestResult] = []
        results.reserveCapacity(envelopes.count)
        for envelope in envelopes {
            let header: Header
            do { header = try Verifier.header(of: envelope) } catch {
                results.append(IngestResult(status: .rejected, reason: error.code.rawValue))
                continue
            }
            let trusted: Bool
            if let known = trust[header.origin] { trusted = known } else {
                trusted = try database.scalarInt("SELECT count(*) FROM origin WHERE origin = ? AND (trusted = 1 OR own = 1)",
                                                 [.text(header.origin)]) > 0
                trust[header.origin] = trusted
            }
            if trusted {
                // A copy that sat in quarantine before the origin was trusted (e.g. trusted by
                // another process) never blocks it: release that origin's quarantine first.
                if released.insert(header.origin).inserted { try releaseQuarantine(origin: header.origin) }
                let r = try replica.offer(envelope, parsed: header)
                results.append(IngestResult(status: r.status, reason: r.reason))
                continue
            }
            // Quarantine: enforce the relaying peer's share before storing anything new.
            let peer = relayedBy ?? "local"
            let known = try database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND quarantine_peer = ?",
                                               [.text(header.origin), .text(peer)]) > 0
            if !known {
                let origins = try database.scalarInt("SELECT count(DISTINCT origin) FROM item WHERE quarantine_peer = ?", [.text(peer)])
                if origins >= limits.originsPerPeer {
                    results.append(IngestResult(status: .rejected, reason: "quarantine_full"))
                    continue
                }
            }
            let bytes = try database.scalarInt("""
                SELECT coalesce(sum(length(header) + length(signature) + coalesce(length(payload), 0)), 0)
                FROM item WHERE quarantine_peer = ?
                """, [.text(peer)])
            let size = envelope.headerBytes.count + envelope.signature.count + (envelope.payload?.count ?? 0)
            if bytes + size > limits.bytesPerPeer {
                results.append(IngestResult(status: .rejected, reason: "quarantine_full"))
                continue
            }
            try database.cached("INSERT OR IGNORE INTO origin (origin, trusted) VALUES (?, 0)").run([.text(header.origin)])
            let r = try replica.offer(envelope, parsed: header)
            if r.status == .rejected || r.status == .duplicate || r.status == .stale {
                results.append(IngestResult(status: r.status, reason: r.reason))
                continue
            }
            try database.cached("UPDATE item SET quarantine_peer = coalesce(quarantine_peer, ?) WHERE origin = ? AND hash = ?")
                .run([.text(peer), .text(header.origin), .blob(envelope.headerHash)])
            results.append(IngestResult(status: .quarantined))
        }
        return results
    }

    /// Trusts `origin` (and optionally records its label), releasing its quarantine in the same
    /// transaction: its current items are re-appended to the arrival log, key records first in
    /// `n` order, so they flow on to peers (design §4 "Trust").
    public func trust(origin: String, label: String?) throws(NodeError) {
        try write { () throws in try trustInTransaction(origin: origin, label: label) }
    }

    func trustInTransaction(origin: String, label: String?) throws {
        try database.prepare("""
            INSERT INTO origin (origin, trusted, label) VALUES (?1, 1, ?2)
            ON CONFLICT (origin) DO UPDATE SET trusted = 1, label = coalesce(?2, origin.label)
            """).run([.text(origin), .text(label)])
        try releaseQuarantine(origin: origin)
    }

    /// Re-appends `origin`'s quarantined current items to the arrival log, key records first in
    /// `n` order, and clears its quarantine; does nothing when none of its items is quarantined.
    func releaseQuarantine(origin: String) throws {
        guard try database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND quarantine_peer IS NOT NULL",
                                     [.text(origin)]) > 0 else { return }
        let replica = ReplicaStore(database: database)
        let stmt = try database.prepare("""
            SELECT id FROM item WHERE origin = ? AND current = 1
            ORDER BY CASE kind WHEN 'key' THEN 0 ELSE 1 END, n
            """)
        try stmt.bind([.text(origin)])
        var ids: [Int] = []
        while try stmt.step() { ids.append(stmt.int(0)) }
        let move = try database.prepare("UPDATE item SET arrival = ?, quarantine_peer = NULL WHERE id = ?")
        for id in ids { try move.run([.integer(try replica.nextArrival()), .integer(id)]) }
        try database.prepare("UPDATE item SET quarantine_peer = NULL WHERE origin = ?").run([.text(origin)])
    }

    /// Stops trusting `origin`: its items stay but go back to quarantine (not ranked, not relayed).
    public func distrust(origin: String) throws(NodeError) {
        try write { () throws in
            try database.prepare("UPDATE origin SET trusted = 0 WHERE origin = ? AND own = 0").run([.text(origin)])
            try database.prepare("UPDATE item SET quarantine_peer = 'local' WHERE origin = ? AND quarantine_peer IS NULL")
                .run([.text(origin)])
        }
    }
}
