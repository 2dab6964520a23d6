import Model

extension RunState {
    /// The improvement league: per KPI, both periods' values on one min-max scale over the
    /// cities that have both (panel normalisation, so a change is a real change, not a shift
    /// of the others), `change = score(to) − score(from)`; composites of the changes follow
    /// the field and overall coverage rules with arithmetic weights.
    func trend(_ span: TrendSpan) -> TrendResult {
        var kpis: [KPITrend] = []
        var changes: [[Double]] = []
        var fieldsOfRows: [ActionField] = []
        var ignored: [Exclusion] = []
        for d in candidateKPIs(excluded: &ignored) {
            var from: [Int: Double] = [:], to: [Int: Double] = [:]
            let fromIndex = columns.periods.firstIndex(of: span.from).map(Int32.init) ?? -1
            let toIndex = columns.periods.firstIndex(of: span.to).map(Int32.init) ?? -1
            for i32 in cellsOfKPI[d.code]! where columns.period[Int(i32)] == fromIndex || columns.period[Int(i32)] == toIndex {
                let i = Int(i32)
                let c = Int(cityOfCell[i])
                guard let x = scaledValue(i, d, city: c).0 else { continue }
                if columns.period[i] == fromIndex { from[c] = x } else { to[c] = x }
            }
            let both = from.keys.filter { to[$0] != nil }.sorted()
            guard both.count >= 2 else { continue }
            let panel = Normalisation.minmax(both.map { from[$0]! } + both.map { to[$0]! }, direction: d.direction)
            var row = [Double](repeating: .nan, count: cities.count)
            var entries: [TrendEntry] = []
            for (j, c) in both.enumerated() {
                let change = panel[both.count + j] - panel[j]
                row[c] = change
                entries.append(TrendEntry(city: cities.labels[c], origin: cities.origins[c], fromScore: panel[j],
                                          toScore: panel[both.count + j], change: change, rank: 0))
            }
            let ranks = CompetitionRanking.ranks(row)
            for j in entries.indices { entries[j].rank = ranks[both[j]] }
            entries.sort { $0.rank != $1.rank ? $0.rank < $1.rank : $0.city < $1.city }
            kpis.append(KPITrend(kpi: d.code, cities: entries))
            changes.append(row)
            fieldsOfRows.append(d.field)
        }
        let frame = CompositeFrame(scores: changes, kpiFields: fieldsOfRows, cityCount: cities.count)
        let composite = frame.aggregate(
            scores: changes, kpiWeights: kpis.map { options.kpiWeights[$0.kpi] ?? 1 },
            fieldWeights: frame.fields.map { options.fieldWeights[$0] ?? 1 }, geometric: false).overall
        let ranks = CompetitionRanking.ranks(composite)
        let overall = (0..<cities.count).filter { !composite[$0].isNaN }.map { c in
            TrendEntry(city: cities.labels[c], origin: cities.origins[c], fromScore: nil, toScore: nil,
                       change: composite[c], rank: ranks[c])
        }.sorted { $0.rank != $1.rank ? $0.rank < $1.rank : $0.city < $1.city }
        return TrendResult(from: span.from, to: span.to, kpis: kpis, overall: overall)
    }
}

extension Ranker {
    /// A trend span the data allows, for reports that show trends without being asked: the
    /// earliest and latest periods of the most common granularity that at least two cities
    /// reported; nil when there are not two such periods.
    public static func availableTrendSpan(_ input: RankingInput) -> TrendSpan? {
        var perGranularity: [Period.Granularity: Int] = [:]
        var citiesPerPeriod: [Period: Set<String>] = [:]
        for c in input.cells where c.kpi != KPIDefinition.populationCode && c.value != nil {
            perGranularity[c.period.granularity, default: 0] += 1
            citiesPerPeriod[c.period, default: []].insert(c.cityKey)
        }
        guard let g = perGranularity.max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key })?.key else { return nil }
        let periods = citiesPerPeriod.filter { $0.key.granularity == g && $0.value.count >= 2 }.keys.sorted()
        guard let first = periods.first, let last = periods.last, first != last else { return nil }
        return TrendSpan(from: first, to: last)
    }
}
