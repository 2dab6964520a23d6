import Model
@testable import Ranking

/// Small hand-made catalogs and cells for the worked examples.
enum Fixture {
    static func kpi(_ code: String, _ field: ActionField = .egov, _ direction: Direction = .higher,
                    perCapita: Int? = nil, unit: String = "count") -> KPIDefinition {
        KPIDefinition(code: code, name: code, unit: unit, direction: direction, field: field, perCapita: perCapita)
    }

    static func catalog(_ defs: KPIDefinition...) -> KPICatalog {
        KPICatalog(defs + [kpi("POP.TOTAL", .living, unit: "persons")])
    }

    static func cell(_ city: String, _ kpi: String, _ value: Double?, origin: String? = nil, unit: String? = nil) -> Cell {
        cell(city, kpi, "2023", value, origin: origin, unit: unit)
    }

    static func cell(_ city: String, _ kpi: String, _ period: String, _ value: Double?,
                     origin: String? = nil, scaled: Bool = false, unit: String? = nil) -> Cell {
        Cell(origin: origin, city: city, kpi: kpi, period: Period(period)!, value: value, scaled: scaled, unit: unit)
    }

    /// Options without Monte Carlo runs, for worked examples that only check point results.
    static var plain: RankingOptions {
        var o = RankingOptions()
        o.uncertaintyRuns = 0
        return o
    }

    static func rank(_ cells: [Cell], _ catalog: KPICatalog, _ options: RankingOptions = plain,
                     projects: [ProjectDescriptor] = [], cities: [CityInfo] = []) throws -> RankingResult {
        try Ranker.rank(RankingInput(cells: cells, cities: cities, projects: projects), catalog: catalog, options: options)
    }

    /// A random federation: `cities` cities, `kpis` KPIs over three fields, two years, some
    /// values missing, one per-capita KPI and populations.
    static func random(seed: UInt64, cities: Int, kpis: Int) -> (cells: [Cell], catalog: KPICatalog) {
        var rng = SeededGenerator(seed: seed)
        let fields: [ActionField] = [.egov, .mobility, .energy]
        var defs: [KPIDefinition] = []
        for k in 0..<kpis {
            defs.append(kpi("T.K\(k)", fields[k % fields.count], rng.next() % 2 == 0 ? .higher : .lower,
                            perCapita: k == 0 ? 1000 : nil))
        }
        var cells: [Cell] = []
        for c in 0..<cities {
            let name = "City\(c)"
            cells.append(cell(name, "POP.TOTAL", "2023", Double(1000 + rng.next() % 500_000)))
            for d in defs {
                for year in ["2022", "2023"] where rng.next() % 10 != 0 {
                    // Coarse values so that exact ties occur now and then.
                    cells.append(cell(name, d.code, year, Double(rng.next() % 20)))
                }
            }
        }
        return (cells, KPICatalog(defs + [kpi("POP.TOTAL", .living, unit: "persons")]))
    }
}
