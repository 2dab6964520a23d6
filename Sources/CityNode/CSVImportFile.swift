import Foundation
import Formats

/// Opening an import file: readable, not empty, a header without duplicate columns.
enum CSVImportFile {
    static func open(path: String, file: String) throws(NodeError) -> (CSVReader, CSVHeader) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw NodeError(.invalidInput, "cannot read \(path): no such file")
        }
        guard !isDirectory.boolValue else {
            throw NodeError(.invalidInput, "cannot read \(path): it is a directory, not a CSV file")
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
        // Fast path: most cells have no padding at all.
        let u = utf8
        if let f = u.first, let l = u.last, f != 32, f != 9, l != 32, l != 9 { return self }
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        let last = lastIndex(where: { $0 != " " && $0 != "\t" })!
        return String(self[first...last])
    }
}
