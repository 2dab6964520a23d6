import Formats
import Replication
import Store

/// The replicated store on SQLite (design §4–5): applies `MergeEngine` decisions to the `item`
/// table, keeps the arrival log and fork evidence. The merge logic itself lives in
/// `Replication`; this type only reads the facts the decision needs and writes its changes.
/// Callers wrap calls in a write transaction (`Node.write`), so a batch applies wholly or not.
final class ReplicaStore {
    let database: Database
    /// Key chains read for origins during this store's use (one batch, inside one transaction),
    /// dropped whenever a change touches an origin's key records.
    private var chains: [String: KeyChain] = [:]
    /// The last arrival position handed out, once read from `meta`.
    private var lastArrival: Int64?

    init(database: Database) { self.database = database }

    /// Offers one envelope from a trusted source; returns the status and, for `rejected`, the reason.
    /// `parsed` is the envelope's header when the caller has already parsed it (saves a parse).
    func offer(_ envelope: Envelope, parsed: Header? = nil) throws(StoreError) -> (status: PushStatus, reason: String?) {
        let header: Header
        if let parsed { header = parsed } else {
            do { header = try Verifier.header(of: envelope) } catch {
                return (.rejected, error.code.rawValue)
            }
        }
        let chain: KeyChain
        if let known = chains[header.origin] { chain = known } else {
            chain = try SQLOriginView.chain(database, origin: header.origin)
            chains[header.origin] = chain
        }
        let view = try SQLOriginView.load(database, origin: header.origin, n: header.n, subject: header.subject, chain: chain)
        let decision = MergeEngine.decide(envelope, header: header, view: view)
        var changes = decision.changes[...]
        while let change = changes.popFirst() {
            if change.touchesKeys { chains[header.origin] = nil }
            // A new item that at once becomes current is written in one row insert: inserting it
            // and then updating it would write its payload (tens of kilobytes) to the WAL twice.
            if case .recordSeen(let seen) = change, let next = changes.first, let (item, replacing) = next.madeCurrent,
               item.n == seen.n, item.headerHash == seen.headerHash {
                changes.removeFirst()
                if next.touchesKeys { chains[header.origin] = nil }
                if let replacing { try retire(replacing, origin: header.origin) }
                try insertCurrent(item, origin: header.origin)
                continue
            }
            try apply(change, origin: header.origin)
        }
        return (decision.status, decision.reason)
    }

