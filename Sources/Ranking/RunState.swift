import Foundation
import Model

/// One ranked KPI's values at its chosen period, over the cities that have one.
struct KPIData: Sendable {
    let definition: KPIDefinition
    let period: Period
    let cityIndexes: [Int]
    let values: [Double]
    /// After per-capita scaling.
    let x: [Double]
    /// After outlier treatment (equal to `x` without it).
    let treated: [Double]
}

/// The working state of one ranking run: cells grouped by KPI, populations, ranked KPIs.
struct RunState {
    let cities: CityTable
    let catalog: KPICatalog
    let options: RankingOptions
    private(set) var columns = CellColumns()
    /// Indexes into `columns` per KPI code (population excluded), in input order.
    private(set) var cellsOfKPI: [String: [Int32]] = [:]
    /// Positive populations per city by `periodKey`.
    private(set) var population: [[Int: Double]]
    private(set) var latestPopulationPeriod: [Period?]
    /// `periodKey` of every distinct period of the input.
    private(set) var periodKeys: [Int] = []
    /// The city index of every cell.
    private(set) var cityOfCell: [Int32] = []
    private(set) var ranked: [KPIData] = []
    private(set) var excluded: [Exclusion] = []
    private(set) var notes: [String] = []
    /// Point scores per ranked KPI (`[kpi][city]`, NaN where none).
    private(set) var scores: [[Double]] = []
    private(set) var kpiRankings: [KPIRanking] = []

    init(cities: CityTable, catalog: KPICatalog, options: RankingOptions) {
        self.cities = cities
        self.catalog = catalog
        self.options = options
        population = Array(repeating: [:], count: cities.count)
        latestPopulationPeriod = Array(repeating: nil, count: cities.count)
    }

    /// Groups cells by KPI, refuses duplicates and collects populations (≤ 0 counts as missing).
    mutating func prepare(_ input: CellColumns) throws(RankingError) {
        columns = input
        cityOfCell = cities.cityOfCell
        periodKeys = input.periods.map(periodKey)
        let populationKPI = input.kpiIndex(KPIDefinition.populationCode).map(Int32.init) ?? -1
        var populationSeen: [Set<Int>] = Array(repeating: [], count: cities.count)
        var byKPI = [[Int32]](repeating: [], count: input.kpiCodes.count)
        input.kpi.withUnsafeBufferPointer { kpi in
            // Sized first, so the lists never grow by copying.
            var sizes = [Int](repeating: 0, count: input.kpiCodes.count)
            for i in 0..<kpi.count { sizes[Int(kpi[i])] += 1 }
            for k in byKPI.indices where Int32(k) != populationKPI { byKPI[k].reserveCapacity(sizes[k]) }
            for i in 0..<kpi.count where kpi[i] != populationKPI { byKPI[Int(kpi[i])].append(Int32(i)) }
        }
        if populationKPI >= 0 {
            for i in 0..<input.count where input.kpi[i] == populationKPI {
                let c = Int(cityOfCell[i])
                let period = input.periods[Int(input.period[i])]
                let key = periodKeys[Int(input.period[i])]
                if populationSeen[c].contains(key) {
                    throw RankingError(.duplicateCell, "\(cities.labels[c]) has two values for \(KPIDefinition.populationCode) in \(period); keep one")
                }
                populationSeen[c].insert(key)
                let v = input.value[i]
                if input.hasValue[i], v > 0, v.isFinite {
                    population[c][key] = v
                    if latestPopulationPeriod[c].map({ $0 < period }) ?? true { latestPopulationPeriod[c] = period }
                }
            }
        }
        for (k, indexes) in byKPI.enumerated() where !indexes.isEmpty { cellsOfKPI[input.kpiCodes[k]] = indexes }
        // Duplicates: mark each KPI's (city, period) slots with the KPI's number; only a KPI
        // that meets a marked slot is searched again (sorted) for the message.
        let periodCount = input.periods.count
        var mark = [Int32](repeating: -1, count: cities.count * periodCount)
        for (number, kpi) in cellsOfKPI.keys.sorted().enumerated() {
            let indexes = cellsOfKPI[kpi]!
            let stamp = Int32(number)
            var duplicate = false
            mark.withUnsafeMutableBufferPointer { mark in
                cityOfCell.withUnsafeBufferPointer { cityOfCell in
                    input.period.withUnsafeBufferPointer { period in
                        for i in indexes {
                            let slot = Int(cityOfCell[Int(i)]) * periodCount + Int(period[Int(i)])
                            if mark[slot] == stamp { duplicate = true; break }
                            mark[slot] = stamp
                        }
                    }
                }
            }
            guard duplicate else { continue }
            var keys = indexes.map { Int(cityOfCell[Int($0)]) << 20 | periodKeys[Int(input.period[Int($0)])] }
            keys.sort()
            for j in keys.indices.dropFirst() where keys[j] == keys[j - 1] {
                let c = keys[j] >> 20
                let period = input.periods.first { periodKey($0) == keys[j] & 0xFFFFF }!
                throw RankingError(.duplicateCell, "\(cities.labels[c]) has two values for \(kpi) in \(period); keep one")
            }
        }
    }

