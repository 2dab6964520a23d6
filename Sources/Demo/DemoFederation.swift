import CityNode
import Foundation
import Formats
import Model
import Ranking
import Replication
import Report

/// What `citybench demo` is asked for.
public struct DemoOptions: Sendable, Hashable {
    /// The directory for the demo's homes, roster and report.
    public var directory: String
    /// Keep the nodes running after the report, until Ctrl-C.
    public var keepRunning: Bool
    /// Monte Carlo runs for the rank intervals.
    public var uncertaintyRuns: Int

    public init(directory: String, keepRunning: Bool = false, uncertaintyRuns: Int = RankingOptions.defaultUncertaintyRuns) {
        self.directory = directory
        self.keepRunning = keepRunning
        self.uncertaintyRuns = uncertaintyRuns
    }
}

/// One node of the demo federation once it is set up.
public struct DemoNode: Sendable, Hashable {
    public var city: String
    /// The label it publishes under (the city name, or `city-…` when pseudonymous).
    public var label: String
    public var origin: String
    public var home: String
    /// The node's HTTPS address while its server runs.
    public var url: String?
}

/// What a finished demo produced.
public struct DemoOutcome: Sendable {
    public var nodes: [DemoNode]
    /// Sync rounds until every node held every city's records.
    public var rounds: Int
    /// Cells, summed over the nodes, that reached a node only through another node.
    public var relayedCells: Int
    /// Cells every node holds (the same at every node).
    public var cells: Int
    public var ranking: RankingResult
    public var reportPath: String
    /// Stops whatever still runs (the nodes' servers); calling it twice is harmless.
    public var stop: @Sendable () -> Void = {}
}

/// `citybench demo` (design §9): six illustrative city nodes in `DIR/homes/`, their roster in
/// `DIR/peers/`, connected in a line A–B–C–D–E–F so every record has to be relayed, merged
/// until every node is complete, then ranked and reported (`DIR/report.html`).
public enum DemoFederation {
    /// Marks a directory the demo made, so a later run may clear it (and nothing else).
    public static let markerFile = ".citybench-demo"
    /// Most relay rounds before the demo gives up (a line of six needs five).
    public static let maxRounds = 12

    /// Runs the whole demo; `progress` receives each line to print, as it happens, and
    /// `interrupted` is asked between steps whether the user pressed Ctrl-C.
    public static func run(_ options: DemoOptions, interrupted: () -> Bool = { false },
                           progress: (String) -> Void) throws(DemoError) -> DemoOutcome {
        func checkpoint() throws(DemoError) {
            if interrupted() { throw DemoError(.interrupted, "stopped by Ctrl-C; the demo's nodes were closed (what was made so far stays in \(options.directory))") }
        }
        let dir = NodeHome(path: options.directory).path
        try prepare(dir)
        progress(DemoData.notice)
        progress("Creating six city nodes in \(dir)/homes …")
        var members: [DemoNode] = []
        for city in DemoData.cities {
            try checkpoint()
            let (_, member, items) = try makeNode(city, dir: dir)  // its connection closes here; servers and relay reopen
            progress("  \(pad(city.name, 14)) published \(items.count - 2) records as \(member.label)\(city.pseudonymous ? " (pseudonymous)" : "")")
            members.append(member)
        }
        try checkpoint()
        let servers = try DemoNetwork.startServers(&members)
        let stopServers: @Sendable () -> Void = { servers.forEach { $0.shutdown() } }
        do {
            var outcome = try federate(&members, dir: dir, options: options, checkpoint: checkpoint, progress: progress)
            outcome.stop = stopServers
            return outcome
        } catch {
            stopServers()
            throw error
        }
    }

