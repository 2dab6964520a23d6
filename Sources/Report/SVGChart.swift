import Foundation

/// Inline SVG charts for the HTML report: each a standalone `<svg>` with a `<title>` and
/// labelled axes, no scripts and no external references.
enum SVGChart {
    /// Cities shown in one chart at most; the rest are stated, not drawn.
    static let maxRows = 60
    /// Height of one city's row, in SVG units.
    static let rowHeight = 18.0
    /// Space left of the plot for city labels.
    static let labelWidth = 190.0
    /// Width of the plotting area.
    static let plotWidth = 440.0

    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    static func n(_ v: Double) -> String { String(format: "%.1f", v) }

    /// Horizontal rank chart: a dot at each city's point rank and a whisker over its interval.
    static func rankIntervals(title: String, rows: [(label: String, rank: Int, interval: ClosedRange<Int>?)], maxRank: Int) -> String {
        let shown = Array(rows.prefix(maxRows))
        let top = 30.0, bottom = 44.0
        let height = top + Double(shown.count) * rowHeight + bottom
        let width = labelWidth + plotWidth + 30
        let span = Double(max(maxRank - 1, 1))
        func x(_ rank: Int) -> Double { labelWidth + plotWidth * Double(rank - 1) / span }
        var s = "<svg role=\"img\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\">"
        s += "<title>\(escape(title))</title>"
        s += axisFrame(top: top, plotHeight: Double(shown.count) * rowHeight, xLabel: "Rank (1 = best); whisker = 5-95 % rank interval", yLabel: "City")
        for tick in ticks(1, maxRank) {
            s += "<text x=\"\(n(x(tick)))\" y=\"\(n(top + Double(shown.count) * rowHeight + 14))\" class=\"tick\" text-anchor=\"middle\">\(tick)</text>"
        }
        for (i, row) in shown.enumerated() {
            let y = top + Double(i) * rowHeight + rowHeight / 2
            s += "<text x=\"\(n(labelWidth - 6))\" y=\"\(n(y + 4))\" class=\"label\" text-anchor=\"end\">\(escape(row.label))</text>"
            if let iv = row.interval {
                s += "<line x1=\"\(n(x(iv.lowerBound)))\" y1=\"\(n(y))\" x2=\"\(n(x(iv.upperBound)))\" y2=\"\(n(y))\" class=\"whisker\"/>"
            }
            s += "<circle cx=\"\(n(x(row.rank)))\" cy=\"\(n(y))\" r=\"4\" class=\"dot\"><title>\(escape(row.label)): rank \(row.rank)\(row.interval.map { ", interval \($0.lowerBound)-\($0.upperBound)" } ?? "")</title></circle>"
        }
        return s + "</svg>"
    }

    /// Horizontal bars of a value per city (negative values extend left of zero).
    static func bars(title: String, xLabel: String, rows: [(label: String, value: Double)]) -> String {
        let shown = Array(rows.prefix(maxRows))
        let top = 30.0, bottom = 44.0
        let height = top + Double(shown.count) * rowHeight + bottom
        let width = labelWidth + plotWidth + 60
        let lo = min(0, shown.map(\.value).min() ?? 0), hi = max(0, shown.map(\.value).max() ?? 0)
        let span = hi - lo == 0 ? 1 : hi - lo
        func x(_ v: Double) -> Double { labelWidth + plotWidth * (v - lo) / span }
        var s = "<svg role=\"img\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\">"
        s += "<title>\(escape(title))</title>"
        s += axisFrame(top: top, plotHeight: Double(shown.count) * rowHeight, xLabel: xLabel, yLabel: "City")
        s += "<text x=\"\(n(x(lo)))\" y=\"\(n(top + Double(shown.count) * rowHeight + 14))\" class=\"tick\" text-anchor=\"middle\">\(escape(TextLayout.number(lo)))</text>"
        s += "<text x=\"\(n(x(hi)))\" y=\"\(n(top + Double(shown.count) * rowHeight + 14))\" class=\"tick\" text-anchor=\"middle\">\(escape(TextLayout.number(hi)))</text>"
        for (i, row) in shown.enumerated() {
            let y = top + Double(i) * rowHeight
            let a = x(min(0, row.value)), b = x(max(0, row.value))
            s += "<text x=\"\(n(labelWidth - 6))\" y=\"\(n(y + rowHeight / 2 + 4))\" class=\"label\" text-anchor=\"end\">\(escape(row.label))</text>"
            s += "<rect x=\"\(n(a))\" y=\"\(n(y + 3))\" width=\"\(n(max(b - a, 0.5)))\" height=\"\(n(rowHeight - 6))\" class=\"bar\"><title>\(escape(row.label)): \(escape(TextLayout.number(row.value)))</title></rect>"
            s += "<text x=\"\(n(b + 4))\" y=\"\(n(y + rowHeight / 2 + 4))\" class=\"tick\">\(escape(TextLayout.number(row.value)))</text>"
        }
        return s + "</svg>"
    }

