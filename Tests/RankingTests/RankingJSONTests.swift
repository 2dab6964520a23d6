import Foundation
import Testing
import Formats
import Model
@testable import Ranking
import Report

@Suite struct RankingJSONTests {
    @Test func followsTheContractShapeAndKeyOrder() throws {
        var options = RankingOptions()
        options.uncertaintyRuns = 10
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2), Fixture.cell("A", "E.ONE", 3),
        ], Fixture.catalog(Fixture.kpi("E.X"), Fixture.kpi("E.ONE")), options)
        let json = RankingJSON.value(r)
        let top = try #require(json.objectValue)
        #expect(Array(top.keys.prefix(7)) == ["method", "period", "kpis", "fields", "overall", "excluded", "bestPractice"])
        #expect(json["period"]?.isNull == true)
        let kpi = try #require(json["kpis"]?.arrayValue?.first?.objectValue)
        #expect(kpi.keys == ["kpi", "field", "direction", "unit", "period", "cities"])
        let kpiCity = try #require(kpi["cities"]?.arrayValue?.first?.objectValue)
        #expect(kpiCity.keys == ["city", "origin", "value", "x", "score", "rank"])
        #expect(kpiCity["origin"]?.isNull == true)
        let overallCity = try #require(json["overall"]?["cities"]?.arrayValue?.first?.objectValue)
        #expect(Array(overallCity.keys.prefix(7)) == ["city", "origin", "score", "rank", "coverage", "rankInterval", "rankQuantiles"])
        let excluded = try #require(json["excluded"]?.arrayValue?.first?.objectValue)
        #expect(excluded.keys == ["city", "scope", "reason"])
        #expect(excluded["scope"]?.stringValue == "kpi:E.ONE")
        #expect(excluded["city"]?.isNull == true)
    }

    @Test func scoresKeepFullDoublePrecision() throws {
        // 1, 2, 4: B's score is 100/3 = 33.333333333333336 (shortest round-trip), never rounded.
        let r = try Fixture.rank([Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2), Fixture.cell("C", "E.X", 4)],
                                 Fixture.catalog(Fixture.kpi("E.X")))
        #expect(RankingJSON.render(r).contains("\"score\":33.333333333333336"))
    }

    @Test func directWriterMatchesJSONWriterByteForByte() throws {
        let (cells, catalog) = Fixture.random(seed: 11, cities: 7, kpis: 5)
        var options = RankingOptions()
        options.uncertaintyRuns = 20
        options.group = .size
        options.trend = TrendSpan(from: Period("2022")!, to: Period("2023")!)
        var named = cells
        named[0].city = "Quote \" and \\ backslash\tand tab"
        let r = try Ranker.rank(RankingInput(cells: named), catalog: catalog, options: options)
        #expect(JSONWriter.string(RankingJSON.value(r)) + "\n" == RankingJSON.render(r))
    }
}
