import Ranking

/// The `rank --format csv` output: one row per ranked city in every KPI, field and the
/// overall composite, numbers at full precision.
public enum RankingCSV {
    public static let header = "level,name,city,origin,period,value,x,score,rank,coverage,medianRank,rankLow,rankHigh"

    public static func render(_ r: RankingResult) -> String {
        var rows = [header]
        func q(_ s: String?) -> String { CSVText.field(s ?? "") }
        for k in r.kpis {
            for e in k.cities {
                rows.append(["kpi", q(k.kpi), q(e.city), q(e.origin), k.period.description, e.value.description, e.x.description,
                             e.score.description, String(e.rank), "", "", "", ""].joined(separator: ","))
            }
        }
        func composite(_ level: String, _ name: String, _ list: [CompositeEntry]) {
            for e in list {
                let u = e.uncertainty
                rows.append([level, q(name), q(e.city), q(e.origin), "", "", "", e.score.description, String(e.rank), e.coverage.description,
                             u.map { String($0.median) } ?? "", u.map { String($0.interval.lowerBound) } ?? "",
                             u.map { String($0.interval.upperBound) } ?? ""].joined(separator: ","))
            }
        }
        for f in r.fields { composite("field", f.field.rawValue, f.cities) }
        composite("overall", "overall", r.overall)
        return rows.joined(separator: "\n") + "\n"
    }
}

/// CSV quoting shared by the CSV and Markdown writers.
enum CSVText {
    static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
