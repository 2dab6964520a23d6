import Crypto
import Foundation
import Formats
import HTTPServer
import Replication
import Store
import TestSupport
@testable import CityNode

/// A node made by the real initializer in a temporary home, with seeded randomness.
final class TestNode {
    let dir = TemporaryDirectory(prefix: "server-node")
    let home: NodeHome
    let node: Node
    let origin: String
    let signingKey: Ed25519SigningKey
    let firstPublicKey: [UInt8]

    init(city: String, seed: UInt64, pseudonymous: Bool = false) throws {
        home = NodeHome(path: dir.file("home"))
        let random = SharedSeededGenerator(seed: seed)
        let randomness = NodeRandomness(
            laplace: {
                let p = random.unit() - 0.5
                return p < 0 ? log(1 + 2 * p) : -log(1 - 2 * p)
            },
            bytes: { count in (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) } })
        try NodeInitializer.initialize(home: home, options: InitOptions(city: city, country: "DE", pseudonymous: pseudonymous),
                                       randomness: randomness)
        node = try Node(home: home, randomness: randomness)
        let identity = try node.identity()
        origin = identity.origin
        firstPublicKey = Base64URL.decode(identity.publicKey)!
        signingKey = try node.loadSigningKey()
    }

    /// Sets KPI values and publishes; returns the new records and head.
    @discardableResult
    func publish(_ values: [(String, String, String)]) throws -> [Envelope] {
        for (code, period, value) in values { try node.setValue(code: code, period: period, value: value) }
        let result = try node.publish()
        return result.records + (result.head.map { [$0] } ?? [])
    }

    /// Everything this node has published so far that `changes` would serve, key records first.
    func everything() throws -> [Envelope] {
        let stmt = try node.database.prepare("""
            SELECT header, signature, payload FROM item WHERE origin = ? AND arrival IS NOT NULL
            ORDER BY CASE kind WHEN 'key' THEN 0 ELSE 1 END, n
            """)
        try stmt.bind([.text(origin)])
        var out: [Envelope] = []
        while try stmt.step() {
            out.append(Envelope(headerBytes: stmt.blob(0), signature: stmt.blob(1), payload: stmt.isNull(2) ? nil : stmt.blob(2)))
        }
        return out
    }
}

/// A real `NodeServer` on 127.0.0.1 (plain HTTP, a free port) over a fresh node, plus helpers to
/// sign requests as other test nodes. Shut down when released.
final class RunningServer {
    let host: TestNode
    let server: NodeServer
    private var nonceCounter: UInt64 = 0

    init(city: String = "Braunschweig", seed: UInt64 = 1, pseudonymous: Bool = false,
         api: PeerAPIConfiguration = PeerAPIConfiguration(), configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        host = try TestNode(city: city, seed: seed, pseudonymous: pseudonymous)
        var http = ServerConfiguration()
        configure(&http)
        server = try NodeServer.start(NodeServerConfiguration(
            home: host.home, listen: "127.0.0.1:0", plainHTTP: true, http: http, api: api, accessLog: LogSink { _ in }))
    }

    deinit { server.shutdown() }

    var port: UInt16 { server.port }

    /// Trusts `client` as `peer add` would: the trust and its first public key, no key record yet.
    func trust(_ client: TestNode) throws {
        try host.node.database.prepare("""
            INSERT INTO origin (origin, trusted, first_key) VALUES (?1, 1, ?2)
            ON CONFLICT (origin) DO UPDATE SET trusted = 1, first_key = ?2
            """).run([.text(client.origin), .blob(client.firstPublicKey)])
    }

    /// A request signed as `client` for this server (audience = its origin).
    func signed(_ client: TestNode, _ method: String, _ target: String, body: [UInt8] = [],
                timestamp: Int = Int(Date().timeIntervalSince1970), nonce: [UInt8]? = nil,
                audience: String? = nil) -> LoopbackHTTP.Response? {
        let value = authorization(client, method, target, body: body, timestamp: timestamp, nonce: nonce, audience: audience)
        return LoopbackHTTP.request(port: port, method: method, target: target, headers: [("Authorization", value)], body: body)
    }

    func authorization(_ client: TestNode, _ method: String, _ target: String, body: [UInt8] = [],
                       timestamp: Int = Int(Date().timeIntervalSince1970), nonce: [UInt8]? = nil, audience: String? = nil) -> String {
        nonceCounter += 1
        let n = nonce ?? (HeadRoot.bigEndian8(Int(nonceCounter)) + Array(client.origin.utf8.prefix(8)))
        return RequestAuthorization.sign(origin: client.origin, key: client.signingKey, audience: audience ?? server.origin,
                                         method: method, pathWithQuery: target, body: body, timestamp: timestamp, nonce: n)
    }

    /// `POST /v1/push` of `items` as `client`.
    func push(_ client: TestNode, _ items: [Envelope]) -> LoopbackHTTP.Response? {
        signed(client, "POST", "/v1/push", body: JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(items.map(\.json)))]))))
    }

    /// The statuses of a push response, in order.
    static func statuses(_ response: LoopbackHTTP.Response?) -> [String] {
        guard let response, let json = try? JSONReader.parse(response.body), let results = json["results"]?.arrayValue else { return [] }
        return results.map { $0["status"]?.stringValue ?? "?" }
    }

    /// Every envelope `changes` serves from the beginning, paged with `limit`, as JSON strings.
    func allChanges(as client: TestNode, limit: Int = 262_144, origin: String? = nil) throws -> [String] {
        var cursor = "0"
        var items: [String] = []
        for _ in 0..<10_000 {
            var target = "/v1/changes?since=\(cursor)&limit=\(limit)"
            if let origin { target += "&origin=\(origin)" }
            guard let response = signed(client, "GET", target), response.status == 200 else {
                throw FixtureError("changes answered \(String(describing: signed(client, "GET", target)))")
            }
            let page = try JSONReader.parse(response.body)
            items += (page["items"]?.arrayValue ?? []).map { JSONWriter.string($0) }
            cursor = page["next"]?.stringValue ?? ""
            if page["more"]?.boolValue != true { return items }
        }
        throw FixtureError("changes never ended")
    }

    /// Rows, arrivals and bytes of the replicated store and the origin table: equal fingerprints
    /// mean a request changed nothing.
    func fingerprint() throws -> String {
        let db = host.node.database
        return [try db.scalarText("SELECT count(*) || '/' || coalesce(max(arrival), 0) || '/' || coalesce(sum(length(header) + coalesce(length(payload), 0)), 0) FROM item"),
                try db.scalarText("SELECT count(*) || '/' || coalesce(sum(trusted), 0) FROM origin"),
                try db.scalarText("SELECT coalesce((SELECT value FROM meta WHERE key = 'arrival'), '0')")].joined(separator: " ")
    }

    /// The server still answers a normal client.
    var answersHealth: Bool { LoopbackHTTP.request(port: port, method: "GET", target: "/v1/health")?.status == 200 }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
