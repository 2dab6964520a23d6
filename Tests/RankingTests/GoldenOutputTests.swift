import Foundation
import Testing
import Formats
import Model
@testable import Ranking
import Report

/// The JSON of generated CSV federations under several option sets, byte for byte as the
/// implementation before the column-based rewrite wrote it (files under `Golden/`), so that
/// performance work cannot change a single output byte. `CITYBENCH_RECORD_GOLDEN=1` rewrites
/// the files and fails, so a recording run is never mistaken for a passing one.
@Suite struct GoldenOutputTests {
    /// One generated input and option set, named after the file its JSON is kept in.
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let seed: UInt64
        let options: RankingOptions
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        var minmax = RankingOptions()
        minmax.uncertaintyRuns = 300
        var zscoreGeometric = RankingOptions()
        zscoreGeometric.method = .zscore
        zscoreGeometric.aggregate = .geometric
        zscoreGeometric.uncertaintyRuns = 150
        zscoreGeometric.seed = 77
        var rankOutliers = RankingOptions()
        rankOutliers.method = .rank
        rankOutliers.outliers = .jrc
        rankOutliers.uncertaintyRuns = 64
        rankOutliers.group = .size
        var plain = RankingOptions()
        plain.uncertaintyRuns = 0
        plain.kpiWeights = ["G.K001": 2.5, "G.K004": 0.5]
        plain.fieldWeights = [.mobility: 3]
        return [Case(name: "minmax-default", seed: 1, options: minmax),
                Case(name: "zscore-geometric", seed: 2, options: zscoreGeometric),
                Case(name: "rank-jrc-size", seed: 3, options: rankOutliers),
                Case(name: "minmax-weighted-no-uncertainty", seed: 4, options: plain)]
    }()

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: cases)
    func rankingJSONIsByteIdenticalToTheRecordedImplementation(_ c: Case) throws {
        let (csv, catalog) = GoldenOutputTests.federation(seed: c.seed)
        let input = try CellCSV.load(bytes: csv, catalog: catalog)
        let json = RankingJSON.bytes(try Ranker.rank(input, catalog: catalog, options: c.options))
        let file = GoldenOutputTests.golden.appendingPathComponent("\(c.name).json")
        if ProcessInfo.processInfo.environment["CITYBENCH_RECORD_GOLDEN"] == "1" {
            try Data(json).write(to: file)
            Issue.record("recorded \(file.lastPathComponent); run again without CITYBENCH_RECORD_GOLDEN")
            return
        }
        let expected = try [UInt8](Data(contentsOf: file))
        #expect(json.count == expected.count)
        let firstDifference = zip(json, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstDifference == nil, "first differing byte at \(firstDifference ?? -1)")
    }

    /// A clean CSV of 40 cities × 18 KPIs over four years and two quarters, with suppressed
    /// values, per-capita KPIs, coarse values (ties) and a city missing most KPIs.
    static func federation(seed: UInt64) -> (csv: [UInt8], catalog: KPICatalog) {
        var rng = SeededGenerator(seed: seed)
        let fields: [ActionField] = [.egov, .mobility, .energy, .living]
        var defs: [KPIDefinition] = []
        for k in 0..<18 {
            defs.append(KPIDefinition(code: String(format: "G.K%03d", k), name: "Golden \(k)", unit: "count",
                                      direction: k % 3 == 0 ? .lower : .higher, field: fields[k % fields.count],
                                      perCapita: k % 4 == 1 ? 1000 : nil))
        }
        defs.append(KPIDefinition(code: KPIDefinition.populationCode, name: "Population", unit: "persons",
                                  direction: .higher, field: .living, perCapita: nil))
        var text = "city,kpi,period,value\n"
        let periods = ["2020", "2021", "2022", "2023", "2023-Q1", "2023-Q2"]
        for c in 0..<40 {
            let city = String(format: "Stadt %02d", c)
            for p in periods.prefix(4) where rng.next() % 8 != 0 {
                text += "\(city),POP.TOTAL,\(p),\(5000 + rng.next() % 900_000)\n"
            }
            for d in defs.dropLast() where c != 7 || d.code < "G.K003" {
                for p in periods where rng.next() % 6 != 0 {
                    let value = rng.next() % 5 == 0 ? "" : (d.code.hasSuffix("2") ? "\(rng.next() % 4)" : "\(rng.next() % 100_000).\(rng.next() % 100)")
                    text += "\(city),\(d.code),\(p),\(value)\n"
                }
            }
        }
        return (Array(text.utf8), KPICatalog(defs))
    }
}
