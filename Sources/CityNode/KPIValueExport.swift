import Foundation
import Model
import Store

/// `kpi export`: every stored value as CSV `kpi,period,value,unit,source,note`, sorted by KPI and
/// period (chronologically), values exactly as entered in canonical decimal form, no timestamps.
extension Node {
    /// The export's header row.
    public static let exportHeader = "kpi,period,value,unit,source,note"

    /// Streams the export line by line (each ending in `\n`) to `write`.
    public func exportValues(_ write: (String) -> Void) throws(NodeError) {
        let catalog = try catalog()
        try read { () throws(StoreError) in
            write(Node.exportHeader + "\n")
            let stmt = try database.prepare("SELECT code, period, value, source, note FROM kpi_value ORDER BY code, period_order")
            while try stmt.step() {
                let code = stmt.text(0)
                let unit = catalog[code]?.unit ?? ""
                var line = CSVField.quoted(code)
                for field in [stmt.text(1), stmt.text(2), unit, stmt.text(3), stmt.text(4)] {
                    line += ","
                    line += CSVField.quoted(field)
                }
                line += "\n"
                write(line)
            }
        }
    }
}

/// Quoting of one CSV field for output (RFC 4180): quoted only when it holds `,`, `"`, CR or LF.
enum CSVField {
    static func quoted(_ text: String) -> String {
        // Bytes, not Characters: a grapheme walk per field would dominate a large export.
        guard text.utf8.contains(where: { $0 == 44 || $0 == 34 || $0 == 10 || $0 == 13 }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
