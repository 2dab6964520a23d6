import Foundation
import Testing
import Formats
import Model
@testable import Ranking
import Report

/// Same input in any order → byte-identical output; same seed → same uncertainty; the point
/// rank always lies inside its interval (design §7).
@Suite struct DeterminismTests {
    @Test(arguments: [UInt64(1), 2, 3])
    func shuffledRowsGiveByteIdenticalJSON(seed: UInt64) throws {
        let (cells, catalog) = Fixture.random(seed: seed, cities: 12, kpis: 9)
        var options = RankingOptions()
        options.uncertaintyRuns = 100
        let reference = RankingJSON.render(try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options))
        var rng = SeededGenerator(seed: seed &+ 100)
        for _ in 0..<3 {
            let shuffled = cells.shuffled(using: &rng)
            let again = RankingJSON.render(try Ranker.rank(RankingInput(cells: shuffled), catalog: catalog, options: options))
            #expect(again == reference)
        }
    }

    @Test func shuffledCityOriginsAndFactsGiveByteIdenticalJSON() throws {
        let (cells, catalog) = Fixture.random(seed: 9, cities: 8, kpis: 6)
        let withOrigins = cells.map { c -> Cell in
            var c = c
            c.origin = String(repeating: String(c.city.last!), count: 12)
            return c
        }
        let infos = (0..<8).map { CityInfo(label: "City\($0)", origin: String(repeating: "\($0)", count: 12), country: $0 % 2 == 0 ? "DE" : "AT") }
        var options = RankingOptions()
        options.uncertaintyRuns = 50
        options.group = .country
        let a = RankingJSON.render(try Ranker.rank(RankingInput(cells: withOrigins, cities: infos), catalog: catalog, options: options))
        var rng = SeededGenerator(seed: 5)
        let b = RankingJSON.render(try Ranker.rank(RankingInput(cells: withOrigins.shuffled(using: &rng), cities: infos.reversed()),
                                                   catalog: catalog, options: options))
        #expect(a == b)
        #expect(a.contains("\"groups\":[{\"group\":\"AT\""))
    }

    @Test func sameSeedGivesIdenticalUncertaintyAndAnotherSeedDiffers() throws {
        let (cells, catalog) = Fixture.random(seed: 4, cities: 15, kpis: 9)
        var options = RankingOptions()
        options.uncertaintyRuns = 200
        let a = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
        let b = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
        #expect(a.overall.map(\.uncertainty) == b.overall.map(\.uncertainty))
        #expect(a.overall.allSatisfy { $0.uncertainty != nil })
        options.seed = 12345
        let c = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
        #expect(a.overall.map(\.uncertainty) != c.overall.map(\.uncertainty))
    }

    @Test func pointRankLiesInsideItsIntervalOverManyRandomInputs() throws {
        var checked = 0
        for seed in UInt64(0)..<200 {
            var rng = SeededGenerator(seed: seed)
            let (cells, catalog) = Fixture.random(seed: seed, cities: 3 + Int(rng.next() % 10), kpis: 3 + Int(rng.next() % 6))
            var options = RankingOptions()
            options.uncertaintyRuns = 20 + Int(rng.next() % 30)
            options.seed = seed
            if rng.next() % 2 == 0 { options.aggregate = .geometric }
            let r = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
            for e in r.overall + r.fields.flatMap(\.cities) {
                let u = try #require(e.uncertainty)
                #expect(u.interval.contains(e.rank), "seed \(seed): \(e.city) rank \(e.rank) outside \(u.interval)")
                #expect(u.interval.lowerBound <= u.quantiles.lowerBound && u.quantiles.upperBound <= u.interval.upperBound)
                #expect(u.quantiles.contains(u.median))
                checked += 1
            }
        }
        #expect(checked > 1000)
    }

    @Test func uncertaintyZeroLeavesNoIntervals() throws {
        let (cells, catalog) = Fixture.random(seed: 2, cities: 5, kpis: 3)
        var options = RankingOptions()
        options.uncertaintyRuns = 0
        let r = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
        #expect(r.overall.allSatisfy { $0.uncertainty == nil })
        #expect(!RankingJSON.render(r).contains("rankInterval"))
    }

    @Test func everyRendererIsByteIdenticalForShuffledRows() throws {
        let (cells, catalog) = Fixture.random(seed: 17, cities: 10, kpis: 6)
        var options = RankingOptions()
        options.uncertaintyRuns = 40
        options.trend = TrendSpan(from: Period("2022")!, to: Period("2023")!)
        func outputs(_ cells: [Cell]) throws -> [String] {
            let r = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: options)
            return [RankingTable.render(r), RankingCSV.render(r), RankingMarkdown.render(r), HTMLReport.render(r, catalog: catalog),
                    NGSILDExport.render(cells, catalog: catalog), CellCSV.write(cells)]
        }
        var rng = SeededGenerator(seed: 71)
        #expect(try outputs(cells) == outputs(cells.shuffled(using: &rng)))
    }
}
