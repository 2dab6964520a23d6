import Foundation
import Model
import Ranking

/// The `citybench report` file: one self-contained HTML page (inline CSS, inline SVG, no
/// scripts, no external assets) with the overall ranking and its rank intervals, a city ×
/// field heat map, a bar chart per KPI, trends, best practice and a methods section stating
/// every choice. Prints cleanly to PDF. Contains nothing that depends on paths, times or hosts.
public enum HTMLReport {
    static let style = """
    body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2em auto;max-width:60em;color:#111;line-height:1.4}
    h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em}
    table{border-collapse:collapse;margin:.5em 0;font-size:.9em}th,td{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
    td.num{text-align:right;font-variant-numeric:tabular-nums}
    svg{display:block;margin:.5em 0;max-width:100%;height:auto}
    svg .label,svg .tick{font-size:11px;fill:#222}svg .axis{font-size:12px;fill:#111;font-weight:600}svg .cell{font-size:10px}
    svg .dot{fill:#08306b}svg .whisker{stroke:#6baed6;stroke-width:3}svg .bar{fill:#4292c6}svg .axisline{stroke:#444}
    .note{color:#555;font-size:.9em}
    @media print{body{margin:0;max-width:none;font-size:10pt}h2{break-after:avoid}figure,table,section.chart{break-inside:avoid}a{color:inherit;text-decoration:none}}
    """

