import CityNode
import Foundation
import PeerClient
import Replication
import Store
import Sync
import TestSupport

/// Several nodes in temporary homes, each served in-process, synced by the real engine through
/// `InProcessTransport`. Randomness is seeded; the clock is a counter the test advances.
final class Federation {
    let dir = TemporaryDirectory(prefix: "federation")
    private(set) var nodes: [Node] = []
    private(set) var servers: [String: InProcessPeerServer] = [:]
    private(set) var names: [String] = []
    let random: SharedSeededGenerator
    /// Unix seconds the engines see; tests advance it to leave backoff.
    var now: Int64 {
        get { clock.value }
        set { clock.value = newValue }
    }
    private let clock = ManualClock(Int64(Date().timeIntervalSince1970))
    /// Chooses a fault for an exchange from node `client` to peer `server` (indices).
    var faults: (_ client: Int, _ server: Int, _ request: PeerRequest) -> Fault? = { _, _, _ in nil }
    /// Every transport made so far, for byte counts.
    private(set) var transports: [InProcessTransport] = []

    static let cities = ["Braunschweig", "Saarbruecken", "Wolfsburg", "Aachen", "Kempten", "Emsdetten", "Ulm", "Jena"]

    init(count: Int, seed: UInt64) throws {
        random = SharedSeededGenerator(seed: seed)
        for i in 0..<count {
            let name = i < Federation.cities.count ? Federation.cities[i] : "City\(i)"
            let home = NodeHome(path: dir.file("n\(i)"))
            let randomness = Federation.randomness(random)
            try NodeInitializer.initialize(home: home, options: InitOptions(city: name, country: "DE", url: "https://n\(i).test"),
                                           randomness: randomness)
            let node = try Node(home: home, randomness: randomness)
            nodes.append(node)
            names.append(name)
            servers[try node.originID()] = InProcessPeerServer(node: node)
        }
    }

    static func randomness(_ g: SharedSeededGenerator) -> NodeRandomness {
        NodeRandomness(laplace: { g.unit() - 0.5 }, bytes: { count in (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) } })
    }

    func descriptor(_ i: Int) throws -> PeerDescriptor {
        let id = try nodes[i].identity()
        return PeerDescriptor(origin: id.origin, label: id.label, publicKey: id.publicKey, url: id.url, tlsPin: nil)
    }

    /// Node `i` adds node `j` as a sync peer.
    func connect(_ i: Int, _ j: Int) throws { try nodes[i].addPeer(descriptor(j), name: names[j]) }

    /// Node `i` trusts node `j` without syncing with it.
    func trust(_ i: Int, _ j: Int) throws { try nodes[i].trustPeer(descriptor(j), name: names[j]) }

    /// Every node syncs with every other one.
    func connectAll() throws {
        for i in nodes.indices { for j in nodes.indices where i != j { try connect(i, j) } }
    }

    /// Node `i` runs one sync (with one peer, or all).
    @discardableResult
    func sync(_ i: Int, with j: Int? = nil, force: Bool = true, configuration: SyncConfiguration = SyncConfiguration()) throws -> SyncReport {
        let clock = SyncClock(now: { [clock] in clock.value }, unit: { [random] in random.unit() })
        let engine = SyncEngine(node: nodes[i], configuration: configuration, clock: clock, transports: { [unowned self] peer in
            let server = self.servers[peer.origin]!
            let t = InProcessTransport(server: server, peerName: peer.name, seed: self.random.next())
            let serverIndex = self.nodes.firstIndex { $0 === server.node }!
            t.faults = { [unowned self] request in self.faults(i, serverIndex, request) }
            self.transports.append(t)
            return t
        })
        return try engine.run(peerName: j.map { names[$0] }, force: force)
    }

    /// What `publish` does first for node `i`: fetch its own records from its sync peers.
    func pullOwnRecords(_ i: Int) throws -> (restore: RestoreFinding?, unreachable: [String]) {
        let clock = SyncClock(now: { [clock] in clock.value }, unit: { [random] in random.unit() })
        let engine = SyncEngine(node: nodes[i], clock: clock, transports: { [unowned self] peer in
            InProcessTransport(server: self.servers[peer.origin]!, peerName: peer.name, seed: self.random.next())
        })
        return try engine.pullOwnRecords()
    }

    /// Node `i` enters a value and publishes.
    func publish(_ i: Int, code: String, period: String, value: String) throws {
        try nodes[i].setValue(code: code, period: period, value: value)
        _ = try nodes[i].publish()
    }

    /// The replicated state of node `i`: every current, non-quarantined item as `origin n hash`.
    func state(_ i: Int) throws -> Set<String> {
        try strings(i, "SELECT origin || ' ' || n || ' ' || hex(hash) FROM item WHERE current = 1 AND quarantine_peer IS NULL")
    }

    /// Every header hash node `i` ever stored (current or not, quarantine included).
    func storedHashes(_ i: Int) throws -> Set<String> { try strings(i, "SELECT hex(hash) FROM item") }

    /// Every header each origin signed itself (its own rows, superseded ones included).
    func everSigned() throws -> Set<String> {
        var all: Set<String> = []
        for (i, node) in nodes.enumerated() {
            all.formUnion(try strings(i, "SELECT hex(hash) FROM item WHERE origin = '\(try node.originID())'"))
        }
        return all
    }

    /// Each origin's own current items (what its owner published last), as in `state`.
    func expectedState() throws -> Set<String> {
        var all: Set<String> = []
        for (i, node) in nodes.enumerated() {
            all.formUnion(try strings(i, "SELECT origin || ' ' || n || ' ' || hex(hash) FROM item WHERE current = 1 AND origin = '\(try node.originID())'"))
        }
        return all
    }

    func strings(_ i: Int, _ sql: String) throws -> Set<String> {
        let stmt = try nodes[i].database.prepare(sql)
        var out: Set<String> = []
        while try stmt.step() { out.insert(stmt.text(0)) }
        return out
    }

    func int(_ i: Int, _ sql: String) throws -> Int { try nodes[i].database.scalarInt(sql) }
}

/// A settable clock shared with the engines' `@Sendable` closures.
final class ManualClock: @unchecked Sendable {
    // Sendable because `stored` is only touched while holding `lock`.
    private let lock = NSLock()
    private var stored: Int64

    init(_ start: Int64) { stored = start }

    var value: Int64 {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
