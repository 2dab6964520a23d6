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
                let fields = [code, stmt.text(1), stmt.text(2), unit, stmt.text(3), stmt.text(4)]
                write(fields.map(CSVField.quoted).joined(separator: ",") + "\n")
            }
        }
    }
}

/// Quoting of one CSV field for output (RFC 4180): quoted only when it holds `,`, `"`, CR or LF.
enum CSVField {
    static func quoted(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