    /// Everything after the servers started: roster, trust, relay, verification, ranking, report.
    static func federate(_ members: inout [DemoNode], dir: String, options: DemoOptions, checkpoint: () throws(DemoError) -> Void,
                         progress: (String) -> Void) throws(DemoError) -> DemoOutcome {
        progress("Started six HTTPS servers on free loopback ports (self-signed certificates; the roster carries their pins):")
        for m in members { progress("  \(pad(m.label, 16)) \(m.url ?? "")") }
        // Reopen the nodes: their node.json now names their URL, which their descriptors carry.
        var nodes: [Node] = []
        for m in members {
            do { nodes.append(try Node(home: NodeHome(path: m.home))) } catch {
                throw DemoError(.nodeFailed, "reopening the demo node \(m.label) failed: \(error)")
            }
        }
        try writeRoster(nodes, dir: dir)
        let roster = (dir as NSString).appendingPathComponent("peers")
        progress("Wrote the roster (one descriptor per city) to \(roster).")
        try DemoNetwork.peerInALine(nodes, members: members, rosterDirectory: roster)
        progress("Every node trusts the roster (peer import) and syncs only with its neighbours (peer add):")
        progress("  " + members.map(\.label).joined(separator: " – ") + ", so records must be relayed.")
        let (rounds, moved) = try DemoNetwork.syncUntilComplete(nodes, members: members, checkpoint: checkpoint, progress: progress)
        let cells = try verifyComplete(nodes, members: members)
        let relayed = try relayedCells(nodes, members: members)
        progress("Every node is complete: \(members.count) cities, \(cells) identical cells at every node; \(moved) items moved over HTTPS in \(rounds) sync rounds, \(relayed) cells held only through relay.")

        try checkpoint()
        let federation: FederationCells
        let result: RankingResult
        do {
            federation = try nodes[0].federationCells()
            var rankingOptions = RankingOptions()
            rankingOptions.uncertaintyRuns = options.uncertaintyRuns
            result = try Ranker.rank(federation.input, catalog: federation.catalog, options: rankingOptions)
        } catch {
            throw DemoError(.rankingFailed, "ranking the demo federation failed: \(error)")
        }
        let reportPath = (dir as NSString).appendingPathComponent("report.html")
        let html = DemoReport.html(result, catalog: federation.catalog)
        guard FileManager.default.createFile(atPath: reportPath, contents: Data(html.utf8)) else {
            throw DemoError(.directoryUnusable, "cannot write \(reportPath); check that \(dir) is writable")
        }
        for line in DemoReport.summary(result, rankedAt: members[0].label) { progress(line) }
        progress("Wrote the full report to \(reportPath).")
        progress("Next: citybench --home \(members[0].home) rank   (or status, export --format csv, report --out FILE.html)")
        return DemoOutcome(nodes: members, rounds: rounds, relayedCells: relayed, cells: cells, ranking: result, reportPath: reportPath)
    }

