import Formats
import Replication
import Store

extension Node {
    /// The latest head of every trusted origin and of this node's own origin, sorted by origin id,
    /// leaving out quarantined ones (design §5 `reconcile`).
    public func trustedHeads() throws(NodeError) -> [HeadsDigest.Head] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("""
                SELECT i.origin, i.n, i.hash FROM item i JOIN origin o ON o.origin = i.origin
                WHERE i.kind = 'head' AND i.current = 1 AND i.quarantine_peer IS NULL AND (o.trusted = 1 OR o.own = 1)
                ORDER BY i.origin
                """)
            var heads: [HeadsDigest.Head] = []
            while try stmt.step() { heads.append(HeadsDigest.Head(origin: stmt.text(0), n: stmt.int(1), headerHash: stmt.blob(2))) }
            return heads
        }
    }
}

/// The two shapes of a `reconcile` request (design §5).
enum ReconcileRequest: Equatable {
    /// `{"digest":B64}`: SHA-256 over the caller's trusted heads.
    case digest([UInt8])
    /// `{"heads":{origin:{"n","hash"}}}`: the caller's heads.
    case heads([HeadsDigest.Head])

    /// Parses a body strictly: exactly one of `digest` or `heads`, well-formed values.
    init?(json: JSONValue, maxHeads: Int) {
        guard let o = json.objectValue, o.count == 1 else { return nil }
        if let digest = o["digest"] {
            guard let text = digest.stringValue, let bytes = Base64URL.decode(text), bytes.count == 32 else { return nil }
            self = .digest(bytes)
            return
        }
        guard let heads = o["heads"]?.objectValue, heads.count <= maxHeads else { return nil }
        var list: [HeadsDigest.Head] = []
        for (origin, value) in heads {
            guard origin.utf8.count == 32, origin.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }),
                  let head = value.objectValue, head.count == 2,
                  let number = head["n"]?.numberValue, number.isInteger, let n = number.intValue, n >= 1, n < Header.sequenceLimit,
                  let hashText = head["hash"]?.stringValue, let hash = Base64URL.decode(hashText), hash.count == 32 else { return nil }
            list.append(HeadsDigest.Head(origin: origin, n: n, headerHash: hash))
        }
        self = .heads(list)
    }

    /// `{"heads":{origin:{"n","hash"}}}` for `heads`, sorted by origin.
    static func headsJSON(_ heads: [HeadsDigest.Head]) -> JSONValue {
        let pairs = heads.sorted { $0.origin < $1.origin }.map { head in
            (head.origin, JSONValue.object(JSONObject(pairs: [("n", .int(head.n)), ("hash", .string(Base64URL.encode(head.headerHash)))])))
        }
        return .object(JSONObject(pairs: [("heads", .object(JSONObject(pairs: pairs)))]))
    }
}
