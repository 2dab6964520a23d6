import Model
import Ranking

/// The `rank --format md` output: GitHub-flavoured Markdown tables.
public enum RankingMarkdown {
    public static func render(_ r: RankingResult) -> String {
        var out: [String] = ["# Ranking", ""]
        out.append("Method `\(r.options.method.rawValue)`, \(r.options.aggregate.rawValue) mean, period \(r.options.period?.description ?? "latest per KPI"), uncertainty \(r.options.uncertaintyRuns == 0 ? "off" : "\(r.options.uncertaintyRuns) runs").")
        func cell(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        func composite(_ title: String, _ list: [CompositeEntry]) {
            out += ["", "## \(title)", "", "| Rank | City | Score | Median rank | Rank interval | Coverage |", "|---:|---|---:|---:|---:|---:|"]
            let tied = TextLayout.statisticallyTied(list)
            for (i, e) in list.enumerated() {
                out.append("| \(e.rank)\(tied.contains(i) ? " ~" : "") | \(cell(e.city)) | \(TextLayout.number(e.score)) | \(e.uncertainty.map { String($0.median) } ?? "") | \(TextLayout.interval(e.uncertainty)) | \(Int((e.coverage * 100).rounded())) % |")
            }
        }
        composite("Overall", r.overall)
        for f in r.fields { composite("Field \(f.field.rawValue): \(f.field.title)", f.cities) }
        for k in r.kpis {
            out += ["", "## KPI \(k.kpi) (\(k.direction.rawValue) is better, \(cell(k.unit)), \(k.period))", "",
                    "| Rank | City | Value | x | Score |", "|---:|---|---:|---:|---:|"]
            for e in k.cities {
                out.append("| \(e.rank) | \(cell(e.city)) | \(TextLayout.number(e.value)) | \(TextLayout.number(e.x)) | \(TextLayout.number(e.score)) |")
            }
        }
        if !r.excluded.isEmpty {
            out += ["", "## Excluded", ""]
            for x in r.excluded { out.append("- `\(x.scope)`\(x.city.map { " \(cell($0))" } ?? ""): \(x.reason)") }
        }
        if out.contains(where: { $0.contains(" ~ |") }) { out += ["", "~ marks ranks whose 5–95 % intervals overlap a neighbour's (statistically tied)."] }
        return out.joined(separator: "\n") + "\n"
    }
}
