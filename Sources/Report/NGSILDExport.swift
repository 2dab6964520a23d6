import Formats
import Model
import Ranking

/// FIWARE Smart Data Models `KeyPerformanceIndicator` entities in NGSI-LD normalized form, one
/// per (city, KPI, period) cell: `kpiValue`, `calculationPeriod` {from, to},
/// `calculationFrequency`, `category`, `organization`, `process`, plus `unit` and `direction`
/// as extra properties (the base model has neither). Suppressed cells are not exported.
public enum NGSILDExport {
    /// The NGSI-LD core context and the data model's context.
    public static let context = [
        "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld",
        "https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/context.jsonld",
    ]

    /// Entities sorted by id; cells whose KPI the catalog lacks are skipped.
    public static func entities(_ cells: [Cell], catalog: KPICatalog) -> [JSONValue] {
        var out: [(String, JSONValue)] = []
        for cell in cells {
            guard let value = cell.value, value.isFinite, let d = catalog[cell.kpi] else { continue }
            let id = "urn:ngsi-ld:KeyPerformanceIndicator:\(slug(cell.origin ?? cell.city)):\(cell.kpi):\(cell.period)"
            func property(_ v: JSONValue) -> JSONValue { .object(JSONObject(pairs: [("type", .string("Property")), ("value", v)])) }
            let (from, to) = dates(cell.period)
            let o = JSONObject(pairs: [
                ("id", .string(id)),
                ("type", .string("KeyPerformanceIndicator")),
                ("name", property(.string(d.name))),
                ("kpiValue", property(.double(value))),
                ("calculationPeriod", property(.object(JSONObject(pairs: [("from", .string(from)), ("to", .string(to))])))),
                ("calculationFrequency", property(.string(frequency(cell.period.granularity)))),
                ("category", property(.array([.string("quantitative")]))),
                ("organization", property(.string(cell.city))),
                ("process", property(.string(d.code))),
                ("unit", property(.string(cell.unit ?? d.unit))),
                ("direction", property(.string(d.direction.rawValue))),
                ("@context", .array(context.map { .string($0) })),
            ])
            out.append((id, .object(o)))
        }
        return out.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The entities as one JSON array document.
    public static func render(_ cells: [Cell], catalog: KPICatalog, pretty: Bool = true) -> String {
        JSONWriter.string(.array(entities(cells, catalog: catalog)), pretty: pretty) + "\n"
    }

    static func frequency(_ g: Period.Granularity) -> String {
        switch g { case .year: "yearly"; case .quarter: "quarterly"; case .month: "monthly" }
    }

    /// First and last day of the period as ISO dates.
    static func dates(_ p: Period) -> (String, String) {
        let first = p.startMonth
        let last = p.granularity == .year ? 12 : p.granularity == .quarter ? first + 2 : first
        let leap = (p.year % 4 == 0 && p.year % 100 != 0) || p.year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][last - 1]
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : String(n) }
        return ("\(p.year)-\(two(first))-01", "\(p.year)-\(two(last))-\(two(days))")
    }

    /// An ASCII id part: German umlauts transliterated, anything else outside [A-Za-z0-9] → `-`.
    static func slug(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "ä": out += "ae"
            case "ö": out += "oe"
            case "ü": out += "ue"
            case "Ä": out += "Ae"
            case "Ö": out += "Oe"
            case "Ü": out += "Ue"
            case "ß": out += "ss"
            default: out += ch.isASCII && (ch.isLetter || ch.isNumber) ? String(ch) : "-"
            }
        }
        return out
    }
}
