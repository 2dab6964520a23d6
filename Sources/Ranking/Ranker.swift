import Foundation
import Model

/// The ranking engine of design §7: pure code from cells to rankings. Cities, KPIs and fields
/// are processed in sorted order, so the result does not depend on the order of the input.
public enum Ranker {
    /// Ranks `input` under `options`. Throws for fewer than two cities, unknown KPI codes in
    /// weights, targets or filters, duplicate cells and invalid options; everything that is
    /// merely left out appears in `excluded` with its reason.
    public static func rank(_ input: RankingInput, catalog: KPICatalog,
                            options: RankingOptions = RankingOptions()) throws(RankingError) -> RankingResult {
        try validate(options, catalog: catalog)
        let columns = input.columns
        let cities = CityTable(columns)
        var hasKPI = [Bool](repeating: false, count: cities.count)
        let population = columns.kpiIndex(KPIDefinition.populationCode).map(Int32.init) ?? -1
        for i in 0..<columns.count where columns.kpi[i] != population { hasKPI[Int(cities.cityOfCell[i])] = true }
        let rankable = hasKPI.filter { $0 }.count
        guard rankable >= 2 else {
            throw RankingError(.tooFewCities, "the input holds KPI values of \(rankable) \(rankable == 1 ? "city" : "cities"); a ranking needs at least two")
        }
        var state = RunState(cities: cities, catalog: catalog, options: options)
        try state.prepare(columns)
        state.rankKPIs()
        var result = state.composites()
        result.bestPractice = BestPracticeFinder.find(result: result, projects: input.projects, cities: cities,
                                                      top: options.bestPracticeTop)
        if options.group != .none {
            result.groups = try groups(input, catalog: catalog, options: options, cities: cities, state: state,
                                       excluded: &result.excluded)
        }
        if let span = options.trend { result.trend = state.trend(span) }
        result.excluded.sort()
        return result
    }

    static func validate(_ options: RankingOptions, catalog: KPICatalog) throws(RankingError) {
        let unknownWeights = options.kpiWeights.keys.filter { !catalog.contains($0) }.sorted()
        if !unknownWeights.isEmpty {
            throw RankingError(.unknownWeight, "weights name KPI codes the catalog does not define: \(unknownWeights.joined(separator: ", "))")
        }
        let unknownTargets = options.targets.keys.filter { !catalog.contains($0) }.sorted()
        if !unknownTargets.isEmpty {
            throw RankingError(.unknownWeight, "targets name KPI codes the catalog does not define: \(unknownTargets.joined(separator: ", "))")
        }
        let unknownFilter = options.kpis.filter { !catalog.contains($0) }.sorted()
        if !unknownFilter.isEmpty {
            throw RankingError(.unknownKPI, "--kpi names codes the catalog does not define: \(unknownFilter.joined(separator: ", "))")
        }
        for (name, w) in options.kpiWeights.map({ ($0.key, $0.value) }) + options.fieldWeights.map({ ($0.key.rawValue, $0.value) })
        where !(w.isFinite && w > 0) {
            throw RankingError(.invalidWeight, "the weight of \(name) must be a positive number, not \(w)")
        }
        if options.uncertaintyRuns < 0 {
            throw RankingError(.invalidOption, "--uncertainty must be 0 (off) or a positive number of runs")
        }
        if options.bestPracticeTop < 0 {
            throw RankingError(.invalidOption, "the number of best-practice cities must not be negative")
        }
    }

