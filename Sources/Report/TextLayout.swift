import Foundation
import Ranking

/// Column layout for fixed-width text: padding, truncation, number formatting and wrapping.
enum TextLayout {
    /// Width of a terminal the table must fit.
    static let terminalWidth = 80

    static func left(_ s: String, _ width: Int) -> String {
        let t = truncate(s, width)
        return t + String(repeating: " ", count: max(0, width - t.count))
    }

    static func right(_ s: String, _ width: Int) -> String {
        let t = truncate(s, width)
        return String(repeating: " ", count: max(0, width - t.count)) + t
    }

    static func truncate(_ s: String, _ width: Int) -> String {
        s.count <= width ? s : String(s.prefix(max(0, width - 3))) + "..."
    }

    /// A score or value with two decimals, in compact exponent form when very large or small.
    static func number(_ v: Double) -> String {
        let a = abs(v)
        if a != 0 && (a >= 1e9 || a < 0.01) { return String(format: "%.3e", v) }
        return String(format: "%.2f", v)
    }

    static func interval(_ u: RankUncertainty?) -> String {
        guard let u else { return "" }
        return "\(u.interval.lowerBound)-\(u.interval.upperBound)"
    }

    /// Words wrapped to `width` columns, continuation lines indented by `indent`.
    static func wrap(_ text: String, width: Int = terminalWidth, indent: Int = 2) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: indent) + word
            } else {
                line += line.isEmpty ? String(word) : " " + word
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    /// Indexes of entries whose rank interval overlaps the interval of the entry above or
    /// below: these ranks are statistically tied.
    static func statisticallyTied(_ entries: [CompositeEntry]) -> Set<Int> {
        var tied = Set<Int>()
        for i in entries.indices.dropFirst() {
            guard let a = entries[i - 1].uncertainty?.interval, let b = entries[i].uncertainty?.interval else { continue }
            if a.overlaps(b) { tied.insert(i - 1); tied.insert(i) }
        }
        return tied
    }
}