    func latestPopulation(_ c: Int) -> Double? {
        latestPopulationPeriod[c].flatMap { population[c][periodKey($0)] }
    }

    /// `POP.TOTAL` of the city for the period, else for its calendar year.
    func population(_ c: Int, _ p: Period) -> Double? {
        population[c][periodKey(p)] ?? population[c][periodKey(Period(year: p.year))]
    }

    /// The KPIs to consider: defined, not population, and passing the filters.
    func candidateKPIs(excluded: inout [Exclusion]) -> [KPIDefinition] {
        var out: [KPIDefinition] = []
        for code in cellsOfKPI.keys.sorted() {
            if !options.kpis.isEmpty && !options.kpis.contains(code) { continue }
            guard let d = catalog[code] else {
                if options.field == nil {
                    excluded.append(Exclusion(city: nil, scope: "kpi:\(code)", reason: "no definition in the catalog (add one with --catalog)"))
                }
                continue
            }
            if let f = options.field, d.field != f { continue }
            var unitSeen = [Bool](repeating: false, count: columns.units.count)
            if !columns.units.isEmpty {
                for i in cellsOfKPI[code]! where columns.unit[Int(i)] >= 0 { unitSeen[Int(columns.unit[Int(i)])] = true }
            }
            let units = Set(columns.units.indices.filter { unitSeen[$0] }.map { columns.units[$0] }).sorted()
            if units.count > 1 {
                excluded.append(Exclusion(city: nil, scope: "kpi:\(code)", reason: "cities report it in different units (\(units.joined(separator: ", ")))"))
                continue
            }
            if let u = units.first, u != d.unit {
                excluded.append(Exclusion(city: nil, scope: "kpi:\(code)", reason: "reported in '\(u)' but the catalog defines it in '\(d.unit)'"))
                continue
            }
            out.append(d)
        }
        return out
    }

    /// Design §7 period rule: `--period`, else within the KPI's most common granularity the
    /// latest period reported by at least ⌈N/2⌉ of the N cities reporting it at all. Counts
    /// per distinct period of the input, no sorting.
    func choosePeriod(_ indexes: [Int32]) -> Period? {
        if let p = options.period { return p }
        // Cells are unique per (city, period), so counting cells with a value per period
        // counts cities.
        var reporting = [Bool](repeating: false, count: cities.count)
        var reportingCount = 0
        var citiesPerPeriod = [Int](repeating: 0, count: columns.periods.count)
        for i in indexes where columns.hasValue[Int(i)] {
            let c = Int(cityOfCell[Int(i)])
            if !reporting[c] { reporting[c] = true; reportingCount += 1 }
            citiesPerPeriod[Int(columns.period[Int(i)])] += 1
        }
        guard reportingCount > 0 else { return nil }
        var perGranularity = [0, 0, 0]
        for (p, n) in citiesPerPeriod.enumerated() { perGranularity[granularityIndex(columns.periods[p].granularity)] += n }
        // Most values; on a tie the coarser granularity.
        var g = 0
        for k in 1..<3 where perGranularity[k] > perGranularity[g] { g = k }
        let need = (reportingCount + 1) / 2
        var best: Period? = nil
        for (p, n) in citiesPerPeriod.enumerated() where n >= need && n > 0 {
            let period = columns.periods[p]
            if granularityIndex(period.granularity) == g && best.map({ $0 < period }) ?? true { best = period }
        }
        return best
    }

    private func granularityIndex(_ g: Period.Granularity) -> Int {
        switch g { case .year: 0; case .quarter: 1; case .month: 2 }
    }