    /// The next position in the arrival log. The counter is read from `meta` once per store and
    /// kept in memory; `meta` is still updated each time, so a store may be dropped at any point.
    func nextArrival() throws(StoreError) -> Int64 {
        let next: Int64
        if let lastArrival { next = lastArrival + 1 } else {
            next = Int64(try database.scalarInt("SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'arrival'), 0) + 1"))
        }
        try database.cached("INSERT INTO meta (key, value) VALUES ('arrival', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .run([.text(String(next))])
        lastArrival = next
        return next
    }

    private func apply(_ change: MergeEngine.Change, origin: String) throws(StoreError) {
        switch change {
        case .recordSeen(let item):
            try database.cached("""
                INSERT OR IGNORE INTO item (origin, n, hash, kind, subject, kid, header, signature)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).run([.text(origin), .integer(item.n), .blob(item.headerHash), .text(item.header.kind.rawValue),
                          .text(item.header.subject?.description), .text(item.header.keyID),
                          .blob(item.envelope.headerBytes), .blob(item.envelope.signature)])
        case .addKey(let item, _):
            try makeCurrent(item, origin: origin)
        case .setCurrent(let item, let replacing), .setHead(let item, let replacing):
            if let old = replacing { try retire(old, origin: origin) }
            try makeCurrent(item, origin: origin)
        case .markFork(let n):
            try database.cached("INSERT OR IGNORE INTO fork (origin, n) VALUES (?, ?)").run([.text(origin), .integer(n)])
        case .revalidate(let from):
            let chain = try SQLOriginView.chain(database, origin: origin)
            let rows = try database.cached("SELECT id, header FROM item WHERE origin = ? AND n >= ?")
            try rows.bind([.text(origin), .integer(from)])
            var invalid: [Int] = []
            defer { rows.reset() }
            while try rows.step() {
                guard let header = try? Header.parse(rows.blob(1)), chain.stillValid(header) else {
                    invalid.append(rows.int(0))
                    continue
                }
            }
            let delete = try database.cached("DELETE FROM item WHERE id = ?")
            for id in invalid { try delete.run([.integer(id)]) }
            try database.cached("""
                DELETE FROM fork WHERE origin = ?1 AND n >= ?2
                  AND (SELECT count(*) FROM item WHERE item.origin = fork.origin AND item.n = fork.n) < 2
                """).run([.text(origin), .integer(from)])
            if let point = chain.forkPoint {
                try database.cached("UPDATE origin SET key_fork_at = ? WHERE origin = ?").run([.integer(point), .text(origin)])
            }
        }
    }

    /// Inserts a header not seen before as the current item, with its payload and arrival (the
    /// effect of `recordSeen` followed by `setCurrent`, `setHead` or `addKey`).
    private func insertCurrent(_ item: VerifiedItem, origin: String) throws(StoreError) {
        let arrival = try nextArrival()
        try database.cached("""
            INSERT INTO item (origin, n, hash, kind, subject, kid, header, signature, current, payload, arrival)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
            ON CONFLICT (origin, n, hash) DO UPDATE SET current = 1, payload = excluded.payload, arrival = excluded.arrival
            """).run([.text(origin), .integer(item.n), .blob(item.headerHash), .text(item.header.kind.rawValue),
                      .text(item.header.subject?.description), .text(item.header.keyID),
                      .blob(item.envelope.headerBytes), .blob(item.envelope.signature),
                      item.envelope.payload.map { .blob($0) } ?? .null, .integer(arrival)])
    }

    private func makeCurrent(_ item: VerifiedItem, origin: String) throws(StoreError) {
        let arrival = try nextArrival()
        try database.cached("UPDATE item SET current = 1, payload = ?, arrival = ? WHERE origin = ? AND n = ? AND hash = ?")
            .run([item.envelope.payload.map { .blob($0) } ?? .null, .integer(arrival), .text(origin),
                  .integer(item.n), .blob(item.headerHash)])
    }

    private func retire(_ ref: HeaderRef, origin: String) throws(StoreError) {
        try database.cached("UPDATE item SET current = 0, payload = NULL, arrival = NULL WHERE origin = ? AND n = ? AND hash = ?")
            .run([.text(origin), .integer(ref.n), .blob(ref.headerHash)])
    }
}

/// What the merge needs to know about one origin, read from SQLite for one incoming item.
struct SQLOriginView: OriginView {
    let chain: KeyChain
    let maxAcceptedN: Int
    let head: HeaderRef?
    private let subject: Subject?
    private let subjectCurrent: HeaderRef?
    private let n: Int
    private let seen: [[UInt8]]

    func current(_ subject: Subject) -> HeaderRef? {
        precondition(subject == self.subject, "SQLOriginView was loaded for another subject")
        return subjectCurrent
    }

    func seenHashes(at n: Int) -> [[UInt8]] {
        precondition(n == self.n, "SQLOriginView was loaded for another sequence number")
        return seen
    }

    /// Reads the view; `chain` may be passed when the caller already holds the origin's current chain.
    static func load(_ db: Database, origin: String, n: Int, subject: Subject?, chain known: KeyChain? = nil) throws(StoreError) -> SQLOriginView {
        let chain: KeyChain
        if let known { chain = known } else { chain = try Self.chain(db, origin: origin) }
        // The highest n held, the current head and the subject's current item in one step.
        let facts = try db.cached("""
            SELECT (SELECT coalesce(max(n), 0) FROM item WHERE origin = ?1),
                   h.n, h.hash, c.n, c.hash
            FROM (SELECT 1)
            LEFT JOIN item h ON h.origin = ?1 AND h.kind = 'head' AND h.current = 1
            LEFT JOIN item c ON c.origin = ?1 AND c.kind = 'record' AND c.subject = ?2 AND c.current = 1
            """)
        try facts.bind([.text(origin), .text(subject?.description)])
        guard try facts.step() else { facts.reset(); throw StoreError(.sqlite, "the merge facts query returned no row") }
        let maxN = facts.int(0)
        let head = facts.isNull(1) ? nil : HeaderRef(n: facts.int(1), headerHash: facts.blob(2))
        let subjectCurrent = subject == nil || facts.isNull(3) ? nil : HeaderRef(n: facts.int(3), headerHash: facts.blob(4))
        facts.reset()
        var seen: [[UInt8]] = []
        // Beyond the highest n held nothing is stored yet (the usual case for a new record).
        if n <= maxN {
            let stmt = try db.cached("SELECT hash FROM item WHERE origin = ? AND n = ?")
            try stmt.bind([.text(origin), .integer(n)])
            while try stmt.step() { seen.append(stmt.blob(0)) }
        }
        return SQLOriginView(chain: chain, maxAcceptedN: maxN, head: head, subject: subject, subjectCurrent: subjectCurrent, n: n, seen: seen)
    }

    /// The origin's key chain from its stored key records.
    static func chain(_ db: Database, origin: String) throws(StoreError) -> KeyChain {
        var chain = KeyChain(origin: origin)
        let stmt = try db.cached("SELECT header, hash FROM item WHERE origin = ? AND kind = 'key' AND current = 1 ORDER BY n")
        try stmt.bind([.text(origin)])
        while try stmt.step() {
            guard let header = try? Header.parse(stmt.blob(0)),
                  let entry = KeyChain.Entry(verifiedKeyRecord: header, headerHash: stmt.blob(1)) else { continue }
            chain.insert(entry)
        }
        return chain
    }
}

extension MergeEngine.Change {
    /// The item this change makes current (and what it replaces), if it is one that does.
    var madeCurrent: (item: VerifiedItem, replacing: HeaderRef?)? {
        switch self {
        case .addKey(let item, _): (item, nil)
        case .setCurrent(let item, let replacing), .setHead(let item, let replacing): (item, replacing)
        case .recordSeen, .markFork, .revalidate: nil
        }
    }

    /// True if applying the change may alter the origin's stored key chain (key records, forks,
    /// revalidation), so a cached chain must be read again.
    var touchesKeys: Bool {
        switch self {
        case .recordSeen(let item), .setCurrent(let item, _), .setHead(let item, _): return item.header.kind == .key
        case .addKey, .markFork, .revalidate: return true
        }
    }
}