    /// Makes `dir` ready: created if missing; a directory a previous demo made is cleared;
    /// anything else that is not empty is refused, so the demo never deletes foreign files.
    static func prepare(_ dir: String) throws(DemoError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: dir, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw DemoError(.directoryUnusable, "\(dir) is a file; pass a directory to 'citybench demo --dir'")
            }
            let entries = (try? fm.contentsOfDirectory(atPath: dir)) ?? []
            if !entries.isEmpty {
                guard entries.contains(markerFile) else {
                    throw DemoError(.directoryUnusable, "\(dir) is not empty and was not made by 'citybench demo'; choose another --dir")
                }
                for entry in entries { try? fm.removeItem(atPath: (dir as NSString).appendingPathComponent(entry)) }
            }
        }
        do {
            try fm.createDirectory(atPath: (dir as NSString).appendingPathComponent("homes"), withIntermediateDirectories: true)
            try fm.createDirectory(atPath: (dir as NSString).appendingPathComponent("peers"), withIntermediateDirectories: true)
        } catch {
            throw DemoError(.directoryUnusable, "cannot create \(dir); check that its parent directory is writable")
        }
        _ = fm.createFile(atPath: (dir as NSString).appendingPathComponent(markerFile), contents: Data((DemoData.notice + "\n").utf8))
    }

    /// `init`, data entry and `publish` for one city; returns the node, its roster entry and
    /// everything it published (its key record first, then its records and head).
    static func makeNode(_ city: DemoCity, dir: String) throws(DemoError) -> (Node, DemoNode, [Envelope]) {
        let home = NodeHome(path: (dir as NSString).appendingPathComponent("homes/\(city.slug)"))
        do {
            let identity = try NodeInitializer.initialize(
                home: home, options: InitOptions(city: city.name, country: "DE", region: city.pseudonymous ? nil : DemoData.region,
                                                 pseudonymous: city.pseudonymous))
            try applyDisclosure(city, home: home)
            let node = try Node(home: home)
            for definition in city.localKPIs { try node.defineKPI(definition) }
            let catalog = try node.catalog()
            let source = DemoData.notice
            for year in DemoData.years {
                if let population = city.population[year] {
                    try node.setValue(code: KPIDefinition.populationCode, period: String(year), value: String(population), source: source)
                }
                for code in city.latest.keys.sorted() {
                    guard let value = DemoData.value(city, code: code, year: year, catalog: catalog) else { continue }
                    try node.setValue(code: code, period: String(year), value: value, source: source)
                }
            }
            for p in city.projects {
                try node.addProject(Project(id: "", name: p.name, field: p.field, category: p.category, status: p.status,
                                            startYear: p.startYear, description: DemoData.notice, kpis: p.kpis))
            }
            let publication = try node.publish()
            let published = try node.ownKeyRecords() + publication.records + (publication.head.map { [$0] } ?? [])
            return (node, DemoNode(city: city.name, label: identity.label, origin: identity.origin, home: home.path, url: nil), published)
        } catch {
            throw DemoError(.nodeFailed, "setting up the demo node \(city.name) failed: \(error)")
        }
    }

    /// Adds the city's disclosure choices to its `node.json`: local KPIs are shared only when
    /// named in the policy (design §4), so the cities that define one name it.
    static func applyDisclosure(_ city: DemoCity, home: NodeHome) throws {
        guard !city.localKPIs.isEmpty || city.projectCounts else { return }
        let data = FileManager.default.contents(atPath: home.configurationFile) ?? Data()
        var configuration = try NodeConfiguration(json: Array(data), file: home.configurationFile)
        if !city.localKPIs.isEmpty {
            configuration.disclosure["kpis"] = .object(JSONObject(pairs: city.localKPIs.map {
                ($0.code, .object(JSONObject(pairs: [("share", .bool(true))])))
            }))
        }
        if city.projectCounts { configuration.disclosure["projects"] = .string("counts") }
        guard FileManager.default.createFile(atPath: home.configurationFile, contents: Data(configuration.json)) else {
            throw DemoError(.directoryUnusable, "cannot write \(home.configurationFile)")
        }
    }

    /// Writes one peer descriptor per node to `DIR/peers/<label>.json` (fresh keys each run).
    static func writeRoster(_ nodes: [Node], dir: String) throws(DemoError) {
        for node in nodes {
            do {
                let identity = try node.identity()
                let path = (dir as NSString).appendingPathComponent("peers/\(identity.label).json")
                guard FileManager.default.createFile(atPath: path, contents: Data(JSONWriter.bytes(identity.json, pretty: true) + [10])) else {
                    throw DemoError(.directoryUnusable, "cannot write \(path)")
                }
            } catch let error as DemoError {
                throw error
            } catch {
                throw DemoError(.nodeFailed, "reading a demo node's identity failed: \(error)")
            }
        }
    }

    /// Cells each node holds of origins that are neither itself nor a line neighbour: they can
    /// only have arrived relayed through another node.
    static func relayedCells(_ nodes: [Node], members: [DemoNode]) throws(DemoError) -> Int {
        var count = 0
        for (i, node) in nodes.enumerated() {
            let near = Set([i - 1, i, i + 1].filter { members.indices.contains($0) }.map { members[$0].origin })
            do { count += try node.federationCells().input.cells.filter { !near.contains($0.origin ?? "") }.count } catch {
                throw DemoError(.nodeFailed, "\(members[i].label) could not read its merged data: \(error)")
            }
        }
        return count
    }

    /// Checks that every node ranks the same cells of all six cities; returns the cell count.
    static func verifyComplete(_ nodes: [Node], members: [DemoNode]) throws(DemoError) -> Int {
        var reference: Set<Cell>?
        for (i, node) in nodes.enumerated() {
            let federation: FederationCells
            do { federation = try node.federationCells() } catch {
                throw DemoError(.nodeFailed, "\(members[i].label) could not read its merged data: \(error)")
            }
            guard Set(federation.origins) == Set(members.map(\.origin)) else {
                throw DemoError(.incomplete, "\(members[i].label) holds records of \(federation.origins.count) of \(members.count) cities")
            }
            let cells = Set(federation.input.cells)
            if let reference, reference != cells {
                throw DemoError(.incomplete, "\(members[i].label) holds different cells from \(members[0].label)")
            }
            reference = cells
        }
        return reference?.count ?? 0
    }

    public static func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
}