    /// Per-capita value of cell `i`, or nil with the reason it has none.
    func scaledValue(_ i: Int, _ d: KPIDefinition, city c: Int) -> (Double?, String?) {
        let v = columns.value[i]
        let period = columns.periods[Int(columns.period[i])]
        guard columns.hasValue[i], v.isFinite else { return (nil, "value suppressed or missing for \(period)") }
        guard let per = d.perCapita, !columns.scaled[i] else { return (v, nil) }
        guard let pop = population(c, period) else {
            return (nil, "no population (POP.TOTAL) for \(period), so no per-capita value")
        }
        return (v / pop * Double(per), nil)
    }

    /// What step 1 makes of one candidate KPI: its data if it can be ranked, what was left
    /// out and why, and a note on outlier treatment.
    struct KPIOutcome: Sendable {
        var data: KPIData?
        var excluded: [Exclusion] = []
        var note: String?
    }

    /// Period choice, per-capita values and outlier treatment of one candidate KPI.
    func prepareKPI(_ d: KPIDefinition) -> KPIOutcome {
        var outcome = KPIOutcome()
        let scope = "kpi:\(d.code)"
        let indexes = cellsOfKPI[d.code]!
        guard let period = choosePeriod(indexes) else {
            outcome.excluded.append(Exclusion(city: nil, scope: scope, reason: "no values reported"))
            return outcome
        }
        let chosen = columns.periods.firstIndex(of: period).map(Int32.init) ?? -1
        var rows: [(c: Int, value: Double, x: Double)] = []
        for i32 in indexes where columns.period[Int(i32)] == chosen {
            let i = Int(i32)
            let c = Int(cityOfCell[i])
            let (x, reason) = scaledValue(i, d, city: c)
            if let x { rows.append((c, columns.value[i], x)) } else if let reason {
                outcome.excluded.append(Exclusion(city: cities.labels[c], scope: scope, reason: reason))
            }
        }
        guard rows.count >= 2 else {
            let what = rows.isEmpty ? "no city has a value" : "only one city has a value"
            outcome.excluded.append(Exclusion(city: nil, scope: scope, reason: "\(what) for \(period) (a ranking needs at least two)"))
            return outcome
        }
        rows.sort { $0.c < $1.c }
        let x = rows.map(\.x)
        var treated = x
        if options.outliers == .jrc {
            let (t, moved) = Winsorisation.treat(x)
            if moved > 0 {
                treated = t
                outcome.note = "\(d.code): \(moved) extreme \(moved == 1 ? "value" : "values") winsorised (JRC skew/kurtosis rule)"
            }
        }
        outcome.data = KPIData(definition: d, period: period, cityIndexes: rows.map(\.c), values: rows.map(\.value),
                               x: x, treated: treated)
        return outcome
    }

    /// Steps 1–3 of design §7 for every candidate KPI, the KPIs spread over the cores and
    /// gathered in candidate order.
    mutating func rankKPIs() {
        var excluded: [Exclusion] = []
        let candidates = candidateKPIs(excluded: &excluded)
        let state = self
        for outcome in ParallelMap.map(candidates, { state.prepareKPI($0) }) {
            if let data = outcome.data { ranked.append(data) }
            excluded += outcome.excluded
            if let note = outcome.note { notes.append(note) }
        }
        self.excluded = excluded
        scores = matrix(method: options.method)
        let ready = self
        kpiRankings = ParallelMap.map(Array(ranked.indices)) { ready.kpiRanking($0) }
    }

    /// Step 3 for ranked KPI `k`: ranks of its scores and its listing.
    func kpiRanking(_ k: Int) -> KPIRanking {
        let data = ranked[k]
        var scratch = CompetitionRanking.Scratch()
        var ranks = [Int32](repeating: 0, count: cities.count)
        ranks.withUnsafeMutableBufferPointer { CompetitionRanking.fastRanks(scores[k], into: $0, scratch: &scratch) }
        let order = CompetitionRanking.listingOrder(data.cityIndexes.map { (Int(ranks[$0]), $0) })
        let entries = order.map { j in
            let c = data.cityIndexes[j]
            return KPIEntry(city: cities.labels[c], origin: cities.origins[c], value: data.values[j], x: data.x[j],
                            score: scores[k][c], rank: Int(ranks[c]))
        }
        return KPIRanking(kpi: data.definition.code, field: data.definition.field, direction: data.definition.direction,
                          unit: data.definition.unit, period: data.period, cities: entries)
    }

