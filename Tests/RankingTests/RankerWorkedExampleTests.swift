import Foundation
import Testing
import Model
@testable import Ranking

/// Worked examples of design §7, each computed by hand in its comment.
@Suite struct RankerWorkedExampleTests {
    @Test func directionLowerGivesTheSmallestValueTheTopScore() throws {
        // lower: score = 100·(max−x)/(max−min); min 10, max 30:
        // A 10 → 100, B 20 → 50, C 30 → 0.
        let r = try Fixture.rank([
            Fixture.cell("A", "E.WAIT", 10), Fixture.cell("B", "E.WAIT", 20), Fixture.cell("C", "E.WAIT", 30),
        ], Fixture.catalog(Fixture.kpi("E.WAIT", .egov, .lower)))
        let k = try #require(r.kpis.first)
        #expect(k.cities.map(\.city) == ["A", "B", "C"])
        #expect(k.cities.map(\.score) == [100, 50, 0])
        #expect(k.cities.map(\.rank) == [1, 2, 3])
    }

    @Test func perCapitaScalingDropsACityWithoutPopulation() throws {
        // perCapita 1000: A 50/10000·1000 = 5, B 30/2000·1000 = 15, D 20/10000·1000 = 2,
        // C has no POP.TOTAL → no value. min 2, max 15: B 100, A 100·3/13, D 0.
        let r = try Fixture.rank([
            Fixture.cell("A", "M.EV", 50), Fixture.cell("A", "POP.TOTAL", 10000),
            Fixture.cell("B", "M.EV", 30), Fixture.cell("B", "POP.TOTAL", 2000),
            Fixture.cell("C", "M.EV", 10),
            Fixture.cell("D", "M.EV", 20), Fixture.cell("D", "POP.TOTAL", 10000),
        ], Fixture.catalog(Fixture.kpi("M.EV", .mobility, perCapita: 1000)))
        let k = try #require(r.kpis.first)
        #expect(k.cities.map(\.city) == ["B", "A", "D"])
        #expect(k.cities.map(\.x) == [15, 5, 2])
        #expect(k.cities[1].score == 100.0 * 3 / 13)
        #expect(r.excluded.contains { $0.city == "C" && $0.scope == "kpi:M.EV" && $0.reason.contains("POP.TOTAL") })
    }

    @Test func populationOfTheYearServesAQuarter() throws {
        // Q2 values, yearly population: A 10/1000·100 = 1, B 30/1000·100 = 3.
        let r = try Fixture.rank([
            Fixture.cell("A", "M.EV", "2023-Q2", 10), Fixture.cell("A", "POP.TOTAL", "2023", 1000),
            Fixture.cell("B", "M.EV", "2023-Q2", 30), Fixture.cell("B", "POP.TOTAL", "2023", 1000),
        ], Fixture.catalog(Fixture.kpi("M.EV", .mobility, perCapita: 100)))
        #expect(r.kpis.first?.cities.map(\.x) == [3, 1])
    }

    @Test func populationOfZeroOrLessIsMissing() throws {
        let r = try Fixture.rank([
            Fixture.cell("A", "M.EV", 10), Fixture.cell("A", "POP.TOTAL", 0),
            Fixture.cell("B", "M.EV", 30), Fixture.cell("B", "POP.TOTAL", 1000),
            Fixture.cell("C", "M.EV", 20), Fixture.cell("C", "POP.TOTAL", 1000),
        ], Fixture.catalog(Fixture.kpi("M.EV", .mobility, perCapita: 100)))
        #expect(r.kpis.first?.cities.map(\.city) == ["B", "C"])
        #expect(r.excluded.contains { $0.city == "A" && $0.scope == "kpi:M.EV" })
    }

