import CityNode
import Foundation
import HTTPServer
import PeerClient
import Sync
import TestSupport

/// City nodes in temporary homes, each serving the real peer API over HTTPS on 127.0.0.1 (a
/// free port, its own self-signed certificate, pinned by its peers), synced by the real engine
/// over libcurl. Servers stop when released.
final class LoopbackFederation {
    let dir = TemporaryDirectory(prefix: "loopback")
    private(set) var homes: [NodeHome] = []
    private(set) var nodes: [Node] = []
    private(set) var servers: [NodeServer] = []
    private(set) var names: [String] = []

    init(count: Int, seed: UInt64, api: PeerAPIConfiguration = PeerAPIConfiguration()) throws {
        let random = SharedSeededGenerator(seed: seed)
        for i in 0..<count {
            let name = i < Federation.cities.count ? Federation.cities[i] : "City\(i)"
            let home = NodeHome(path: dir.file("n\(i)"))
            let randomness = Federation.randomness(random)
            try NodeInitializer.initialize(home: home, options: InitOptions(city: name, country: "DE"), randomness: randomness)
            let server = try NodeServer.start(NodeServerConfiguration(home: home, listen: "127.0.0.1:0", api: api,
                                                                      accessLog: LogSink { _ in }))
            homes.append(home)
            servers.append(server)
            nodes.append(try Node(home: home, randomness: randomness))
            names.append(name)
        }
    }

    deinit { for s in servers { s.shutdown() } }

    /// The descriptor of node `j` with its real loopback URL and pin.
    func descriptor(_ j: Int) throws -> PeerDescriptor {
        let id = try nodes[j].identity()
        return PeerDescriptor(origin: id.origin, label: id.label, publicKey: id.publicKey, url: servers[j].baseURL, tlsPin: id.tlsPin)
    }

    func connect(_ i: Int, _ j: Int) throws { try nodes[i].addPeer(descriptor(j), name: names[j]) }
    func trust(_ i: Int, _ j: Int) throws { try nodes[i].trustPeer(descriptor(j), name: names[j]) }

    @discardableResult
    func sync(_ i: Int, with j: Int? = nil) throws -> SyncReport {
        try SyncEngine(node: nodes[i]).run(peerName: j.map { names[$0] }, force: true)
    }

    func publish(_ i: Int, code: String, period: String, value: String) throws {
        try nodes[i].setValue(code: code, period: period, value: value)
        _ = try nodes[i].publish()
    }

    func current(_ i: Int, of origin: Int) throws -> Set<String> {
        let o = try nodes[origin].originID()
        let stmt = try nodes[i].database.prepare("SELECT n || ' ' || hex(hash) FROM item WHERE current = 1 AND quarantine_peer IS NULL AND origin = ?")
        try stmt.bind([.text(o)])
        var out: Set<String> = []
        while try stmt.step() { out.insert(stmt.text(0)) }
        return out
    }
}