    /// Dense scores (`[kpi][city]`, NaN where none) of every ranked KPI under `method`.
    func matrix(method: NormalisationMethod) -> [[Double]] {
        ParallelMap.map(ranked) { data in
            let s = Normalisation.scores(data.treated, method: method, direction: data.definition.direction,
                                         target: options.targets[data.definition.code])
            var row = [Double](repeating: .nan, count: cities.count)
            for (j, c) in data.cityIndexes.enumerated() { row[c] = s[j] }
            return row
        }
    }

    /// Natural logs of each KPI's scores mapped to [1, 100], for geometric aggregation.
    static func geometricLogs(_ m: [[Double]]) -> [[Double]] {
        m.map { row in
            let present = row.indices.filter { !row[$0].isNaN }
            let mapped = Normalisation.toGeometricRange(present.map { row[$0] })
            var out = [Double](repeating: .nan, count: row.count)
            for (j, c) in present.enumerated() { out[c] = log(mapped[j]) }
            return out
        }
    }

    /// Steps 4–6 and uncertainty: field and overall composites with their ranks.
    func composites() -> RankingResult {
        var excluded = self.excluded
        let frame = CompositeFrame(scores: scores, kpiFields: ranked.map(\.definition.field), cityCount: cities.count)
        let kw = ranked.map { options.kpiWeights[$0.definition.code] ?? 1 }
        let fw = frame.fields.map { options.fieldWeights[$0] ?? 1 }
        let geometric = options.aggregate == .geometric
        let point = frame.aggregate(scores: geometric ? RunState.geometricLogs(scores) : scores,
                                    kpiWeights: kw, fieldWeights: fw, geometric: geometric)
        let fieldRanks = point.fields.map(CompetitionRanking.ranks)
        let overallRanks = CompetitionRanking.ranks(point.overall)
        var fieldU: [[RankUncertainty?]] = frame.fields.map { _ in Array(repeating: nil, count: cities.count) }
        var overallU: [RankUncertainty?] = Array(repeating: nil, count: cities.count)
        if options.uncertaintyRuns > 0 && !frame.fields.isEmpty {
            let methods: [NormalisationMethod] = [.minmax, .zscore, .rank]
            let matrices = methods.map { m in geometric ? RunState.geometricLogs(matrix(method: m)) : matrix(method: m) }
            (fieldU, overallU) = UncertaintyAnalysis.run(
                frame: frame, matrices: matrices, kpiWeights: kw, fieldWeights: fw, geometric: geometric,
                runs: options.uncertaintyRuns, seed: options.seed, pointFieldRanks: fieldRanks, pointOverallRanks: overallRanks)
        }
        func entries(_ s: [Double], _ r: [Int], _ u: [RankUncertainty?], coverage: (Int) -> Double) -> [CompositeEntry] {
            let present = (0..<cities.count).filter { !s[$0].isNaN }
            return CompetitionRanking.listingOrder(present.map { (r[$0], $0) }).map { j in
                let c = present[j]
                return CompositeEntry(city: cities.labels[c], origin: cities.origins[c], score: s[c], rank: r[c],
                                      coverage: coverage(c), uncertainty: u[c])
            }
        }
        var fields: [FieldRanking] = []
        for (f, field) in frame.fields.enumerated() {
            let m = frame.kpisOfField[f].count
            let need = twoThirdsCeiling(m)
            for c in 0..<cities.count where frame.presentCount[f][c] > 0 && !frame.fieldEligible[f][c] {
                excluded.append(Exclusion(city: cities.labels[c], scope: "field:\(field.rawValue)",
                                          reason: "scores for \(frame.presentCount[f][c]) of \(m) KPIs; at least \(need) are needed"))
            }
            fields.append(FieldRanking(field: field, cities: entries(point.fields[f], fieldRanks[f], fieldU[f]) {
                Double(frame.presentCount[f][$0]) / Double(m)
            }))
        }
        let fCount = frame.activeFields.count
        let hasKPIScore = (0..<cities.count).map { c in scores.contains { !$0[c].isNaN } }
        for c in 0..<cities.count where hasKPIScore[c] && !frame.overallEligible[c] {
            excluded.append(Exclusion(city: cities.labels[c], scope: "overall",
                                      reason: "field scores in \(frame.overallCount[c]) of \(fCount) fields; at least \(twoThirdsCeiling(fCount)) are needed"))
        }
        let overall = entries(point.overall, overallRanks, overallU) { Double(frame.overallCount[$0]) / Double(fCount) }
        return RankingResult(options: options, kpis: kpiRankings, fields: fields, overall: overall, excluded: excluded,
                             bestPractice: [], groups: [], trend: nil, notes: notes)
    }
}