    /// Rankings within peer groups: each group is ranked on its own cells with the same options.
    static func groups(_ input: RankingInput, catalog: KPICatalog, options: RankingOptions, cities: CityTable,
                       state: RunState, excluded: inout [Exclusion]) throws(RankingError) -> [GroupRanking] {
        var infoByKey: [String: CityInfo] = [:]
        for info in input.cities { infoByKey[info.cityKey] = info }
        var members: [String: Set<String>] = [:]
        for c in 0..<cities.count {
            let key = cities.keys[c]
            let group: String?
            switch options.group {
            case .none: group = nil
            case .country: group = infoByKey[key]?.country
            case .size: group = (infoByKey[key]?.sizeClass ?? state.latestPopulation(c).map { SizeClass(population: $0) })?.rawValue
            }
            guard let group else {
                excluded.append(Exclusion(city: cities.labels[c], scope: "group",
                                          reason: options.group == .size ? "no population to place it in a size class" : "no country given"))
                continue
            }
            members[group, default: []].insert(key)
        }
        var sub = options
        sub.group = .none
        sub.trend = nil
        sub.bestPracticeTop = 0
        var out: [GroupRanking] = []
        for group in members.keys.sorted() {
            let keys = members[group]!
            let cells = input.cells.filter { keys.contains($0.cityKey) }
            do {
                let r = try rank(RankingInput(cells: cells), catalog: catalog, options: sub)
                out.append(GroupRanking(group: group, fields: r.fields, overall: r.overall))
            } catch where error.code == .tooFewCities {
                excluded.append(Exclusion(city: nil, scope: "group:\(group)", reason: "only one city in this group, so it is not ranked"))
            }
        }
        return out
    }
}

/// The cities of one input, indexed in label order, with their display labels (design §7:
/// ` (<6 hex of origin>)` appended where two origins share a label).
struct CityTable: Sendable {
    let keys: [String]
    let labels: [String]
    let origins: [String?]
    let index: [String: Int]
    var count: Int { keys.count }

    /// The city index of every cell, in cell order.
    let cityOfCell: [Int32]

    init(_ columns: CellColumns) {
        // Distinct keys over the distinct (origin, label) pairs, in order of first appearance,
        // which is the order the cells would meet them in.
        var keyIndex: [String: Int] = [:]
        var firstLabel: [String] = []
        var origins: [String?] = []
        var keyOfName = [Int32](repeating: 0, count: columns.names.count)
        for (n, name) in columns.names.enumerated() {
            let key = name.origin ?? name.city
            let k: Int
            if let known = keyIndex[key] { k = known } else {
                k = firstLabel.count
                keyIndex[key] = k
                firstLabel.append(name.city)
                origins.append(name.origin)
            }
            // The smallest label an origin used, so the choice does not depend on row order.
            if name.city < firstLabel[k] { firstLabel[k] = name.city }
            keyOfName[n] = Int32(k)
        }
        let provisionalKeys = Array(keyIndex.keys)
        var keysPerLabel: [String: Int] = [:]
        for l in firstLabel { keysPerLabel[l, default: 0] += 1 }
        var rows: [(display: String, key: String, origin: String?, old: Int)] = provisionalKeys.map { key in
            let i = keyIndex[key]!
            let shared = keysPerLabel[firstLabel[i], default: 0] > 1
            let display = shared && origins[i] != nil ? "\(firstLabel[i]) (\(origins[i]!.prefix(6)))" : firstLabel[i]
            return (display, key, origins[i], i)
        }
        rows.sort { $0.display != $1.display ? $0.display < $1.display : $0.key < $1.key }
        keys = rows.map(\.key)
        labels = rows.map(\.display)
        self.origins = rows.map(\.origin)
        var remap = [Int32](repeating: 0, count: rows.count)
        var index: [String: Int] = [:]
        for (new, row) in rows.enumerated() {
            remap[row.old] = Int32(new)
            index[row.key] = new
        }
        self.index = index
        let cityOfName = keyOfName.map { remap[Int($0)] }
        cityOfCell = columns.name.map { cityOfName[Int($0)] }
    }
}

/// A compact integer for a period, unique per period.
@inline(__always) func periodKey(_ p: Period) -> Int {
    let g: Int
    switch p.granularity { case .year: g = 0; case .quarter: g = 1; case .month: g = 2 }
    return p.year * 64 + g * 16 + p.index
}