    /// City × field heat map of field scores; missing cells are grey.
    static func heatMap(title: String, columns: [String], rows: [(label: String, values: [Double?])]) -> String {
        let shown = Array(rows.prefix(maxRows))
        let cellWidth = 64.0, top = 70.0, bottom = 30.0
        let width = labelWidth + Double(columns.count) * cellWidth + 20
        let height = top + Double(shown.count) * rowHeight + bottom
        let all = shown.flatMap { $0.values.compactMap { $0 } }
        let lo = all.min() ?? 0, hi = all.max() ?? 1
        var s = "<svg role=\"img\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\">"
        s += "<title>\(escape(title))</title>"
        s += "<text x=\"\(n(labelWidth + Double(columns.count) * cellWidth / 2))\" y=\"14\" class=\"axis\" text-anchor=\"middle\">Action field</text>"
        s += "<text x=\"12\" y=\"\(n(top + Double(shown.count) * rowHeight / 2))\" class=\"axis\" transform=\"rotate(-90 12 \(n(top + Double(shown.count) * rowHeight / 2)))\" text-anchor=\"middle\">City</text>"
        for (j, c) in columns.enumerated() {
            s += "<text x=\"\(n(labelWidth + Double(j) * cellWidth + cellWidth / 2))\" y=\"\(n(top - 8))\" class=\"tick\" text-anchor=\"middle\">\(escape(c))</text>"
        }
        for (i, row) in shown.enumerated() {
            let y = top + Double(i) * rowHeight
            s += "<text x=\"\(n(labelWidth - 6))\" y=\"\(n(y + rowHeight / 2 + 4))\" class=\"label\" text-anchor=\"end\">\(escape(row.label))</text>"
            for (j, v) in row.values.enumerated() {
                let x = labelWidth + Double(j) * cellWidth
                let t = v.map { hi - lo == 0 ? 1 : ($0 - lo) / (hi - lo) }
                let fill = t.map(color) ?? "#dddddd"
                s += "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(cellWidth - 1))\" height=\"\(n(rowHeight - 1))\" fill=\"\(fill)\"><title>\(escape(row.label)), \(escape(columns[j])): \(v.map(TextLayout.number) ?? "no score")</title></rect>"
                s += "<text x=\"\(n(x + cellWidth / 2))\" y=\"\(n(y + rowHeight / 2 + 4))\" class=\"cell\" text-anchor=\"middle\" fill=\"\((t ?? 0) > 0.6 ? "#ffffff" : "#111111")\">\(v.map { escape(TextLayout.number($0)) } ?? "-")</text>"
            }
        }
        return s + "</svg>"
    }

    /// Light to dark blue for 0…1.
    static func color(_ t: Double) -> String {
        let a = (247.0, 251.0, 255.0), b = (8.0, 48.0, 107.0)
        func mix(_ p: Double, _ q: Double) -> Int { Int((p + (q - p) * min(max(t, 0), 1)).rounded()) }
        return String(format: "#%02x%02x%02x", mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
    }

    static func axisFrame(top: Double, plotHeight: Double, xLabel: String, yLabel: String) -> String {
        let y = top + plotHeight
        var s = "<line x1=\"\(n(labelWidth))\" y1=\"\(n(y))\" x2=\"\(n(labelWidth + plotWidth))\" y2=\"\(n(y))\" class=\"axisline\"/>"
        s += "<text x=\"\(n(labelWidth + plotWidth / 2))\" y=\"\(n(y + 34))\" class=\"axis\" text-anchor=\"middle\">\(escape(xLabel))</text>"
        s += "<text x=\"12\" y=\"\(n(top + plotHeight / 2))\" class=\"axis\" transform=\"rotate(-90 12 \(n(top + plotHeight / 2)))\" text-anchor=\"middle\">\(escape(yLabel))</text>"
        return s
    }

    /// Up to about eight round tick values from `lo` to `hi`.
    static func ticks(_ lo: Int, _ hi: Int) -> [Int] {
        guard hi > lo else { return [lo] }
        let step = max(1, Int((Double(hi - lo) / 8).rounded(.up)))
        var out = Array(stride(from: lo, through: hi, by: step))
        if out.last != hi { out.append(hi) }
        return out
    }
}
