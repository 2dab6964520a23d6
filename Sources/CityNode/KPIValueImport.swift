import Foundation
import Formats
import Model
import Store

/// What an import stored.
public struct ImportSummary: Sendable, Hashable {
    /// The file's name, as used in messages.
    public let file: String
    /// Data rows stored (new or replacing earlier values).
    public let rows: Int
}

/// `kpi import FILE.csv` (design §8): streamed, all-or-nothing in one transaction, and every
/// bad row reported with its line and column.
extension Node {
    /// Most problems listed in one error message; all are counted.
    public static let maxReportedProblems = 200

    /// Imports KPI values from a CSV file with a header naming `kpi` (or `code`), `period`,
    /// `value` and optionally `unit`, `source`, `note`. With `;` separators the decimal mark is
    /// `,` and `.` groups thousands. A later row for the same KPI and period replaces an earlier
    /// one, as a later `kpi set` would.
    public func importValues(path: String) throws(NodeError) -> ImportSummary {
        let file = (path as NSString).lastPathComponent
        let (reader, header) = try CSVImportFile.open(path: path, file: file)
        guard let kpiColumn = header.column("kpi", "code"), let periodColumn = header.column("period"),
              let valueColumn = header.column("value") else {
            let missing = [("kpi", header.column("kpi", "code")), ("period", header.column("period")), ("value", header.column("value"))]
                .filter { $0.1 == nil }.map(\.0)
            throw NodeError(.importRejected, "\(file) has no \(missing.joined(separator: ", ")) column in its header row (expected kpi,period,value[,unit,source,note])")
        }
        let unitColumn = header.column("unit"), sourceColumn = header.column("source"), noteColumn = header.column("note")
        let style: DecimalValue.Style = reader.separator == UInt8(ascii: ";") ? .comma : .point
        let hint = style == .point ? "a decimal number such as 1234.5" : "a decimal number such as 1.234,5"
        let catalog = try catalog()
        var problems = ImportProblemList(file: file, header: header)
        var rows = 0
        let time = Node.now()
        let randomness = self.randomness

        func field(_ record: CSVRecord, _ column: Int?) -> String? {
            guard let column else { return nil }
            let text = record.fields[column].trimmedSpaces
            return text.isEmpty ? nil : text
        }

        try write {
            let writer = try KPIValueWriter(database: database)
            while true {
                let next: CSVRecord?
                do { next = try reader.next() } catch let error as CSVError {
                    problems.add(csvError: error)
                    break
                }
                guard let record = next else { break }
                guard record.fields.count == header.names.count else {
                    problems.add(line: record.line, column: nil,
                                 "has \(record.fields.count) fields where the header has \(header.names.count) (a ragged row; check for a missing or extra separator)")
                    continue
                }
                let before = problems.count
                let code = field(record, kpiColumn) ?? ""
                let definition = catalog[code]
                if code.isEmpty {
                    problems.add(line: record.line, column: kpiColumn, "the KPI code is empty")
                } else if definition == nil {
                    problems.add(line: record.line, column: kpiColumn, "unknown KPI code '\(code)' (see 'citybench kpi list')")
                }
                let periodText = field(record, periodColumn) ?? ""
                let period = Period(periodText)
                if period == nil {
                    problems.add(line: record.line, column: periodColumn, "malformed period '\(periodText)' (expected YYYY, YYYY-Qn with n 1-4, or YYYY-MM)")
                }
                let valueText = field(record, valueColumn) ?? ""
                let value = DecimalValue(valueText, style: style)
                if value == nil {
                    problems.add(line: record.line, column: valueColumn, "'\(valueText)' for \(code.isEmpty ? "the KPI" : code) is not a number (expected \(hint))")
                }
                if let unit = field(record, unitColumn), let definition, unit != definition.unit {
                    problems.add(line: record.line, column: unitColumn, "unit '\(unit)' does not match the unit '\(definition.unit)' of \(code)")
                }
                let source = field(record, sourceColumn), note = field(record, noteColumn)
                for (text, column) in [(source, sourceColumn), (note, noteColumn)] where (text?.count ?? 0) > Node.maxFreeTextLength {
                    problems.add(line: record.line, column: column, "longer than \(Node.maxFreeTextLength) characters")
                }
                guard problems.count == before, problems.isEmpty, let definition, let period, let value else { continue }
                let noise = definition.personCount ? try randomness.laplace() : nil
                try writer.upsert(KPIValueRecord(code: code, period: period, value: value, source: source, note: note, noise: noise), at: time)
                rows += 1
            }
            if !problems.isEmpty { throw problems.error() }
        }
        return ImportSummary(file: file, rows: rows)
    }
}

/// Opening an import file: readable, not empty, a header without duplicate columns.
enum CSVImportFile {
    static func open(path: String, file: String) throws(NodeError) -> (CSVReader, CSVHeader) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw NodeError(.invalidInput, "cannot read \(path): no such file")
        }
        let reader: CSVReader
        let first: CSVRecord?
        do {
            reader = try CSVReader(path: path)
            first = try reader.next()
        } catch {
            throw NodeError(.importRejected, "\(file) was not imported: \(ImportProblemList.reason(error))" + (error.code == .empty || error.code == .unreadable ? "" : " (line \(error.line))"))
        }
        guard let first else { throw NodeError(.importRejected, "\(file) was not imported: the file is empty (expected a header row)") }
        let header = CSVHeader(first)
        if !header.duplicates.isEmpty {
            throw NodeError(.importRejected, "\(file) was not imported: the header names the column(s) \(header.duplicates.joined(separator: ", ")) more than once")
        }
        return (reader, header)
    }
}

/// Problems collected while reading an import, in file order.
struct ImportProblemList {
    let file: String
    let header: CSVHeader
    private(set) var listed: [ImportProblem] = []
    private(set) var count = 0

    init(file: String, header: CSVHeader) {
        self.file = file
        self.header = header
    }

    var isEmpty: Bool { count == 0 }

    mutating func add(line: Int, column: Int?, _ reason: String) {
        count += 1
        guard listed.count < Node.maxReportedProblems else { return }
        let name = column.map { $0 < header.names.count && !header.names[$0].isEmpty ? header.names[$0] : "\($0 + 1)" }
        listed.append(ImportProblem(file: file, line: line, column: name, reason: reason))
    }

    mutating func add(csvError error: CSVError) {
        add(line: error.line, column: error.column.map { $0 - 1 }, ImportProblemList.reason(error))
    }

    /// The reason of a CSV reader error without its line prefix.
    static func reason(_ error: CSVError) -> String {
        switch error.code {
        case .empty: "the file is empty (expected a header row)"
        case .invalidUTF8: "the text is not valid UTF-8 (save the file as UTF-8)"
        case .unterminatedQuote: "a quoted field is never closed"
        case .strayQuote: "a quote inside an unquoted field or after a closing quote (quote the whole field and double inner quotes)"
        case .fieldTooLong: "a field is longer than \(CSVReader.maxFieldBytes) bytes"
        case .unreadable: "the file cannot be read"
        }
    }

    func error() -> NodeError {
        var lines = ["\(file) was not imported, nothing changed: \(count) problem\(count == 1 ? "" : "s") found"]
        lines += listed.map(\.description)
        if count > listed.count { lines.append("… and \(count - listed.count) more") }
        return NodeError(.importRejected, lines.joined(separator: "\n"), problems: listed)
    }
}

extension String {
    /// The text without leading and trailing spaces and tabs (spreadsheets often pad cells).
    var trimmedSpaces: String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(self[first...last])
    }
}
