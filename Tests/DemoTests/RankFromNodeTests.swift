import Foundation
import Formats
import Model
import Ranking
import Replication
import Testing
import TestSupport
@testable import CityNode

/// Two (or more) nodes in temporary homes that publish, trust each other and exchange what
/// they published through `Node.ingest`, as a sync would.
final class Federation {
    let dir = TemporaryDirectory(prefix: "federation")
    var homes: [NodeHome] = []
    var nodes: [Node] = []
    var origins: [String] = []

    /// Adds a node; `kpis` names local KPI codes its disclosure policy shares.
    @discardableResult
    func add(_ city: String, pseudonymous: Bool = false, sharing kpis: [String] = []) throws -> Node {
        let home = NodeHome(path: dir.file("home-\(homes.count)"))
        let identity = try NodeInitializer.initialize(home: home, options: InitOptions(city: city, country: "DE", pseudonymous: pseudonymous))
        if !kpis.isEmpty {
            var configuration = try NodeConfiguration(json: Array(FileManager.default.contents(atPath: home.configurationFile)!))
            configuration.disclosure["kpis"] = .object(JSONObject(pairs: kpis.map { ($0, .object(JSONObject(pairs: [("share", .bool(true))]))) }))
            _ = FileManager.default.createFile(atPath: home.configurationFile, contents: Data(configuration.json))
        }
        let node = try Node(home: home)
        homes.append(home)
        nodes.append(node)
        origins.append(identity.origin)
        return node
    }

    /// Every node publishes, trusts every other origin and ingests everything the others hold.
    func exchange() throws {
        var published: [[Envelope]] = []
        for node in nodes {
            let result = try node.publish()
            published.append(try node.ownKeyRecords() + result.records + (result.head.map { [$0] } ?? []))
        }
        for (i, node) in nodes.enumerated() {
            for (j, items) in published.enumerated() where j != i {
                try node.trust(origin: origins[j], label: nil)
                let results = try node.ingest(items, relayedBy: "test")
                #expect(results.allSatisfy { $0.status == .accepted || $0.status == .duplicate }, "\(results)")
            }
        }
    }

    func cells(at i: Int) throws -> FederationCells { try nodes[i].federationCells() }
}

