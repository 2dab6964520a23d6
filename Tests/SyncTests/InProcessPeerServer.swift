import CityNode
import Crypto
import Formats
import Foundation
import PeerClient
import Replication
import Store

/// A test fake of the peer API of design §5 (`changes`, `push`, `reconcile`) answering directly
/// from a `Node`, with request authentication (signature by a key of the caller's chain, caller
/// trusted here). It lets the sync engine run without sockets.
final class InProcessPeerServer {
    let node: Node
    /// Requests answered so far.
    private(set) var requests = 0

    init(node: Node) { self.node = node }

    func handle(_ request: PeerRequest) -> PeerResponse {
        requests += 1
        let body = request.body ?? []
        guard let auth = request.headers.first(where: { $0.name == "Authorization" }).flatMap({ RequestAuthorization(headerValue: $0.value) }) else {
            return error(401, "unauthorized")
        }
        guard let audience = try? node.originID(), authenticated(auth, audience: audience, request: request, body: body) else {
            return error(401, "unauthorized")
        }
        guard (try? node.isTrusted(origin: auth.origin)) == true else { return error(403, "forbidden") }
        let (path, query) = split(request.path)
        switch (request.method, path) {
        case (.get, "/v1/changes"): return changes(query)
        case (.post, "/v1/push"): return push(body, from: auth.origin)
        case (.post, "/v1/reconcile"): return reconcile(body)
        default: return error(404, "not_found")
        }
    }

    private func authenticated(_ auth: RequestAuthorization, audience: String, request: PeerRequest, body: [UInt8]) -> Bool {
        if let first = (try? node.peer(origin: auth.origin))??.publicKey.flatMap({ Base64URL.decode($0) }),
           let key = try? Ed25519PublicKey(raw: first),
           auth.verify(with: key, audience: audience, method: request.method.rawValue, pathWithQuery: request.path, body: body) {
            return true
        }
        guard let stmt = try? node.database.prepare("SELECT header FROM item WHERE origin = ? AND kind = 'key' AND current = 1"),
              (try? stmt.bind([.text(auth.origin)])) != nil else { return false }
        while (try? stmt.step()) == true {
            guard let header = try? Header.parse(stmt.blob(0)), case .key(let pub, _, _) = header.body,
                  let key = try? Ed25519PublicKey(raw: pub) else { continue }
            if auth.verify(with: key, audience: audience, method: request.method.rawValue, pathWithQuery: request.path, body: body) {
                return true
            }
        }
        return false
    }

    private func changes(_ query: [String: String]) -> PeerResponse {
        guard let current = try? node.currentEpoch(), let since = query["since"] else {
            return error(400, "bad_request")
        }
        let epoch = current.id, highest = current.highestArrival
        var position = 0
        if since != "0" {
            let parts = since.split(separator: ".")
            guard parts.count == 2, let p = Int(parts[1]) else { return error(400, "bad_cursor") }
            guard parts[0] == epoch, p <= highest else {
                let body = JSONObject(pairs: [("error", .object(JSONObject(pairs: [("code", .string("epoch_changed")), ("message", .string("the epoch changed"))]))),
                                              ("epoch", .string(epoch))])
                return PeerResponse(status: 409, body: JSONWriter.bytes(.object(body)))
            }
            position = p
        }
        let limit = query["limit"].flatMap(Int.init) ?? 262_144
        guard let page = try? node.arrivalLog(after: position, origin: query["origin"], maxBytes: limit) else { return error(500, "internal") }
        let next = page.more ? page.entries.last!.position : max(position, highest)
        let body = JSONObject(pairs: [("epoch", .string(epoch)), ("next", .string("\(epoch).\(next)")), ("more", .bool(page.more)),
                                      ("items", .array(page.entries.map(\.envelope.json)))])
        return PeerResponse(status: 200, body: JSONWriter.bytes(.object(body)))
    }

    private func push(_ body: [UInt8], from origin: String) -> PeerResponse {
        guard let json = try? JSONReader.parse(body), let items = json["items"]?.arrayValue else { return error(400, "bad_request") }
        var envelopes: [Envelope] = []
        for item in items {
            guard let e = try? Envelope(json: item) else { return error(400, "bad_request") }
            envelopes.append(e)
        }
        let relay = (try? node.peer(origin: origin))??.name ?? origin
        guard let results = try? node.ingest(envelopes, relayedBy: relay) else { return error(500, "internal") }
        return PeerResponse(status: 200, body: JSONWriter.bytes(.object(JSONObject(pairs: [("results", .array(results.map(\.json)))]))))
    }

    private func reconcile(_ body: [UInt8]) -> PeerResponse {
        guard let json = try? JSONReader.parse(body), let heads = try? node.trustedHeads() else { return error(400, "bad_request") }
        let equal: Bool
        if let digest = json["digest"]?.stringValue {
            equal = Base64URL.decode(digest) == HeadsDigest.compute(heads)
        } else if let theirs = json["heads"]?.objectValue {
            equal = theirs.count == heads.count && heads.allSatisfy {
                theirs[$0.origin]?["hash"]?.stringValue == Base64URL.encode($0.headerHash)
            }
        } else {
            return error(400, "bad_request")
        }
        if equal { return PeerResponse(status: 200, body: Array(#"{"equal":true}"#.utf8)) }
        var o = JSONObject()
        for h in heads { o[h.origin] = .object(JSONObject(pairs: [("n", .int(h.n)), ("hash", .string(Base64URL.encode(h.headerHash)))])) }
        return PeerResponse(status: 200, body: JSONWriter.bytes(.object(JSONObject(pairs: [("heads", .object(o))]))))
    }

    private func split(_ target: String) -> (String, [String: String]) {
        guard let q = target.firstIndex(of: "?") else { return (target, [:]) }
        var query: [String: String] = [:]
        for pair in target[target.index(after: q)...].split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { query[String(kv[0])] = String(kv[1]) }
        }
        return (String(target[..<q]), query)
    }

    private func error(_ status: Int, _ code: String) -> PeerResponse {
        PeerResponse(status: status, body: Array(#"{"error":{"code":"\#(code)","message":"\#(code)"}}"#.utf8))
    }
}
