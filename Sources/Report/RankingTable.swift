import Foundation
import Model
import Ranking

/// The `rank --format table` text: fits an 80-column terminal, numbers right-aligned, ranks
/// whose intervals overlap a neighbour's marked `~` (statistically tied), then what was
/// excluded and why.
public enum RankingTable {
    public static func render(_ r: RankingResult) -> String {
        var out: [String] = []
        let runs = r.options.uncertaintyRuns
        out.append(contentsOf: TextLayout.wrap("Ranking: method \(r.options.method.rawValue), \(r.options.aggregate.rawValue) mean, period \(r.options.period?.description ?? "latest per KPI (design rule)"), uncertainty \(runs == 0 ? "off" : "\(runs) runs, seed \(r.options.seed)")"))
        out.append("")
        out.append("Overall")
        out.append(contentsOf: composite(r.overall))
        for f in r.fields {
            out.append("")
            out.append("Field \(f.field.rawValue): \(f.field.title)")
            out.append(contentsOf: composite(f.cities))
        }
        for g in r.groups {
            out.append("")
            out.append("Group \(g.group): overall")
            out.append(contentsOf: composite(g.overall))
        }
        for k in r.kpis {
            out.append("")
            out.append(TextLayout.truncate("KPI \(k.kpi) (\(k.field.rawValue), \(k.direction.rawValue) is better, \(k.unit)), period \(k.period)", TextLayout.terminalWidth))
            out.append(TextLayout.left("Rank", 6) + TextLayout.left("City", 34) + TextLayout.right("Value", 14) + TextLayout.right("x", 14) + TextLayout.right("Score", 10))
            for e in k.cities {
                out.append(TextLayout.right(String(e.rank), 4) + "  " + TextLayout.left(e.city, 34) + TextLayout.right(TextLayout.number(e.value), 14)
                           + TextLayout.right(TextLayout.number(e.x), 14) + TextLayout.right(TextLayout.number(e.score), 10))
            }
        }
        if let t = r.trend {
            out.append("")
            out.append("Most improved \(t.from) to \(t.to) (change of score on a common scale)")
            for e in t.overall {
                out.append(TextLayout.right(String(e.rank), 4) + "  " + TextLayout.left(e.city, 40) + TextLayout.right(TextLayout.number(e.change), 12))
            }
        }
        if !r.excluded.isEmpty {
            out.append("")
            out.append("Excluded")
            for x in r.excluded {
                out.append(contentsOf: TextLayout.wrap("- \(x.scope)\(x.city.map { ", \($0)" } ?? ""): \(x.reason)", indent: 4))
            }
        }
        for note in r.notes { out.append(contentsOf: TextLayout.wrap("Note: \(note)")) }
        return out.joined(separator: "\n") + "\n"
    }

    static func composite(_ entries: [CompositeEntry]) -> [String] {
        guard !entries.isEmpty else { return ["  (no city has enough coverage)"] }
        let tied = TextLayout.statisticallyTied(entries)
        var lines = [TextLayout.left("Rank", 8) + TextLayout.left("City", 34) + TextLayout.right("Score", 9) + TextLayout.right("Median", 8)
                     + TextLayout.right("Interval", 11) + TextLayout.right("Cover", 8)]
        for (i, e) in entries.enumerated() {
            lines.append(TextLayout.right(String(e.rank), 4) + (tied.contains(i) ? " ~  " : "    ") + TextLayout.left(e.city, 34)
                         + TextLayout.right(TextLayout.number(e.score), 9) + TextLayout.right(e.uncertainty.map { String($0.median) } ?? "", 8)
                         + TextLayout.right(TextLayout.interval(e.uncertainty), 11) + TextLayout.right(String(format: "%.0f%%", e.coverage * 100), 8))
        }
        if !tied.isEmpty { lines.append("  ~ rank interval (5-95 %) overlaps a neighbour's: statistically tied") }
        return lines
    }
}
