import Foundation
import Model
import Ranking
import Report

/// What the demo prints and writes about its ranking: the overall ranking with rank intervals,
/// the best-practice highlights per action field, and the HTML report with the illustrative
/// notice at its top.
public enum DemoReport {
    /// The standard HTML report with a notice under its title that the data are illustrative.
    public static func html(_ result: RankingResult, catalog: KPICatalog) -> String {
        let html = HTMLReport.render(result, catalog: catalog)
        let notice = "<p class=\"note\"><strong>\(DemoData.notice).</strong> Produced by <code>citybench demo</code>.</p>\n"
        guard let title = html.range(of: "</h1>\n") else { return html.replacingOccurrences(of: "<body>\n", with: "<body>\n" + notice) }
        return html.replacingCharacters(in: title, with: "</h1>\n" + notice)
    }

    /// Lines for the terminal: the overall ranking and one best-practice line per field.
    public static func summary(_ result: RankingResult, rankedAt label: String) -> [String] {
        var lines: [String] = ["", "Overall ranking (\(DemoData.notice.lowercased()); ranked at \(label), \(result.options.uncertaintyRuns) uncertainty runs)"]
        lines.append(column("Rank", 6) + column("City", 22) + right("Score", 8) + right("Rank interval", 15) + right("Median", 8))
        for e in result.overall {
            let interval = e.uncertainty.map { "\($0.interval.lowerBound)–\($0.interval.upperBound)" } ?? "–"
            lines.append(right(String(e.rank), 4) + "  " + column(e.city, 22) + right(String(format: "%.1f", e.score), 8)
                         + right(interval, 15) + right(e.uncertainty.map { String($0.median) } ?? "", 8))
        }
        lines.append("A rank interval is the 5th–95th percentile of the city's rank when weights and normalisation vary;")
        lines.append("overlapping intervals mean the order between those cities is not settled by the data.")
        let highlights = result.bestPractice.filter { $0.scope.hasPrefix("field:") }
        if !highlights.isEmpty {
            lines.append("")
            lines.append("Best practice by action field (leader and the projects it shares):")
            for b in highlights {
                guard let leader = b.top.first else { continue }
                let projects = leader.projects.map { "\($0.category.rawValue) (\($0.status.rawValue)\($0.startYear.map { ", since \($0)" } ?? ""))" }
                lines.append("  " + column(String(b.scope.dropFirst(6)), 16) + leader.city
                             + (projects.isEmpty ? "" : ": " + projects.joined(separator: ", ")))
            }
        }
        lines.append("")
        return lines
    }

    static func column(_ s: String, _ width: Int) -> String { s.count >= width ? s + " " : s + String(repeating: " ", count: width - s.count) }
    static func right(_ s: String, _ width: Int) -> String { s.count >= width ? " " + s : String(repeating: " ", count: width - s.count) + s }
}
