import Foundation
import Testing
import Formats
import Model
@testable import Ranking
@testable import Report

/// The renderers: the table fits 80 columns and marks ties, the HTML is one balanced,
/// script-free, self-contained file with an `<svg>` per chart, NGSI-LD entities follow the
/// FIWARE attribute names.
@Suite struct ReportTests {
    static func sample(trend: Bool = true) throws -> (RankingResult, KPICatalog) {
        let (cells, catalog) = Fixture.random(seed: 7, cities: 9, kpis: 6)
        var options = RankingOptions()
        options.uncertaintyRuns = 100
        if trend { options.trend = Ranker.availableTrendSpan(RankingInput(cells: cells)) }
        let projects = [ProjectDescriptor(city: "City1", field: .egov, category: .onlineServices, status: .active, startYear: 2020, kpis: ["T.K0"])]
        return (try Ranker.rank(RankingInput(cells: cells, projects: projects), catalog: catalog, options: options), catalog)
    }

    @Test func tableFitsEightyColumnsAndListsExclusions() throws {
        var (r, _) = try Self.sample()
        r.excluded.append(Exclusion(city: "A city with an exceedingly long name that goes on and on", scope: "kpi:T.K1",
                                    reason: "no population (POP.TOTAL) for 2023, so no per-capita value, and this reason is long enough to wrap"))
        let text = RankingTable.render(r)
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            #expect(line.count <= 80, "too wide: \(line)")
        }
        #expect(text.contains("Excluded"))
        #expect(text.contains("Overall"))
    }

    @Test func tableMarksOverlappingIntervalsAsTied() {
        func entry(_ city: String, _ rank: Int, _ iv: ClosedRange<Int>) -> CompositeEntry {
            CompositeEntry(city: city, origin: nil, score: 0, rank: rank, coverage: 1,
                           uncertainty: RankUncertainty(median: rank, quantiles: iv, interval: iv))
        }
        let tied = TextLayout.statisticallyTied([entry("A", 1, 1...2), entry("B", 2, 1...3), entry("C", 3, 3...3), entry("D", 4, 4...4)])
        #expect(tied == [0, 1, 2])
        let lines = RankingTable.composite([entry("A", 1, 1...1), entry("B", 2, 2...3), entry("C", 3, 2...3)])
        #expect(lines[1].hasPrefix("   1    A"))
        #expect(lines[2].hasPrefix("   2 ~  B"))
    }

    @Test func htmlIsBalancedSelfContainedAndHasOneSvgPerChart() throws {
        let (r, catalog) = try Self.sample()
        let html = HTMLReport.render(r, catalog: catalog)
        #expect(try TagBalance.check(html))
        #expect(!html.lowercased().contains("<script"))
        #expect(!html.contains("http://") && !html.contains("https://"))
        #expect(!html.contains("<link") && !html.contains("<img"))
        let charts = 1 + 1 + r.kpis.count + (r.trend?.overall.isEmpty == false ? 1 : 0)
        #expect(html.components(separatedBy: "<svg").count - 1 == charts)
        #expect(html.components(separatedBy: "<svg").dropFirst().allSatisfy { $0.contains("<title>") && $0.contains("class=\"axis\"") })
        #expect(html.contains("@media print"))
        #expect(html.contains("id=\"methods\""))
        #expect(html.contains("seed \(r.options.seed)"))
        #expect(html.contains("online-services (active, since 2020)"))
    }

    @Test func htmlShowsPeerGroupsWhenGrouped() throws {
        var options = Fixture.plain
        options.group = .country
        let r = try Fixture.rank([Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2)], Fixture.catalog(Fixture.kpi("E.X")), options,
                                 cities: [CityInfo(label: "A", country: "DE"), CityInfo(label: "B", country: "DE")])
        let html = HTMLReport.render(r)
        #expect(html.contains("<h2 id=\"groups\">Peer groups (country)</h2>"))
        #expect(html.contains("<h3>DE</h3>"))
        #expect(try TagBalance.check(html))
    }

    @Test func htmlEscapesCityNames() throws {
        let r = try Fixture.rank([Fixture.cell("<b>A&B</b>", "E.X", 1), Fixture.cell("C", "E.X", 2)], Fixture.catalog(Fixture.kpi("E.X")))
        let html = HTMLReport.render(r)
        #expect(html.contains("&lt;b&gt;A&amp;B&lt;/b&gt;"))
        #expect(!html.contains("<b>A"))
        #expect(try TagBalance.check(html))
    }

    @Test func tagCheckerRejectsUnbalancedMarkup() {
        #expect(throws: TagBalance.Unbalanced.self) { try TagBalance.check("<html><body><p></body></html>") }
        #expect(throws: TagBalance.Unbalanced.self) { try TagBalance.check("<svg><title>x</svg>") }
    }

    @Test func markdownAndCSVCarryEveryRankedCity() throws {
        let (r, _) = try Self.sample(trend: false)
        let md = RankingMarkdown.render(r)
        for e in r.overall { #expect(md.contains("| \(e.city) |")) }
        let csv = RankingCSV.render(r)
        let rows = csv.split(separator: "\n")
        #expect(rows.first.map(String.init) == RankingCSV.header)
        #expect(rows.count == 1 + r.kpis.reduce(0) { $0 + $1.cities.count } + r.fields.reduce(0) { $0 + $1.cities.count } + r.overall.count)
    }

    @Test func ngsiLDEntitiesUseTheFiwareAttributeNames() throws {
        let cells = [
            Fixture.cell("Saarbrücken", "M.EV", "2024-Q1", 12.5),
            Fixture.cell("Aachen", "M.EV", "2024-02", 3),
            Fixture.cell("Aachen", "M.EV", "2023", nil),
        ]
        let catalog = Fixture.catalog(Fixture.kpi("M.EV", .mobility, perCapita: 10000))
        let entities = NGSILDExport.entities(cells, catalog: catalog)
        #expect(entities.count == 2)
        let e = try #require(entities.last?.objectValue)
        #expect(e["id"]?.stringValue == "urn:ngsi-ld:KeyPerformanceIndicator:Saarbruecken:M.EV:2024-Q1")
        #expect(e["type"]?.stringValue == "KeyPerformanceIndicator")
        #expect(e["kpiValue"]?["type"]?.stringValue == "Property")
        #expect(e["kpiValue"]?["value"]?.numberValue?.doubleValue == 12.5)
        #expect(e["calculationPeriod"]?["value"]?["from"]?.stringValue == "2024-01-01")
        #expect(e["calculationPeriod"]?["value"]?["to"]?.stringValue == "2024-03-31")
        #expect(e["category"]?["value"]?.arrayValue?.first?.stringValue == "quantitative")
        #expect(e["organization"]?["value"]?.stringValue == "Saarbrücken")
        #expect(e["unit"]?["value"]?.stringValue == "count")
        #expect(e["direction"]?["value"]?.stringValue == "higher")
        let feb = try #require(entities.first?["calculationPeriod"]?["value"]?["to"]?.stringValue)
        #expect(feb == "2024-02-29")
    }
}

/// A small well-formedness check for the generated HTML: every non-void element is closed in
/// order. (Foundation's XMLDocument is not available on Linux.)
enum TagBalance {
    struct Unbalanced: Error, CustomStringConvertible {
        let description: String
    }

    static let void: Set<String> = ["meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"]

    @discardableResult
    static func check(_ html: String) throws -> Bool {
        var stack: [String] = []
        var i = html.startIndex
        while let open = html[i...].firstIndex(of: "<") {
            guard let close = html[open...].firstIndex(of: ">") else { throw Unbalanced(description: "unterminated tag") }
            let tag = html[html.index(after: open)..<close]
            i = html.index(after: close)
            if tag.hasPrefix("!") { continue }
            let selfClosing = tag.hasSuffix("/")
            let name = tag.drop { $0 == "/" }.prefix { $0.isLetter || $0.isNumber }.lowercased()
            if tag.hasPrefix("/") {
                guard stack.popLast() == name else { throw Unbalanced(description: "</\(name)> does not close the open element") }
            } else if !selfClosing && !void.contains(name) {
                stack.append(name)
            }
        }
        guard stack.isEmpty else { throw Unbalanced(description: "unclosed: \(stack.joined(separator: ", "))") }
        return true
    }
}
