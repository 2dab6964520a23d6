import Formats
import Replication

/// The JSON bodies of the peer protocol as the client sends and reads them (design §5).
/// Reading is strict (the `JSONReader` rejects duplicate keys and bad UTF-8); a body that does
/// not have the documented shape is a `bad_response`, and nothing of it is applied.
enum SyncWire {
    /// One `changes` page.
    struct ChangesPage {
        var epoch: String
        var next: String
        var more: Bool
        var items: [Envelope]
    }

    static func changesPage(_ body: [UInt8], peer: String) throws(SyncError) -> ChangesPage {
        // A page laid out as nodes write it is read in place; any other goes through the JSON tree.
        if let fast = EnvelopeList.changesPage(body, maxItems: JSONReader.Limits().maxContainerCount) {
            try checkCursor(fast.next, epoch: fast.epoch, peer: peer)
            return ChangesPage(epoch: fast.epoch, next: fast.next, more: fast.more, items: fast.items)
        }
        let json = try parse(body, peer: peer)
        guard let epoch = json["epoch"]?.stringValue, let next = json["next"]?.stringValue,
              let more = json["more"]?.boolValue, let items = json["items"]?.arrayValue else {
            throw SyncError.badResponse(peer, "a changes page without epoch, next, more and items")
        }
        try checkCursor(next, epoch: epoch, peer: peer)
        var envelopes: [Envelope] = []
        envelopes.reserveCapacity(items.count)
        for item in items {
            do { envelopes.append(try Envelope(json: item)) } catch {
                throw SyncError.badResponse(peer, "an item that is not an envelope: \(error.message)")
            }
        }
        return ChangesPage(epoch: epoch, next: next, more: more, items: envelopes)
    }

    /// A page's `next` must be `<epoch>.<position>` of the page's own epoch.
    private static func checkCursor(_ next: String, epoch: String, peer: String) throws(SyncError) {
        guard next.hasPrefix(epoch + "."), Int(next.dropFirst(epoch.count + 1)) != nil else {
            throw SyncError.badResponse(peer, "a changes cursor that is not <epoch>.<position>")
        }
    }

    /// The error code of an error body (`{"error":{"code","message"}}`), if it is one.
    static func errorCode(_ body: [UInt8]) -> String? {
        (try? JSONReader.parse(body))?["error"]?["code"]?.stringValue
    }

    static func pushBody(_ items: [Envelope]) -> [UInt8] {
        JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(items.map(\.json)))])))
    }

    /// The `results` of a push answer, one status per item.
    static func pushResults(_ body: [UInt8], count: Int, peer: String) throws(SyncError) -> [(status: String, reason: String?)] {
        let json = try parse(body, peer: peer)
        guard let results = json["results"]?.arrayValue, results.count == count else {
            throw SyncError.badResponse(peer, "a push answer without one result per item")
        }
        var out: [(String, String?)] = []
        for r in results {
            guard let status = r["status"]?.stringValue, PushStatus(rawValue: status) != nil else {
                throw SyncError.badResponse(peer, "a push result with an unknown status")
            }
            out.append((status, r["reason"]?.stringValue))
        }
        return out
    }

    static func digestBody(_ digest: [UInt8]) -> [UInt8] {
        JSONWriter.bytes(.object(JSONObject(pairs: [("digest", .string(Base64URL.encode(digest)))])))
    }

    static func headsBody(_ heads: [HeadsDigest.Head]) -> [UInt8] {
        var o = JSONObject()
        for h in heads {
            o[h.origin] = .object(JSONObject(pairs: [("n", .int(h.n)), ("hash", .string(Base64URL.encode(h.headerHash)))]))
        }
        return JSONWriter.bytes(.object(JSONObject(pairs: [("heads", .object(o))])))
    }

    /// A reconcile answer: nil for `{"equal":true}`, else the peer's heads by origin.
    static func reconcileAnswer(_ body: [UInt8], peer: String) throws(SyncError) -> [String: HeadsDigest.Head]? {
        let json = try parse(body, peer: peer)
        if json["equal"]?.boolValue == true { return nil }
        guard let heads = json["heads"]?.objectValue else {
            throw SyncError.badResponse(peer, "a reconcile answer without equal or heads")
        }
        var out: [String: HeadsDigest.Head] = [:]
        for (origin, value) in heads {
            guard origin.utf8.count == 32, let n = value["n"]?.numberValue?.intValue,
                  let hash = value["hash"]?.stringValue.flatMap({ Base64URL.decode($0) }), hash.count == 32 else {
                throw SyncError.badResponse(peer, "a reconcile head that is not {n, hash}")
            }
            out[origin] = HeadsDigest.Head(origin: origin, n: n, headerHash: hash)
        }
        return out
    }

    private static func parse(_ body: [UInt8], peer: String) throws(SyncError) -> JSONValue {
        do { return try JSONReader.parse(body) } catch {
            throw SyncError.badResponse(peer, "invalid JSON: \(error.message)")
        }
    }
}
