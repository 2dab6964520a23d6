import Foundation
import Formats
import Model

/// Reads and writes the cell CSV of `rank --input` (design §7): header `city,kpi,period,value`
/// with optional `scaled` and `unit` columns (any order, case-insensitive). With `;`
/// separators the decimal mark is `,` and `.` may group thousands; with `,` separators the
/// mark is `.`. An empty value is a suppressed (missing) value, never zero.
public enum CellCSV {
    /// Most problems listed in one error before the rest are summarised.
    public static let maxReportedProblems = 20

    /// Reads a cell CSV; every KPI code needs a definition in `catalog` (or is `POP.TOTAL`).
    /// Throws one error listing every unknown KPI at once, or every malformed row (with line
    /// and column) up to `maxReportedProblems`.
    public static func load(path: String, catalog: KPICatalog) throws(RankingError) -> RankingInput {
        // Mapped rather than read: the parsing threads fault the pages in side by side
        // instead of one thread copying the whole file first. A file that cannot be mapped
        // (e.g. on a file system without mmap, or a pipe: `--input /dev/stdin` behind `|`) is
        // read to its end.
        guard let data = (try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped))
            ?? FileHandle(forReadingAtPath: path).flatMap({ handle in try? handle.readToEnd() ?? Data() }) else {
            throw RankingError(.unreadableFile, "cannot read the cell CSV \(path)")
        }
        let fast = CleanCellParser(catalog: catalog)
        if let input = data.withUnsafeBytes({ fast.parse($0.bindMemory(to: UInt8.self)) }) { return input }
        return try loadGeneral(bytes: Array(data), catalog: catalog, source: path)
    }

    /// Reads a cell CSV from bytes in memory (`source` names it in messages).
    public static func load(bytes: [UInt8], catalog: KPICatalog, source: String = "input") throws(RankingError) -> RankingInput {
        let fast = CleanCellParser(catalog: catalog)
        if let input = fast.parse(bytes) { return input }
        return try loadGeneral(bytes: bytes, catalog: catalog, source: source)
    }

    /// The general reader (quotes, `;` and decimal commas, CRLF) that reports every problem;
    /// `load` uses it whenever the fast path declines.
    static func loadGeneral(bytes: [UInt8], catalog: KPICatalog, source: String) throws(RankingError) -> RankingInput {
        let reader: CSVReader
        do { reader = try CSVReader(bytes: bytes) } catch {
            throw RankingError(.malformedInput, "\(source): \(error.message)")
        }
        return try read(reader, catalog: catalog, source: source)
    }

    static func read(_ reader: CSVReader, catalog: KPICatalog, source: String) throws(RankingError) -> RankingInput {
        func nextRecord() throws(RankingError) -> CSVRecord? {
            do { return try reader.next() } catch { throw RankingError(.malformedInput, "\(source): \(error.message)") }
        }
        guard let headerRecord = try nextRecord() else {
            throw RankingError(.malformedInput, "\(source): the file is empty (expected a header row)")
        }
        let header = CSVHeader(headerRecord)
        if !header.duplicates.isEmpty {
            throw RankingError(.malformedInput, "\(source): line 1: columns named more than once: \(header.duplicates.joined(separator: ", "))")
        }
        let required = ["city", "kpi", "period", "value"]
        let missing = required.filter { header.column($0) == nil && !($0 == "kpi" && header.column("code") != nil) }
        if !missing.isEmpty {
            throw RankingError(.malformedInput, "\(source): line 1: the header lacks the column\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")) (expected city,kpi,period,value[,scaled][,unit])")
        }
        let cityCol = header.column("city")!, kpiCol = header.column("kpi", "code")!
        let periodCol = header.column("period")!, valueCol = header.column("value")!
        let scaledCol = header.column("scaled"), unitCol = header.column("unit")
        let style: DecimalValue.Style = reader.separator == UInt8(ascii: ";") ? .comma : .point
        var cells: [Cell] = []
        var problems: [String] = []
        var problemCount = 0
        var unknown: [String: Int] = [:]
        var periods: [String: Period] = [:]
        var known: [String: Bool] = [:]
        func problem(_ text: String) {
            problemCount += 1
            if problems.count < maxReportedProblems { problems.append(text) }
        }
        while let record = try nextRecord() {
            let f = record.fields
            let line = record.line
            guard f.count == header.names.count else {
                problem("line \(line): \(f.count) columns, but the header has \(header.names.count)")
                continue
            }
            let city = f[cityCol]
            if city.isEmpty { problem("line \(line), column \(cityCol + 1): the city is empty"); continue }
            let kpi = f[kpiCol]
            let isKnown: Bool
            if let k = known[kpi] { isKnown = k } else {
                isKnown = kpi == KPIDefinition.populationCode || catalog.contains(kpi)
                known[kpi] = isKnown
            }
            if !isKnown { if unknown[kpi] == nil { unknown[kpi] = line }; continue }
            let period: Period
            if let p = periods[f[periodCol]] { period = p } else if let p = Period(f[periodCol]) {
                periods[f[periodCol]] = p
                period = p
            } else {
                problem("line \(line), column \(periodCol + 1): period '\(f[periodCol])' is not YYYY, YYYY-Qn or YYYY-MM")
                continue
            }
            let text = f[valueCol]
            var value: Double? = nil
            if !text.isEmpty {
                guard let v = parseNumber(text, style: style) else {
                    problem("line \(line), column \(valueCol + 1): value '\(text)' for \(kpi) is not a number (expected \(style == .point ? "e.g. 1234.5" : "e.g. 1.234,5"))")
                    continue
                }
                value = v
            }
            var scaled = false
            if let s = scaledCol {
                switch f[s].lowercased() {
                case "true", "1", "yes": scaled = true
                case "false", "0", "no", "": scaled = false
                default:
                    problem("line \(line), column \(s + 1): scaled '\(f[s])' must be true or false")
                    continue
                }
            }
            let unit = unitCol.map { f[$0] }.flatMap { $0.isEmpty ? nil : $0 }
            cells.append(Cell(city: city, kpi: kpi, period: period, value: value, scaled: scaled, unit: unit))
        }
        if !unknown.isEmpty {
            let list = unknown.sorted { $0.value < $1.value }.map { "\($0.key) (line \($0.value))" }
            throw RankingError(.unknownKPI, "\(source): KPI codes without a definition: \(list.joined(separator: ", ")); add them with --catalog")
        }
        if problemCount > 0 {
            let more = problemCount > problems.count ? "; and \(problemCount - problems.count) more" : ""
            throw RankingError(.malformedInput, "\(source): \(problems.joined(separator: "; "))\(more)")
        }
        return RankingInput(cells: cells)
    }

    /// A strict decimal: optional sign, digits, optional fraction; no exponent, NaN or infinity.
    /// The point style is checked byte by byte (the common, fast case); the comma style goes
    /// through `DecimalValue`, which knows thousands grouping.
    static func parseNumber(_ text: String, style: DecimalValue.Style) -> Double? {
        guard style == .point else { return DecimalValue(text, style: .comma)?.doubleValue }
        var digits = 0, dots = 0, position = 0, fractionDigits = 0
        for b in text.utf8 {
            switch b {
            case 48...57:
                digits += 1
                if dots > 0 { fractionDigits += 1 }
            case UInt8(ascii: "."): dots += 1
            case UInt8(ascii: "-"), UInt8(ascii: "+"): if position != 0 { return nil }
            default: return nil
            }
            position += 1
        }
        guard digits > 0, dots <= 1, dots == 0 || fractionDigits > 0 else { return nil }
        return Double(text)
    }

    /// Writes cells as a CSV `load` reads back: `city,kpi,period,value,scaled,unit`, sorted by
    /// city, KPI and period, values at full double precision, suppressed values empty.
    public static func write(_ cells: [Cell]) -> String {
        let sorted = cells.sorted {
            ($0.city, $0.kpi, $0.period.description) < ($1.city, $1.kpi, $1.period.description)
        }
        var out = "city,kpi,period,value,scaled,unit\n"
        for c in sorted {
            out += [quoted(c.city), quoted(c.kpi), c.period.description, c.value.map(numberText) ?? "",
                    c.scaled ? "true" : "false", quoted(c.unit ?? "")].joined(separator: ",")
            out += "\n"
        }
        return out
    }

    /// Shortest round-trip text without an exponent, so `load` accepts it.
    static func numberText(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        let d = v.description
        if !d.contains("e") { return d }
        return DecimalValue(Decimal(string: d) ?? 0).description
    }

    static func quoted(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" || $0 == ";" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