    @Test func threeWayTieSharesTheRankAndListsByName() throws {
        // C, A, B all 50 → score 100, rank 1 ("1114"); D 10 → 0, rank 4.
        let r = try Fixture.rank([
            Fixture.cell("C", "E.X", 50), Fixture.cell("D", "E.X", 10), Fixture.cell("A", "E.X", 50), Fixture.cell("B", "E.X", 50),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        let k = try #require(r.kpis.first)
        #expect(k.cities.map(\.city) == ["A", "B", "C", "D"])
        #expect(k.cities.map(\.rank) == [1, 1, 1, 4])
    }

    @Test func scoresWithinTheTieToleranceShareARank() throws {
        // min 0, max 100 → score = x. B is 5e-10 below A (tied, rank 1); C is 1.5e-9 below B
        // (not tied: rank 3); D 0 → rank 4.
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 100), Fixture.cell("B", "E.X", 100 - 5e-10),
            Fixture.cell("C", "E.X", 100 - 2e-9), Fixture.cell("D", "E.X", 0),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        #expect(r.kpis.first?.cities.map(\.rank) == [1, 1, 3, 4])
    }

    @Test func zeroVarianceScoresEveryCity100() throws {
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 7), Fixture.cell("B", "E.X", 7), Fixture.cell("C", "E.X", 7),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        #expect(r.kpis.first?.cities.map(\.score) == [100, 100, 100])
        #expect(r.kpis.first?.cities.map(\.rank) == [1, 1, 1])
    }

