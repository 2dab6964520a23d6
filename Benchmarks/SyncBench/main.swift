// Benchmark (not a test): sync over real HTTPS on loopback (design §10).
//  1. No-change sync with one peer and a valid cursor: round trips, request bytes (line + headers
//     + body, before TLS) and response body bytes, against the targets 1 / 300 B / 250 B.
//  2. Convergence: N nodes (default 100), each publishing once, each syncing with 2 random peers
//     per round; prints the rounds until every node holds every origin completely (target ≤ 8)
//     and the wall time.
// Usage: bench-sync [NODES] [SEED]
import BenchSupport
import CityNode
import Foundation
import HTTPServer
import Sync
import TestSupport

/// Prints a line at once (unbuffered), so progress shows while a long run goes on, also in a log file.
func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

let arguments = CommandLine.arguments
let nodeCount = arguments.count > 1 ? Int(arguments[1]) ?? 100 : 100
let seed = arguments.count > 2 ? UInt64(arguments[2]) ?? 1 : 1
let root = NSTemporaryDirectory() + "bench-sync-\(getpid())"
try? FileManager.default.removeItem(atPath: root)
try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: root) }

/// One node: its home, a serving `NodeServer` and a client `Node` for sync runs.
final class BenchNode {
    let home: NodeHome
    let server: NodeServer
    let node: Node
    let name: String

    init(index: Int, api: PeerAPIConfiguration) throws {
        name = "city\(index)"
        home = NodeHome(path: root + "/\(name)")
        try NodeInitializer.initialize(home: home, options: InitOptions(city: "Bench City \(index)", country: "DE"))
        server = try NodeServer.start(NodeServerConfiguration(home: home, listen: "127.0.0.1:0", api: api, accessLog: LogSink { _ in }))
        node = try Node(home: home)
    }

    func descriptor() throws -> PeerDescriptor {
        let id = try node.identity()
        return PeerDescriptor(origin: id.origin, label: name, publicKey: id.publicKey, url: server.baseURL, tlsPin: id.tlsPin)
    }
}

var api = PeerAPIConfiguration()
api.rateLimit = nil

// 1. No-change sync.
do {
    let a = try BenchNode(index: 0, api: api), b = try BenchNode(index: 1, api: api)
    try a.node.addPeer(b.descriptor(), name: b.name)
    try b.node.addPeer(a.descriptor(), name: a.name)
    try b.node.setValue(code: "EGOV.ONLINE_SERVICES", period: "2024", value: "42")
    _ = try b.node.publish()
    let engine = SyncEngine(node: a.node)
    _ = try engine.run(force: true)
    _ = try engine.run(force: true)
    let report = try engine.run(force: true)
    let p = report.peers[0]
    say("no-change sync, one peer: state \(p.state.rawValue), \(p.roundTrips) round trip(s) (target 1), request \(p.requestBytes) B (target ≤ 300), response body \(p.responseBytes) B (target ≤ 250), \(p.milliseconds) ms")
    a.server.shutdown()
    b.server.shutdown()
}

// 2. Convergence.
var g = SeededGenerator(seed: seed)
say("starting \(nodeCount) nodes on loopback…")
let setupStart = Date()
var nodes: [BenchNode] = []
for i in 0..<nodeCount { nodes.append(try BenchNode(index: i + 2, api: api)) }
let descriptors = try nodes.map { try $0.descriptor() }
for (i, n) in nodes.enumerated() {
    for (j, d) in descriptors.enumerated() where j != i { try n.node.addPeer(d, name: nodes[j].name) }
    try n.node.setValue(code: "EGOV.ONLINE_SERVICES", period: "2024", value: "\(i)")
    _ = try n.node.publish()
}
say(String(format: "setup: %.1f s", Date().timeIntervalSince(setupStart)))

/// Whether node `i` holds a complete replica of every origin.
func complete(_ n: BenchNode) throws -> Bool {
    let heads = try n.node.trustedHeads()
    let partial = try n.node.partialOrigins()
    return heads.count == nodeCount && partial.isEmpty
}

let start = Date()
var rounds = 0
var failures = 0
while rounds < 20 {
    rounds += 1
    for (i, n) in nodes.enumerated() {
        var picked: Set<Int> = []
        while picked.count < 2 {
            let j = Int(g.next() % UInt64(nodeCount))
            if j != i { picked.insert(j) }
        }
        let engine = SyncEngine(node: n.node)
        for j in picked.sorted() {
            let report = try engine.run(peerName: nodes[j].name, force: true)
            failures += report.peers.filter { $0.state == .failed }.count
        }
    }
    let done = try nodes.filter { try complete($0) }.count
    say(String(format: "round %d: %d of %d nodes complete, %.1f s", rounds, done, nodeCount, Date().timeIntervalSince(start)))
    if done == nodeCount { break }
}
say(String(format: "convergence: %d nodes, 2 random peers per round: all complete after %d rounds (target ≤ 8) in %.1f s; %d failed peer runs",
             nodeCount, rounds, Date().timeIntervalSince(start), failures))
for n in nodes { n.server.shutdown() }
