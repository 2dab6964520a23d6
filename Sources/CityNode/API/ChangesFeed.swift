import Formats
import Store

/// One page of `GET /v1/changes` (design §5), already serialised.
public struct ChangesPage: Sendable, Hashable {
    public let epoch: String
    /// The cursor for the next call.
    public let next: String
    /// Whether more items were available than fit the byte limit.
    public let more: Bool
    /// The envelopes in arrival order, each as compact JSON bytes.
    public let items: [[UInt8]]

    /// `{"epoch","next","more","items":[envelopes]}`.
    public var json: [UInt8] {
        var out = Array("{\"epoch\":\"".utf8) + Array(epoch.utf8) + Array("\",\"next\":\"".utf8) + Array(next.utf8)
        out += Array((more ? "\",\"more\":true,\"items\":[" : "\",\"more\":false,\"items\":[").utf8)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(0x2C) }
            out += item
        }
        out += Array("]}".utf8)
        return out
    }
}

/// What `changes` found: a page, or a cursor this node cannot serve.
public enum ChangesOutcome: Sendable, Hashable {
    case page(ChangesPage)
    /// The cursor names another epoch, or a position beyond the highest arrival (a restored node).
    case epochChanged(current: String)
}

extension Node {
    /// Every current record, head and key record of trusted (and the own) origins that arrived
    /// after `cursor`, oldest first, up to `limitBytes` of envelope JSON (one larger item is sent
    /// alone, so the feed always advances). Quarantined items are never served. The highest
    /// arrival is read before the items, so a commit in between can only add served items after
    /// it, and `next` never skips one.
    public func changes(since cursor: ChangesCursor, limitBytes: Int, origin: String?) throws(NodeError) -> ChangesOutcome {
        try read { () throws(StoreError) -> ChangesOutcome in
            try changesInSnapshot(since: cursor, limitBytes: limitBytes, origin: origin)
        }
    }

    /// The answer `changes` would give when the database is as the epoch memo saw it, for an
    /// up-to-date cursor (an empty page) or one of another epoch (`epochChanged`); nil when that
    /// is not certain or the log must be read. No SQLite call and no system call, so an event
    /// loop may ask (the usual scheduled sync of a peer that has everything ends here).
    func changesFromMemo(since cursor: ChangesCursor) -> ChangesOutcome? {
        guard let stamp = database.quickChangeStamp(), let memo = epochMemo, memo.stamp == stamp else { return nil }
        return Node.answerWithoutLog(since: cursor, epoch: memo.epoch)
    }

    /// The answer to `cursor` that needs no read of the log: `epochChanged` for another epoch or
    /// a position beyond the highest arrival, an empty page for an up-to-date cursor.
    private static func answerWithoutLog(since cursor: ChangesCursor, epoch: ArrivalEpoch) -> ChangesOutcome? {
        var position = 0
        if case let .position(id, pos) = cursor {
            guard id == epoch.id, pos <= epoch.highestArrival else { return .epochChanged(current: epoch.id) }
            position = pos
        }
        // No position is handed out beyond the highest arrival, so a caller that is up to date
        // (the usual scheduled sync) is answered without reading the log.
        guard position == epoch.highestArrival else { return nil }
        return .page(ChangesPage(epoch: epoch.id, next: "\(epoch.id).\(position)", more: false, items: []))
    }

    private func changesInSnapshot(since cursor: ChangesCursor, limitBytes: Int, origin: String?) throws(StoreError) -> ChangesOutcome {
        let epoch = try epochForChanges()
        if let answer = Node.answerWithoutLog(since: cursor, epoch: epoch) { return answer }
        var position = 0
        if case let .position(_, pos) = cursor { position = pos }
        var sql = """
            SELECT i.arrival, i.header, i.signature, i.payload FROM item i JOIN origin o ON o.origin = i.origin
            WHERE i.arrival > ?1 AND i.quarantine_peer IS NULL AND (o.trusted = 1 OR o.own = 1)
            """
        if origin != nil { sql += " AND i.origin = ?2" }
        sql += " ORDER BY i.arrival"
        let stmt = try cachedStatement(sql)
        defer { stmt.reset() }
        try stmt.bind([.integer(Int64(position))] + (origin.map { [SQLValue.text($0)] } ?? []))
        var items: [[UInt8]] = []
        var bytes = 0
        var last = position
        var more = false
        while try stmt.step() {
            let item = ChangesPage.envelopeJSON(header: stmt.blob(1), signature: stmt.blob(2),
                                                payload: stmt.isNull(3) ? nil : stmt.blob(3))
            if !items.isEmpty && bytes + item.count + 1 > limitBytes {
                more = true
                break
            }
            bytes += item.count + 1
            items.append(item)
            last = stmt.int(0)
        }
        // Past the end, the cursor moves to the highest arrival: positions in between belong to
        // items not served (quarantined, untrusted, another origin), which get new positions if
        // they are ever released.
        let next = more ? last : max(last, epoch.highestArrival)
        return .page(ChangesPage(epoch: epoch.id, next: "\(epoch.id).\(next)", more: more, items: items))
    }
}

extension Node {
    /// `epochInDatabase()`, memoised per database change stamp: the epoch and the highest
    /// arrival change only with a commit, which moves the stamp.
    func epochForChanges() throws(StoreError) -> ArrivalEpoch {
        let stamp = try database.changeStamp()
        if let memo = epochMemo, memo.stamp == stamp { return memo.epoch }
        let epoch = try epochInDatabase()
        epochMemo = (stamp, epoch)
        return epoch
    }
}

extension ChangesPage {
    /// `{"h":…,"s":…[,"p":…]}` written directly (the same bytes `Envelope.json` gives).
    static func envelopeJSON(header: [UInt8], signature: [UInt8], payload: [UInt8]?) -> [UInt8] {
        var out = Array("{\"h\":\"".utf8)
        out += Array(Base64URL.encode(header).utf8)
        out += Array("\",\"s\":\"".utf8)
        out += Array(Base64URL.encode(signature).utf8)
        if let payload {
            out += Array("\",\"p\":\"".utf8)
            out += Array(Base64URL.encode(payload).utf8)
        }
        out += Array("\"}".utf8)
        return out
    }
}