@Suite struct RankFromNodeTests {
    /// Aachen (named, 250,000) and Kempten (pseudonymous, 70,000) with a few KPIs for 2024.
    func twoCities() throws -> Federation {
        let f = Federation()
        let a = try f.add("Aachen")
        let k = try f.add("Kempten", pseudonymous: true)
        for (node, population, chargers, wifi, vacancy) in [(a, "250000", "480", "94", "10.6"), (k, "70000", "150", "88", "6.9")] {
            try node.setValue(code: "POP.TOTAL", period: "2024", value: population)
            try node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: chargers)
            try node.setValue(code: "EDU.SCHOOL_WIFI", period: "2024", value: wifi)
            try node.setValue(code: "ECO.CENTRE_VACANCY_RATE", period: "2024", value: vacancy)
            try node.addProject(Project(id: "", name: "secret name", field: .mobility, category: .evCharging, status: .active,
                                        startYear: 2020, kpis: ["MOB.EV_CHARGERS"]))
        }
        try f.exchange()
        return f
    }

    /// Drops every `origin` member, so node output and CSV output can be compared.
    func withoutOrigins(_ v: JSONValue) -> JSONValue {
        switch v {
        case .object(let o): return .object(JSONObject(pairs: o.filter { $0.0 != "origin" }.map { ($0.0, withoutOrigins($0.1)) }))
        case .array(let a): return .array(a.map(withoutOrigins))
        default: return v
        }
    }

    @Test func rankFromTheNodeEqualsRankFromItsExportedCSV() throws {
        let f = try twoCities()
        let home = f.homes[0].path
        let fromNode = CLIRunner.run(["--home", home, "rank", "--format", "json", "--uncertainty", "50"])
        #expect(fromNode.exitCode == 0, "\(fromNode)")
        let csv = f.dir.file("cells.csv"), catalog = f.dir.file("catalog.json")
        let export = CLIRunner.run(["--home", home, "export", "--format", "csv", "--out", csv, "--catalog", catalog])
        #expect(export.exitCode == 0, "\(export)")
        let fromCSV = CLIRunner.run(["rank", "--input", csv, "--catalog", catalog, "--format", "json", "--uncertainty", "50"])
        #expect(fromCSV.exitCode == 0, "\(fromCSV)")
        // The same cells through a pipe (`… | citybench rank --input /dev/stdin`) rank the same.
        let piped = CLIRunner.run(["rank", "--input", "/dev/stdin", "--catalog", catalog, "--format", "json", "--uncertainty", "50"],
                                  stdin: Array(FileManager.default.contents(atPath: csv) ?? Data()), stdinThroughPipe: true)
        #expect(piped.exitCode == 0, "\(piped)")
        #expect(piped.stdout == fromCSV.stdout)
        let a = try JSONReader.parse(Array(fromNode.stdout.utf8)), b = try JSONReader.parse(Array(fromCSV.stdout.utf8))
        for key in ["kpis", "fields", "overall", "excluded"] {
            #expect(withoutOrigins(a[key]!) == withoutOrigins(b[key]!), "\(key)")
        }
        #expect(a["overall"]?["cities"]?.arrayValue?.count == 2)
        // The node's output names origins; the pseudonymous city is ranked under its pseudonym.
        #expect(fromNode.stdout.contains(f.origins[1]))
        #expect(fromNode.stdout.contains("city-\(f.origins[1].prefix(10))"))
        #expect(!fromNode.stdout.contains("Kempten") && !fromNode.stdout.contains("secret name"))
    }

    @Test func pseudonymousPerCapitaValuesArriveScaledAndAreNotScaledAgain() throws {
        let f = try twoCities()
        let cells = try f.cells(at: 0).input.cells
        let kempten = try #require(cells.first { $0.origin == f.origins[1] && $0.kpi == "MOB.EV_CHARGERS" })
        #expect(kempten.scaled)
        #expect(kempten.value == 21.4286)  // 150 / 70,000 × 10,000, 6 significant digits
        #expect(!cells.contains { $0.origin == f.origins[1] && $0.kpi == "POP.TOTAL" })
        let result = try Ranker.rank(try f.cells(at: 0).input, catalog: try f.cells(at: 0).catalog, options: { var o = RankingOptions(); o.uncertaintyRuns = 0; return o }())
        let ev = try #require(result.kpis.first { $0.kpi == "MOB.EV_CHARGERS" })
        #expect(ev.cities.first { $0.origin == f.origins[1] }?.x == 21.4286)
        #expect(ev.cities.first { $0.origin == f.origins[0] }?.x == 19.2)
    }

    @Test func ownCellsAreExactlyAsPublishedNotAsLaterEntered() throws {
        let f = try twoCities()
        try f.nodes[0].setValue(code: "EDU.SCHOOL_WIFI", period: "2024", value: "10")
        let own = try f.cells(at: 0).input.cells.first { $0.origin == f.origins[0] && $0.kpi == "EDU.SCHOOL_WIFI" }
        #expect(own?.value == 94)
    }

    @Test func aRetractionTakesItsSubjectOutOfTheRanking() throws {
        let f = try twoCities()
        let retraction = try f.nodes[1].retract(subject: "kpi/2024", purge: false, reason: "error")
        let results = try f.nodes[0].ingest(retraction.records + [retraction.head!], relayedBy: "test")
        #expect(results.allSatisfy { $0.status == .accepted }, "\(results)")
        let cells = try f.cells(at: 0).input.cells
        #expect(!cells.contains { $0.origin == f.origins[1] })
        #expect(cells.contains { $0.origin == f.origins[0] })
        let r = CLIRunner.run(["--home", f.homes[0].path, "rank"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("a ranking needs at least two"), "\(r)")
    }

    @Test func suppressedPersonCountsAreMissingCellsNotZero() throws {
        let f = Federation()
        for city in ["Aachen", "Wolfsburg"] {
            let node = try f.add(city)
            try node.setValue(code: "POP.TOTAL", period: "2024", value: "100000")
            try node.setValue(code: "EGOV.ONLINE_TRANSACTIONS", period: "2024", value: city == "Aachen" ? "2" : "5000")
        }
        try f.exchange()
        let cells = try f.cells(at: 1).input.cells.filter { $0.kpi == "EGOV.ONLINE_TRANSACTIONS" }
        #expect(cells.count == 2)
        #expect(cells.first { $0.origin == f.origins[0] }?.value == nil)
        #expect(cells.first { $0.origin == f.origins[1] }?.value == 5000)
    }

    @Test func carriedDefinitionsJoinTheCatalogAndDifferingUnitsExcludeTheKPI() throws {
        let f = Federation()
        let trees = KPIDefinition(code: "LOC.TREES", name: "Trees planted", unit: "count", direction: .higher, field: .energy)
        var treesInPercent = trees
        treesInPercent.unit = "percent"
        let nodes = [try f.add("Aachen", sharing: ["LOC.TREES", "LOC.BENCHES"]), try f.add("Wolfsburg", sharing: ["LOC.TREES", "LOC.BENCHES"]),
                     try f.add("Kempten", sharing: ["LOC.BENCHES"])]
        try nodes[0].defineKPI(trees)
        try nodes[1].defineKPI(treesInPercent)
        let benches = KPIDefinition(code: "LOC.BENCHES", name: "Benches", unit: "count", direction: .higher, field: .living)
        for (i, node) in nodes.enumerated() {
            if i < 2 { try node.setValue(code: "LOC.TREES", period: "2024", value: String(100 * (i + 1))) }
            try node.defineKPI(benches)
            try node.setValue(code: "LOC.BENCHES", period: "2024", value: String(10 * (i + 1)))
        }
        try f.exchange()
        // Kempten defines neither KPI itself: both arrive with their definitions.
        let federation = try f.cells(at: 2)
        #expect(federation.catalog["LOC.BENCHES"] == benches)
        #expect(federation.catalog["LOC.TREES"] != nil)
        #expect(federation.notes.contains { $0.contains("different definitions of LOC.TREES") }, "\(federation.notes)")
        let result = try Ranker.rank(federation.input, catalog: federation.catalog, options: { var o = RankingOptions(); o.uncertaintyRuns = 0; return o }())
        #expect(result.kpis.map(\.kpi) == ["LOC.BENCHES"])
        #expect(result.excluded.contains { $0.scope == "kpi:LOC.TREES" && $0.reason.contains("different units") }, "\(result.excluded)")
    }

    @Test func citiesSharingALabelAreToldApartByTheirOrigin() throws {
        let f = Federation()
        for _ in 0..<2 {
            let node = try f.add("Neustadt")
            try node.setValue(code: "EDU.SCHOOL_WIFI", period: "2024", value: "50")
        }
        try f.nodes[1].setValue(code: "EDU.SCHOOL_WIFI", period: "2024", value: "70")
        try f.exchange()
        let labels = Set(try f.cells(at: 0).input.cells.map(\.city))
        #expect(labels == Set(f.origins.map { "Neustadt (\($0.prefix(6)))" }))
    }

    @Test func sizeClassesAndCountriesComeFromProfiles() throws {
        let f = try twoCities()
        let cities = try f.cells(at: 0).input.cities
        #expect(cities.first { $0.origin == f.origins[0] }?.sizeClass == .large)
        #expect(cities.first { $0.origin == f.origins[1] }?.sizeClass == .medium)
        #expect(cities.allSatisfy { $0.country == "DE" })
        let r = CLIRunner.run(["--home", f.homes[0].path, "rank", "--group", "size", "--uncertainty", "0", "--format", "json"])
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stdout.contains("only one city in this group"), "\(r.stdout)")
    }

    @Test func everyFormatAndTheReportAreWritten() throws {
        let f = try twoCities()
        let home = f.homes[0].path
        for format in ["table", "csv", "json", "md", "html"] {
            let r = CLIRunner.run(["--home", home, "rank", "--format", format, "--uncertainty", "20"])
            #expect(r.exitCode == 0 && !r.stdout.isEmpty, "\(format): \(r)")
        }
        let report = f.dir.file("report.html")
        let r = CLIRunner.run(["--home", home, "report", "--out", report, "--uncertainty", "20"])
        #expect(r.exitCode == 0, "\(r)")
        let html = try String(contentsOfFile: report, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>") && HTMLWellFormedness.problem(in: html) == nil)
        let ngsi = CLIRunner.run(["--home", home, "export", "--format", "ngsi-ld"])
        #expect(ngsi.exitCode == 0)
        let entities = try JSONReader.parse(Array(ngsi.stdout.utf8)).arrayValue ?? []
        #expect(entities.count == 7)  // 2 cities × 3 KPIs, plus the named city's POP.TOTAL (the pseudonymous one withholds it)
        #expect(entities.allSatisfy { $0["type"]?.stringValue == "KeyPerformanceIndicator" })
    }

    @Test func badFlagsAreUsageErrorsAndMissingInputIsAnError() throws {
        let f = try twoCities()
        let home = f.homes[0].path
        #expect(CLIRunner.run(["--home", home, "rank", "--format", "pdf"]).exitCode == 64)
        #expect(CLIRunner.run(["--home", home, "rank", "--method", "magic"]).exitCode == 64)
        #expect(CLIRunner.run(["--home", home, "rank", "--trend", "2024"]).exitCode == 64)
        #expect(CLIRunner.run(["--home", home, "export"]).exitCode == 64)
        #expect(CLIRunner.run(["--home", home, "report"]).exitCode == 64)
        let missing = CLIRunner.run(["rank", "--input", f.dir.file("nope.csv")])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.contains("cannot read the cell CSV"), "\(missing)")
        let noHome = CLIRunner.run(["--home", f.dir.file("nowhere"), "rank"])
        #expect(noHome.exitCode == 1)
        #expect(noHome.stderr.contains("citybench init"), "\(noHome)")
    }
}