    /// The report for `result`; `catalog` supplies KPI names where it has them.
    public static func render(_ r: RankingResult, catalog: KPICatalog = KPICatalog()) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>citybench ranking report</title>\n<style>\n\(style)\n</style>\n</head>\n<body>\n"
        h += "<h1>citybench ranking report</h1>\n"
        h += "<p class=\"note\">Method \(e(r.options.method.rawValue)), \(e(r.options.aggregate.rawValue)) aggregation, \(r.kpis.count) ranked KPIs, \(r.overall.count) cities in the overall ranking. See <a href=\"#methods\">Methods</a> for every choice made.</p>\n"
        h += overallSection(r)
        h += heatMapSection(r)
        h += kpiSection(r, catalog: catalog)
        h += groupSection(r)
        h += trendSection(r)
        h += bestPracticeSection(r)
        h += exclusionSection(r)
        h += methodsSection(r)
        return h + "</body>\n</html>\n"
    }

    static func e(_ s: String) -> String { SVGChart.escape(s) }

    static func overallSection(_ r: RankingResult) -> String {
        var h = "<h2 id=\"overall\">Overall ranking</h2>\n"
        guard !r.overall.isEmpty else { return h + "<p>No city has field scores in enough fields for an overall score.</p>\n" }
        h += "<section class=\"chart\">"
        h += SVGChart.rankIntervals(title: "Overall rank with 5-95 % rank interval per city",
                                    rows: r.overall.map { ($0.city, $0.rank, $0.uncertainty?.interval) },
                                    maxRank: r.overall.map { max($0.rank, $0.uncertainty?.interval.upperBound ?? 0) }.max() ?? 1)
        h += shownNote(r.overall.count) + "</section>\n"
        let tied = TextLayout.statisticallyTied(r.overall)
        h += "<table><thead><tr><th>Rank</th><th>City</th><th>Score</th><th>Median rank</th><th>Rank interval</th><th>Coverage</th></tr></thead><tbody>\n"
        for (i, c) in r.overall.enumerated() {
            h += "<tr><td class=\"num\">\(c.rank)\(tied.contains(i) ? " ~" : "")</td><td>\(e(c.city))</td><td class=\"num\">\(TextLayout.number(c.score))</td><td class=\"num\">\(c.uncertainty.map { String($0.median) } ?? "")</td><td class=\"num\">\(TextLayout.interval(c.uncertainty))</td><td class=\"num\">\(Int((c.coverage * 100).rounded())) %</td></tr>\n"
        }
        h += "</tbody></table>\n"
        if !tied.isEmpty { h += "<p class=\"note\">~ marks ranks whose 5-95 % intervals overlap a neighbour's: statistically tied.</p>\n" }
        return h
    }

    static func heatMapSection(_ r: RankingResult) -> String {
        var h = "<h2 id=\"fields\">Cities by action field</h2>\n"
        guard !r.fields.isEmpty else { return h + "<p>No field scores.</p>\n" }
        var order = r.overall.map(\.city)
        var seen = Set(order)
        for f in r.fields { for c in f.cities where seen.insert(c.city).inserted { order.append(c.city) } }
        let lookup = r.fields.map { f in Dictionary(f.cities.map { ($0.city, $0.score) }, uniquingKeysWith: { first, _ in first }) }
        h += "<section class=\"chart\">"
        h += SVGChart.heatMap(title: "Field score per city and action field", columns: r.fields.map(\.field.rawValue),
                              rows: order.map { city in (city, lookup.map { $0[city] }) })
        return h + shownNote(order.count) + "</section>\n"
    }

    static func kpiSection(_ r: RankingResult, catalog: KPICatalog) -> String {
        var h = "<h2 id=\"kpis\">KPIs</h2>\n"
        if r.kpis.isEmpty { h += "<p>No KPI could be ranked.</p>\n" }
        for k in r.kpis {
            let name = catalog[k.kpi]?.name
            h += "<section class=\"chart\"><h3>\(e(k.kpi))\(name.map { " - " + e($0) } ?? "")</h3>"
            h += "<p class=\"note\">Field \(e(k.field.rawValue)), \(e(k.direction.rawValue)) is better, unit \(e(k.unit)), period \(e(k.period.description)).</p>"
            h += SVGChart.bars(title: "\(k.kpi): score per city (\(k.period))", xLabel: "Score (\(r.options.method.rawValue))",
                               rows: k.cities.map { ($0.city, $0.score) })
            h += shownNote(k.cities.count) + "</section>\n"
        }
        return h
    }

    static func groupSection(_ r: RankingResult) -> String {
        guard r.options.group != .none else { return "" }
        var h = "<h2 id=\"groups\">Peer groups (\(e(r.options.group.rawValue)))</h2>\n"
        if r.groups.isEmpty { h += "<p>No group has two or more cities.</p>\n" }
        for g in r.groups {
            h += "<h3>\(e(g.group))</h3>\n<table><thead><tr><th>Rank</th><th>City</th><th>Score</th><th>Rank interval</th></tr></thead><tbody>\n"
            for c in g.overall {
                h += "<tr><td class=\"num\">\(c.rank)</td><td>\(e(c.city))</td><td class=\"num\">\(TextLayout.number(c.score))</td><td class=\"num\">\(TextLayout.interval(c.uncertainty))</td></tr>\n"
            }
            h += "</tbody></table>\n"
        }
        return h
    }

    static func trendSection(_ r: RankingResult) -> String {
        var h = "<h2 id=\"trends\">Trends</h2>\n"
        guard let t = r.trend else {
            return h + "<p>No trend was computed: the data does not hold two comparable periods, or none was requested (<code>--trend FROM:TO</code>).</p>\n"
        }
        h += "<p>Change of score from \(e(t.from.description)) to \(e(t.to.description)) on a common min-max scale over both periods (positive = improved).</p>\n"
        guard !t.overall.isEmpty else { return h + "<p>No city has enough KPIs reported in both periods.</p>\n" }
        h += "<section class=\"chart\">"
        h += SVGChart.bars(title: "Most improved cities \(t.from) to \(t.to)", xLabel: "Change of overall score",
                           rows: t.overall.map { ($0.city, $0.change) })
        return h + shownNote(t.overall.count) + "</section>\n"
    }

    static func bestPracticeSection(_ r: RankingResult) -> String {
        var h = "<h2 id=\"best-practice\">Best practice</h2>\n"
        guard !r.bestPractice.isEmpty else { return h + "<p>No best practice to show.</p>\n" }
        h += "<table><thead><tr><th>Scope</th><th>Top cities and the projects they shared</th><th>Categories over-represented in the top quartile</th></tr></thead><tbody>\n"
        for b in r.bestPractice {
            let top = b.top.map { t in
                let projects = t.projects.map { "\($0.category.rawValue) (\($0.status.rawValue)\($0.startYear.map { ", since \($0)" } ?? ""))" }
                return "\(t.rank). \(e(t.city))" + (projects.isEmpty ? "" : ": " + e(projects.joined(separator: "; ")))
            }.joined(separator: "<br>")
            let over = b.overRepresented.map {
                "\(e($0.category.rawValue)): \($0.topCount) of \($0.topCities) top vs \($0.restCount) of \($0.restCities) others"
            }.joined(separator: "<br>")
            h += "<tr><td>\(e(b.scope))</td><td>\(top)</td><td>\(over.isEmpty ? "none" : over)</td></tr>\n"
        }
        return h + "</tbody></table>\n"
    }

    static func exclusionSection(_ r: RankingResult) -> String {
        var h = "<h2 id=\"excluded\">Excluded</h2>\n"
        guard !r.excluded.isEmpty else { return h + "<p>Nothing was excluded.</p>\n" }
        h += "<ul>\n"
        for x in r.excluded { h += "<li><code>\(e(x.scope))</code>\(x.city.map { " " + e($0) } ?? ""): \(e(x.reason))</li>\n" }
        return h + "</ul>\n"
    }

    static func methodsSection(_ r: RankingResult) -> String {
        let o = r.options
        var items: [String] = []
        items.append("Period: \(o.period.map { "fixed at \($0)" } ?? "per KPI, within its most common granularity the latest period reported by at least half of the cities that report it").")
        let method: String
        switch o.method {
        case .minmax: method = "min-max: score = 100·(x−min)/(max−min), mirrored for KPIs where lower is better; all cities score 100 when all values are equal"
        case .zscore: method = "z-score with the population standard deviation, sign flipped where lower is better"
        case .rank: method = "percentile rank: 100 × share of other cities with a worse value"
        case .target: method = "distance to target, capped at 100 (best observed value where no target is set)"
        }
        items.append("Normalisation: \(method). Per-capita KPIs are divided by POP.TOTAL of the same period (else year) and multiplied by their per-capita base; a city without population has no value.")
        items.append("Ranks: competition ranking (1224); scores within \(RankingOptions.tieTolerance) share a rank.")
        items.append("Aggregation: \(o.aggregate == .arithmetic ? "weighted arithmetic mean" : "weighted geometric mean over scores mapped to [1, 100]"); missing KPIs are dropped and weights renormalised. A city needs scores for at least two thirds (rounded up) of a field's ranked KPIs for a field score, and field scores in at least two thirds of the fields for an overall score.")
        let kw = o.kpiWeights.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
        let fw = o.fieldWeights.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }
        items.append("Weights: \(kw.isEmpty && fw.isEmpty ? "all 1" : (kw + fw).joined(separator: ", ") + ", all others 1").")
        if !o.targets.isEmpty { items.append("Targets: " + o.targets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ".") }
        items.append("Outliers: \(o.outliers == .jrc ? "JRC rule, winsorising up to \(RankingOptions.maxWinsorisedPoints) points while |skewness| > \(RankingOptions.skewLimit) and excess kurtosis > \(RankingOptions.kurtosisLimit)" : "no treatment").")
        items.append("Filters: \(o.kpis.isEmpty ? "all KPIs" : "KPIs " + o.kpis.sorted().joined(separator: ", "))\(o.field.map { ", field \($0.rawValue)" } ?? "").")
        items.append("Peer groups: \(o.group == .none ? "none" : "ranked within \(o.group.rawValue) groups as well").")
        items.append("Uncertainty: \(o.uncertaintyRuns == 0 ? "off" : "\(o.uncertaintyRuns) Monte Carlo runs with seed \(o.seed); each run multiplies every weight by (1 + \(RankingOptions.weightNoise)·U(−1,1)) and picks min-max, z-score or percentile normalisation at random; intervals are the 5th-95th percentile ranks, widened to contain the point rank").")
        items.append("Exclusions: \(r.excluded.count) (listed above).")
        items += r.notes.map { "Treatment: \($0)." }
        return "<h2 id=\"methods\">Methods</h2>\n<ul>\n" + items.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n"
    }

    static func shownNote(_ total: Int) -> String {
        total > SVGChart.maxRows ? "<p class=\"note\">The first \(SVGChart.maxRows) of \(total) cities are drawn.</p>" : ""
    }
}
