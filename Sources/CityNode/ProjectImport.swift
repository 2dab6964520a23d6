import Crypto
import Foundation
import Formats
import Model
import Store

/// `project import FILE.csv`: one new project per row, all-or-nothing, every bad row reported.
///
/// Columns (header row, case-insensitive, any order): `name`, `field`, `category` required;
/// `status` (default `planned`), `start`, `end` (years), `budget` (euros, decimal in the file's
/// style), `description`, `goal`, `kpis` (KPI codes separated by `|`) optional.
extension Node {
    /// The columns `project import` understands.
    public static let projectImportColumns = ["name", "field", "category", "status", "start", "end", "budget", "description", "goal", "kpis"]

    /// Imports projects from `path`; returns the new projects in file order.
    public func importProjects(path: String) throws(NodeError) -> [Project] {
        let file = (path as NSString).lastPathComponent
        let (reader, header) = try CSVImportFile.open(path: path, file: file)
        let missing = ["name", "field", "category"].filter { header.column($0) == nil }
        if !missing.isEmpty {
            throw NodeError(.importRejected, "\(file) has no \(missing.joined(separator: ", ")) column in its header row (expected \(Node.projectImportColumns.joined(separator: ",")))")
        }
        let style: DecimalValue.Style = reader.separator == UInt8(ascii: ";") ? .comma : .point
        let catalog = try catalog()
        var problems = ImportProblemList(file: file, header: header)
        var projects: [Project] = []
        func text(_ r: CSVRecord, _ name: String) -> String? {
            guard let c = header.column(name) else { return nil }
            let t = r.fields[c].trimmedSpaces
            return t.isEmpty ? nil : t
        }
        func year(_ r: CSVRecord, _ name: String) -> Int? {
            guard let t = text(r, name) else { return nil }
            guard t.utf8.count == 4, let y = Int(t) else {
                problems.add(line: r.line, column: header.column(name), "'\(t)' is not a year such as 2024")
                return nil
            }
            return y
        }
        while true {
            let next: CSVRecord?
            do { next = try reader.next() } catch {
                problems.add(csvError: error)
                break
            }
            guard let r = next else { break }
            guard r.fields.count == header.names.count else {
                problems.add(line: r.line, column: nil, "has \(r.fields.count) fields where the header has \(header.names.count) (a ragged row; check for a missing or extra separator)")
                continue
            }
            let before = problems.count
            func parse<T>(_ name: String, _ f: (String) throws(ModelError) -> T) -> T? {
                guard let t = text(r, name) else {
                    if name == "field" || name == "category" { problems.add(line: r.line, column: header.column(name), "the \(name) is empty") }
                    return nil
                }
                do { return try f(t) } catch {
                    problems.add(line: r.line, column: header.column(name), error.message)
                    return nil
                }
            }
            let field = parse("field", ActionField.parse)
            let category = parse("category", ProjectCategory.parse)
            let status = parse("status", ProjectStatus.parse) ?? .planned
            let start = year(r, "start"), end = year(r, "end")
            var budget: DecimalValue?
            if let b = text(r, "budget") {
                budget = DecimalValue(b, style: style)
                if budget == nil { problems.add(line: r.line, column: header.column("budget"), "budget '\(b)' is not a number") }
            }
            let kpis = (text(r, "kpis") ?? "").split(separator: "|").map { String($0).trimmedSpaces }.filter { !$0.isEmpty }
            for code in kpis where !catalog.contains(code) {
                problems.add(line: r.line, column: header.column("kpis"), "unknown KPI code '\(code)' (see 'citybench kpi list')")
            }
            guard problems.count == before, let field, let category else { continue }
            let id: String
            do { id = try randomness.bytes(Node.projectIDBytes).hexString } catch {
                throw NodeError(.crypto, "could not draw a project id: \(error)")
            }
            let p = Project(id: id, name: text(r, "name") ?? "", field: field, category: category, status: status, startYear: start,
                            endYear: end, budget: budget, description: text(r, "description"), goal: text(r, "goal"), kpis: kpis)
            do { try validate(p, catalog: catalog) } catch {
                problems.add(line: r.line, column: nil, error.message)
                continue
            }
            projects.append(p)
        }
        if !problems.isEmpty { throw problems.error() }
        let accepted = projects
        try write { for p in accepted { try insert(p) } }
        return projects
    }
}
