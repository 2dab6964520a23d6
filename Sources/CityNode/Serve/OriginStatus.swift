import Foundation
import Formats
import Replication
import Store

/// What `status` reports about one other origin this node knows (design §6 `origins`).
public struct OriginStatus: Sendable, Hashable {
    /// An origin whose latest head is older than this is reported stale (design §4).
    public static let staleAfterSeconds = 14 * 24 * 3600

    public var origin: String
    /// The label recorded with the trust, else the one in its current profile record.
    public var label: String?
    public var trusted: Bool
    /// Items of this origin held in quarantine.
    public var quarantined: Int
    /// The recomputed root and count of its current records match its latest head, and it has no fork.
    public var complete: Bool
    /// Its latest head was signed more than `staleAfterSeconds` ago.
    public var stale: Bool
    /// `n` of its latest head, if one is held.
    public var headN: Int?
    /// Sequence numbers with fork evidence (plus one for a key fork).
    public var forks: Int

    /// `{"origin","label","trusted","quarantined","complete","stale","headN","forks"}`.
    public var json: JSONValue {
        .object(JSONObject(pairs: [
            ("origin", .string(origin)), ("label", .string(label)), ("trusted", .bool(trusted)), ("quarantined", .int(quarantined)),
            ("complete", .bool(complete)), ("stale", .bool(stale)), ("headN", headN.map { .int($0) } ?? .null), ("forks", .int(forks)),
        ]))
    }
}

extension Node {
    /// Every origin this node knows except its own, sorted by origin id.
    public func originStatuses(now: Int = Int(Date().timeIntervalSince1970)) throws(NodeError) -> [OriginStatus] {
        try read { () throws(StoreError) -> [OriginStatus] in
            let origins = try database.prepare("""
                SELECT o.origin, o.label, o.trusted, o.key_fork_at IS NOT NULL,
                       (SELECT count(*) FROM item i WHERE i.origin = o.origin AND i.quarantine_peer IS NOT NULL),
                       (SELECT count(*) FROM fork f WHERE f.origin = o.origin)
                FROM origin o WHERE o.own = 0 ORDER BY o.origin
                """)
            var result: [OriginStatus] = []
            while try origins.step() {
                let origin = origins.text(0)
                var status = OriginStatus(origin: origin, label: origins.optionalText(1), trusted: origins.int(2) == 1,
                                          quarantined: origins.int(4), complete: false, stale: false, headN: nil,
                                          forks: origins.int(5) + origins.int(3))
                try fillFromRecords(&status, now: now)
                result.append(status)
            }
            return result
        }
    }

    /// Head, completeness, staleness and the profile label from the origin's current items.
    private func fillFromRecords(_ status: inout OriginStatus, now: Int) throws(StoreError) {
        let head = try database.prepare("SELECT header FROM item WHERE origin = ? AND kind = 'head' AND current = 1")
        try head.bind([.text(status.origin)])
        var headBody: (live: Int, root: [UInt8])?
        if try head.step(), let header = try? Header.parse(head.blob(0)), case let .head(live, root) = header.body {
            status.headN = header.n
            status.stale = now - header.at > OriginStatus.staleAfterSeconds
            headBody = (live, root)
        }
        let records = try database.prepare("SELECT subject, n, hash, payload FROM item WHERE origin = ? AND kind = 'record' AND current = 1")
        try records.bind([.text(status.origin)])
        var entries: [HeadRoot.Entry] = []
        while try records.step() {
            guard let subject = Subject(records.text(0)) else { continue }
            entries.append(HeadRoot.Entry(subject: subject, n: records.int(1), headerHash: records.blob(2)))
            if subject == .profile, status.label == nil, !records.isNull(3),
               let profile = try? JSONReader.parse(records.blob(3)), let label = profile["label"]?.stringValue {
                status.label = label
            }
        }
        if let headBody, status.forks == 0 {
            status.complete = headBody.live == entries.count && headBody.root == HeadRoot.compute(entries)
        }
    }
}