    @Test func kpiReportedByOneCityIsExcludedWithReason() throws {
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2), Fixture.cell("A", "E.ONLY", 5),
        ], Fixture.catalog(Fixture.kpi("E.X"), Fixture.kpi("E.ONLY")))
        #expect(r.kpis.map(\.kpi) == ["E.X"])
        let x = try #require(r.excluded.first { $0.scope == "kpi:E.ONLY" })
        #expect(x.city == nil)
        #expect(x.reason.contains("only one city"))
    }

    @Test func fieldCoverageExactlyTwoThirdsQualifiesAndBelowDoesNot() throws {
        // egov has m = 3 ranked KPIs → ⌈2/3·3⌉ = 2 needed. B has 2 (qualifies), C has 1 (excluded).
        // B's field score = mean of its E1 and E2 scores. E1: A 4, B 3, C 2, D 0 → B 75;
        // E2: A 10, B 0, D 5 → B 0. So B = 37.5.
        let r = try Fixture.rank([
            Fixture.cell("A", "E.E1", 4), Fixture.cell("B", "E.E1", 3), Fixture.cell("C", "E.E1", 2), Fixture.cell("D", "E.E1", 0),
            Fixture.cell("A", "E.E2", 10), Fixture.cell("B", "E.E2", 0), Fixture.cell("D", "E.E2", 5),
            Fixture.cell("A", "E.E3", 1), Fixture.cell("D", "E.E3", 2),
        ], Fixture.catalog(Fixture.kpi("E.E1"), Fixture.kpi("E.E2"), Fixture.kpi("E.E3")))
        let field = try #require(r.fields.first)
        #expect(Set(field.cities.map(\.city)) == ["A", "B", "D"])
        let b = try #require(field.cities.first { $0.city == "B" })
        #expect(b.score == 37.5)
        #expect(b.coverage == 2.0 / 3.0)
        #expect(r.excluded.contains { $0.city == "C" && $0.scope == "field:egov" && $0.reason.contains("1 of 3") })
    }

    @Test func overallCoverageExactlyTwoThirdsQualifiesAndBelowDoesNot() throws {
        // f = 3 fields → 2 needed. A has all three, B two (egov, mobility), C one (egov).
        // Each KPI: the other cities give a range. B's overall = mean(egov, mobility).
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 10), Fixture.cell("B", "E.X", 0), Fixture.cell("C", "E.X", 5),
            Fixture.cell("A", "M.X", 0), Fixture.cell("B", "M.X", 10),
            Fixture.cell("A", "N.X", 1), Fixture.cell("D", "N.X", 3),
        ], Fixture.catalog(Fixture.kpi("E.X", .egov), Fixture.kpi("M.X", .mobility), Fixture.kpi("N.X", .energy)))
        // A: egov 100, mobility 0, energy 0 → 100/3. B: egov 0, mobility 100 → 50.
        #expect(r.overall.map(\.city) == ["B", "A"])
        #expect(r.overall.map(\.score) == [50, 100.0 / 3])
        #expect(r.excluded.contains { $0.city == "C" && $0.scope == "overall" && $0.reason.contains("1 of 3") })
        #expect(r.excluded.contains { $0.city == "D" && $0.scope == "overall" })
    }

    @Test func weightsAreRenormalisedAfterAMissingKPI() throws {
        // Weights E1 3, E2 1, E3 1 (m = 3, 2 needed). B lacks E3: B = (3·s1 + 1·s2)/(3+1).
        // E1: A 0, B 10 → B 100; E2: A 10, B 0 → B 0. B = 300/4 = 75.
        // A = (3·0 + 1·100 + 1·0)/5 = 20 (E3: A 0, C 10).
        var options = Fixture.plain
        options.kpiWeights = ["E.E1": 3]
        let r = try Fixture.rank([
            Fixture.cell("A", "E.E1", 0), Fixture.cell("B", "E.E1", 10),
            Fixture.cell("A", "E.E2", 10), Fixture.cell("B", "E.E2", 0),
            Fixture.cell("A", "E.E3", 0), Fixture.cell("C", "E.E3", 10),
        ], Fixture.catalog(Fixture.kpi("E.E1"), Fixture.kpi("E.E2"), Fixture.kpi("E.E3")), options)
        let field = try #require(r.fields.first)
        #expect(field.cities.map(\.city) == ["B", "A"])
        #expect(field.cities.map(\.score) == [75, 20])
    }

    @Test func geometricAggregationRewardsBalancedProfiles() throws {
        // Scores mapped to [1,100]: K1 A 100, B 50.5, C 1; K2 A 1, B 50.5, C 100.
        // Geometric: A √(100·1) = 10, B 50.5, C 10. (Arithmetic would tie all three at 50.)
        var options = Fixture.plain
        options.aggregate = .geometric
        let r = try Fixture.rank([
            Fixture.cell("A", "E.K1", 10), Fixture.cell("B", "E.K1", 5), Fixture.cell("C", "E.K1", 0),
            Fixture.cell("A", "E.K2", 0), Fixture.cell("B", "E.K2", 5), Fixture.cell("C", "E.K2", 10),
        ], Fixture.catalog(Fixture.kpi("E.K1"), Fixture.kpi("E.K2")), options)
        let field = try #require(r.fields.first)
        #expect(field.cities.map(\.city) == ["B", "A", "C"])
        #expect(abs(field.cities[0].score - 50.5) < 1e-12)
        #expect(abs(field.cities[1].score - 10) < 1e-12)
        #expect(field.cities.map(\.rank) == [1, 2, 2])
    }

    @Test func zscoreUsesPopulationSigmaAndDirectionBySign() throws {
        // 1, 2, 3: μ = 2, σ = √(2/3); lower → sign flipped: A (1) = +1/σ, C (3) = −1/σ.
        var options = Fixture.plain
        options.method = .zscore
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2), Fixture.cell("C", "E.X", 3),
        ], Fixture.catalog(Fixture.kpi("E.X", .egov, .lower)), options)
        let sigma = (2.0 / 3).squareRoot()
        #expect(r.kpis.first?.cities.map(\.city) == ["A", "B", "C"])
        #expect(r.kpis.first?.cities.map(\.score) == [1 / sigma, 0, -1 / sigma])
    }

    @Test func percentileRankCountsStrictlyWorseCities() throws {
        // 5, 5, 1, 9: worse-than counts 1, 1, 0, 3 over n−1 = 3.
        var options = Fixture.plain
        options.method = .rank
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 5), Fixture.cell("B", "E.X", 5), Fixture.cell("C", "E.X", 1), Fixture.cell("D", "E.X", 9),
        ], Fixture.catalog(Fixture.kpi("E.X")), options)
        #expect(r.kpis.first?.cities.map(\.score) == [100, 100.0 / 3, 100.0 / 3, 0])
    }

    @Test func targetMethodCapsAtTheTarget() throws {
        // target 50, min 0: A 100 → capped 100, B 25 → 50, C 0 → 0.
        var options = Fixture.plain
        options.method = .target
        options.targets = ["E.X": 50]
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 100), Fixture.cell("B", "E.X", 25), Fixture.cell("C", "E.X", 0),
        ], Fixture.catalog(Fixture.kpi("E.X")), options)
        #expect(r.kpis.first?.cities.map(\.score) == [100, 50, 0])
    }

    @Test func defaultPeriodIsTheLatestReportedByHalfTheCities() throws {
        // N = 4 cities, ⌈4/2⌉ = 2. 2023: only A → too few; 2022: A, B, C → chosen.
        // A's quarterly values (2) lose to the yearly granularity (8 values).
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", "2021", 1), Fixture.cell("A", "E.X", "2022", 2), Fixture.cell("A", "E.X", "2023", 3),
            Fixture.cell("B", "E.X", "2021", 1), Fixture.cell("B", "E.X", "2022", 5),
            Fixture.cell("C", "E.X", "2021", 1), Fixture.cell("C", "E.X", "2022", 4),
            Fixture.cell("D", "E.X", "2021", 1),
            Fixture.cell("A", "E.X", "2024-Q1", 9), Fixture.cell("A", "E.X", "2024-Q2", 9),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        let k = try #require(r.kpis.first)
        #expect(k.period.description == "2022")
        #expect(k.cities.map(\.city) == ["B", "C", "A"])
    }

    @Test func defaultPeriodFollowsTheMostCommonGranularity() throws {
        // Quarterly values dominate (4 vs 1): latest quarter with ⌈3/2⌉ = 2 cities is 2023-Q2.
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", "2023-Q1", 1), Fixture.cell("A", "E.X", "2023-Q2", 2),
            Fixture.cell("B", "E.X", "2023-Q2", 3), Fixture.cell("C", "E.X", "2023-Q3", 3),
            Fixture.cell("C", "E.X", "2024", 3),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        #expect(r.kpis.first?.period.description == "2023-Q2")
    }

    @Test func periodOptionFixesThePeriod() throws {
        var options = Fixture.plain
        options.period = Period("2021")
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", "2021", 1), Fixture.cell("A", "E.X", "2022", 2),
            Fixture.cell("B", "E.X", "2021", 3), Fixture.cell("B", "E.X", "2022", 1),
        ], Fixture.catalog(Fixture.kpi("E.X")), options)
        #expect(r.kpis.first?.period.description == "2021")
        #expect(r.kpis.first?.cities.first?.city == "B")
    }

    @Test func populationIsNeverRankedNorCountsTowardsAField() throws {
        let r = try Fixture.rank([
            Fixture.cell("A", "POP.TOTAL", 1000), Fixture.cell("B", "POP.TOTAL", 2000),
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        #expect(r.kpis.map(\.kpi) == ["E.X"])
        #expect(r.fields.map(\.field) == [.egov])
        #expect(!r.excluded.contains { $0.scope.contains("POP.TOTAL") })
    }

    @Test func fewerThanTwoCitiesIsAnError() {
        #expect(throws: RankingError.self) {
            try Fixture.rank([Fixture.cell("A", "E.X", 1), Fixture.cell("B", "POP.TOTAL", 5)], Fixture.catalog(Fixture.kpi("E.X")))
        }
    }

    @Test func duplicateCellsAreAnError() {
        let error = #expect(throws: RankingError.self) {
            try Fixture.rank([Fixture.cell("A", "E.X", 1), Fixture.cell("A", "E.X", 2), Fixture.cell("B", "E.X", 2)],
                             Fixture.catalog(Fixture.kpi("E.X")))
        }
        #expect(error?.code == .duplicateCell)
    }

    @Test func differingUnitsExcludeTheKPI() throws {
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 1, unit: "count"), Fixture.cell("B", "E.X", 2, unit: "percent"),
            Fixture.cell("A", "E.Y", 1), Fixture.cell("B", "E.Y", 2),
        ], Fixture.catalog(Fixture.kpi("E.X"), Fixture.kpi("E.Y")))
        #expect(r.kpis.map(\.kpi) == ["E.Y"])
        #expect(r.excluded.contains { $0.scope == "kpi:E.X" && $0.reason.contains("different units") })
    }

    @Test func weightsNamingUnknownKPIsAreAnError() {
        var options = Fixture.plain
        options.kpiWeights = ["E.NOPE": 2, "E.ALSO": 1]
        let error = #expect(throws: RankingError.self) {
            try Fixture.rank([Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2)], Fixture.catalog(Fixture.kpi("E.X")), options)
        }
        #expect(error?.message.contains("E.ALSO, E.NOPE") == true)
    }

    @Test func groupBySizeRanksWithinEachSizeClass() throws {
        // Small: S1 (10k) 1, S2 (12k) 3 → S2 first. Large: L1 (200k) 5, L2 (300k) 2 → L1 first.
        var options = Fixture.plain
        options.group = .size
        let r = try Fixture.rank([
            Fixture.cell("S1", "POP.TOTAL", 10_000), Fixture.cell("S2", "POP.TOTAL", 12_000),
            Fixture.cell("L1", "POP.TOTAL", 200_000), Fixture.cell("L2", "POP.TOTAL", 300_000),
            Fixture.cell("S1", "E.X", 1), Fixture.cell("S2", "E.X", 3), Fixture.cell("L1", "E.X", 5), Fixture.cell("L2", "E.X", 2),
        ], Fixture.catalog(Fixture.kpi("E.X")), options)
        #expect(r.groups.map(\.group) == ["large", "small"])
        #expect(r.groups[0].overall.map(\.city) == ["L1", "L2"])
        #expect(r.groups[1].overall.map(\.city) == ["S2", "S1"])
        #expect(r.overall.map(\.city) == ["L1", "S2", "L2", "S1"])
    }

    @Test func groupByCountryUsesCityFacts() throws {
        var options = Fixture.plain
        options.group = .country
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 3), Fixture.cell("C", "E.X", 5),
        ], Fixture.catalog(Fixture.kpi("E.X")), options,
            cities: [CityInfo(label: "A", country: "DE"), CityInfo(label: "B", country: "DE"), CityInfo(label: "C", country: "AT")])
        #expect(r.groups.map(\.group) == ["DE"])
        #expect(r.groups[0].overall.map(\.city) == ["B", "A"])
        #expect(r.excluded.contains { $0.scope == "group:AT" })
    }

    @Test func trendRanksTheMostImprovedOnACommonScale() throws {
        // Panel over both years: min 10, max 30. A 10 → 30: 0 → 100, +100.
        // B 20 → 20: 50 → 50, 0. C 30 → 25: 100 → 75, −25.
        var options = Fixture.plain
        options.trend = TrendSpan(from: Period("2021")!, to: Period("2023")!)
        let r = try Fixture.rank([
            Fixture.cell("A", "E.X", "2021", 10), Fixture.cell("A", "E.X", "2023", 30),
            Fixture.cell("B", "E.X", "2021", 20), Fixture.cell("B", "E.X", "2023", 20),
            Fixture.cell("C", "E.X", "2021", 30), Fixture.cell("C", "E.X", "2023", 25),
        ], Fixture.catalog(Fixture.kpi("E.X")), options)
        let t = try #require(r.trend)
        #expect(t.kpis.first?.cities.map(\.city) == ["A", "B", "C"])
        #expect(t.kpis.first?.cities.map(\.change) == [100, 0, -25])
        #expect(t.overall.map(\.change) == [100, 0, -25])
    }

    @Test func jrcOutlierRuleWinsorisesAnExtremeValue() throws {
        // 1…19 and 1000: skew ≈ 4.2, excess kurtosis ≈ 16 → 1000 is pulled in to 19.
        // Then the city with 18 scores (18−1)/(19−1)·100 instead of ≈1.7.
        var options = Fixture.plain
        options.outliers = .jrc
        var cells = (1...19).map { Fixture.cell("C\($0)", "E.X", Double($0)) }
        cells.append(Fixture.cell("Z", "E.X", 1000))
        let r = try Fixture.rank(cells, Fixture.catalog(Fixture.kpi("E.X")), options)
        let c18 = try #require(r.kpis.first?.cities.first { $0.city == "C18" })
        #expect(abs(c18.score - 100 * 17.0 / 18) < 1e-12)
        #expect(r.notes.contains { $0.contains("winsorised") })
        #expect(r.kpis.first?.cities.first { $0.city == "Z" }?.x == 1000)
    }

    @Test func sharedLabelsOfTwoOriginsGetOriginSuffixes() throws {
        let r = try Fixture.rank([
            Fixture.cell("Neustadt", "E.X", 1, origin: "aaaaaa111111"), Fixture.cell("Neustadt", "E.X", 2, origin: "bbbbbb222222"),
            Fixture.cell("Aachen", "E.X", 3, origin: "cccccc333333"),
        ], Fixture.catalog(Fixture.kpi("E.X")))
        #expect(r.kpis.first?.cities.map(\.city) == ["Aachen", "Neustadt (bbbbbb)", "Neustadt (aaaaaa)"])
        #expect(r.kpis.first?.cities.first?.origin == "cccccc333333")
    }

    @Test func bestPracticeListsTopCitiesWithTheirProjectsAndOverRepresentedCategories() throws {
        // 8 cities, top quartile = 2 (H, G). Both have an ev-charging project linked to M.EV;
        // of the other 6 only A has one: 2/2 vs 1/6 → over-represented.
        var cells: [Cell] = []
        for (i, name) in ["A", "B", "C", "D", "E", "F", "G", "H"].enumerated() { cells.append(Fixture.cell(name, "M.EV", Double(i))) }
        let projects = ["H", "G", "A"].map {
            ProjectDescriptor(city: $0, field: .mobility, category: .evCharging, status: .active, startYear: 2021, kpis: ["M.EV"])
        }
        var options = Fixture.plain
        options.bestPracticeTop = 2
        let r = try Fixture.rank(cells, Fixture.catalog(Fixture.kpi("M.EV", .mobility)), options, projects: projects)
        let b = try #require(r.bestPractice.first { $0.scope == "kpi:M.EV" })
        #expect(b.top.map(\.city) == ["H", "G"])
        #expect(b.top[0].projects == [SharedProject(category: .evCharging, status: .active, startYear: 2021)])
        #expect(b.overRepresented == [OverRepresentedCategory(category: .evCharging, topCount: 2, topCities: 2, restCount: 1, restCities: 6)])
    }

    @Test func filtersKeepOnlyTheChosenKPIsAndField() throws {
        var options = Fixture.plain
        options.field = .mobility
        let cells = [
            Fixture.cell("A", "E.X", 1), Fixture.cell("B", "E.X", 2),
            Fixture.cell("A", "M.X", 1), Fixture.cell("B", "M.X", 2),
        ]
        let catalog = Fixture.catalog(Fixture.kpi("E.X"), Fixture.kpi("M.X", .mobility))
        #expect(try Fixture.rank(cells, catalog, options).kpis.map(\.kpi) == ["M.X"])
        options.field = nil
        options.kpis = ["E.X"]
        #expect(try Fixture.rank(cells, catalog, options).kpis.map(\.kpi) == ["E.X"])
    }
}
