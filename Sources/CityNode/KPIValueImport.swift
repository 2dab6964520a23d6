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
    /// SQLite page cache for an import, in KiB: large enough that a million-row import does not
    /// re-read and re-write B-tree pages, small enough to stay well inside the 200 MiB budget.
    public static let importCacheKiB = 64 * 1024
    /// SQLite's own default page cache (2,000 KiB), restored after an import.
    public static let defaultCacheKiB = 2_000
    /// Exceeds every `Period.sortKey` (at most 2199 × 1000 + 129), so code index × span + key is unique.
    static let periodKeySpan = 10_000_000

    /// Imports KPI values from a CSV file with a header naming `kpi` (or `code`), `period`,
    /// `value` and optionally `unit`, `source`, `note`. With `;` separators the decimal mark is
    /// `,` and `.` groups thousands. A value replaces the stored value of the same KPI and period
    /// (as `kpi set` would); two rows for the same KPI and period in one file are an error.
    public func importValues(path: String) throws(NodeError) -> ImportSummary {
        let file = (path as NSString).lastPathComponent
        let (reader, header) = try CSVImportFile.open(path: path, file: file)
        let validation = try KPIValueValidation(reader: reader, header: header, file: file, catalog: try catalog())
        // Reading and checking rows runs on its own thread, storing them on this one (which owns
        // the connection); a bounded pipe between them keeps memory flat.
        let pipe = ImportPipe()
        let done = DispatchSemaphore(value: 0)
        let producer = Thread {
            validation.run(into: pipe)
            pipe.finish()
            done.signal()
        }
        producer.stackSize = 1 << 20
        producer.start()
        defer {
            pipe.cancel()
            done.wait()
        }
        var rows = 0
        let time = Node.now()
        let randomness = self.randomness
        try? database.execute("PRAGMA cache_size = -\(Node.importCacheKiB)")
        defer { try? database.execute("PRAGMA cache_size = -\(Node.defaultCacheKiB)") }
        try write {
            let writer = try KPIValueWriter(database: database)
            while let batch = pipe.take() {
                for row in batch {
                    var noise: Double?
                    if row.personCount {
                        do { noise = try randomness.laplace() } catch {
                            throw NodeError(.crypto, "could not draw random noise for \(row.code): \(error)")
                        }
                    }
                    try writer.upsert(code: row.code, period: row.period, canonicalValue: row.value, source: row.source,
                                      note: row.note, noise: noise, at: time)
                    rows += 1
                }
            }
            // The producer has finished (the pipe is drained); signal again for the deferred join.
            done.wait()
            done.signal()
            if !validation.problems.isEmpty { throw validation.problems.error() }
        }
        return ImportSummary(file: file, rows: rows)
    }
}

/// A checked row of a values import, ready to store.
struct ValidatedValue: Sendable {
    let code: String
    let period: Period
    /// Canonical decimal text.
    let value: String
    let source: String?
    let note: String?
    let personCount: Bool
}

/// Reads and checks every row of a values import, collecting every problem and handing valid
/// rows on in batches until the first problem (after which nothing will be stored anyway).
final class KPIValueValidation: @unchecked Sendable {
    // Sendable because after init it is used by the producer thread alone until that thread
    // signals completion; the importer reads `problems` only after that signal.
    private let reader: CSVReader
    private let header: CSVHeader
    private let kpiColumn: Int, periodColumn: Int, valueColumn: Int
    private let unitColumn: Int?, sourceColumn: Int?, noteColumn: Int?
    private let style: DecimalValue.Style
    private let hint: String
    /// Per code only what a row needs, so the hot loop copies no definitions.
    private let kpis: [String: (unit: String, personCount: Bool, index: Int)]
    private(set) var problems: ImportProblemList

    /// Rows handed on per batch.
    static let batchSize = 4_096

    init(reader: CSVReader, header: CSVHeader, file: String, catalog: KPICatalog) throws(NodeError) {
        guard let kpiColumn = header.column("kpi", "code"), let periodColumn = header.column("period"),
              let valueColumn = header.column("value") else {
            let missing = [("kpi", header.column("kpi", "code")), ("period", header.column("period")), ("value", header.column("value"))]
                .filter { $0.1 == nil }.map(\.0)
            throw NodeError(.importRejected, "\(file) has no \(missing.joined(separator: ", ")) column in its header row (expected kpi,period,value[,unit,source,note])")
        }
        self.reader = reader
        self.header = header
        self.kpiColumn = kpiColumn
        self.periodColumn = periodColumn
        self.valueColumn = valueColumn
        unitColumn = header.column("unit")
        sourceColumn = header.column("source")
        noteColumn = header.column("note")
        style = reader.separator == UInt8(ascii: ";") ? .comma : .point
        hint = style == .point ? "a decimal number such as 1234.5" : "a decimal number such as 1.234,5"
        var kpis: [String: (unit: String, personCount: Bool, index: Int)] = [:]
        for (i, d) in catalog.sorted.enumerated() { kpis[d.code] = (d.unit, d.personCount, i) }
        self.kpis = kpis
        problems = ImportProblemList(file: file, header: header)
    }

    private func field(_ record: CSVRecord, _ column: Int?) -> String? {
        guard let column else { return nil }
        let text = record.fields[column].trimmedSpaces
        return text.isEmpty ? nil : text
    }

    /// Reads to the end of the file (or until `pipe` is cancelled).
    func run(into pipe: ImportPipe) {
        // The line of each KPI and period seen so far, keyed by code index and period order.
        var firstLine: [Int: Int32] = [:]
        var batch: [ValidatedValue] = []
        batch.reserveCapacity(KPIValueValidation.batchSize)
        while true {
            let next: CSVRecord?
            do { next = try reader.next() } catch {
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
            let definition = kpis[code]
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
            let value = DecimalValue.canonicalText(valueText, style: style)
            if value == nil {
                problems.add(line: record.line, column: valueColumn, "'\(valueText)' for \(code.isEmpty ? "the KPI" : code) is not a number (expected \(hint))")
            }
            if let unit = field(record, unitColumn), let definition, unit != definition.unit {
                problems.add(line: record.line, column: unitColumn, "unit '\(unit)' does not match the unit '\(definition.unit)' of \(code)")
            }
            let source = field(record, sourceColumn), note = field(record, noteColumn)
            if let source, source.utf8.count > Node.maxFreeTextLength, source.count > Node.maxFreeTextLength {
                problems.add(line: record.line, column: sourceColumn, "longer than \(Node.maxFreeTextLength) characters")
            }
            if let note, note.utf8.count > Node.maxFreeTextLength, note.count > Node.maxFreeTextLength {
                problems.add(line: record.line, column: noteColumn, "longer than \(Node.maxFreeTextLength) characters")
            }
            if let definition, let period {
                let key = definition.index &* Node.periodKeySpan &+ Int(period.sortKey)
                if let first = firstLine[key] {
                    problems.add(line: record.line, column: periodColumn, "\(code) \(period) appears again (first on line \(first)); keep one row per KPI and period")
                } else {
                    firstLine[key] = Int32(truncatingIfNeeded: record.line)
                }
            }
            guard problems.count == before, problems.isEmpty, let definition, let period, let value else { continue }
            batch.append(ValidatedValue(code: code, period: period, value: value, source: source, note: note,
                                        personCount: definition.personCount))
            if batch.count == KPIValueValidation.batchSize {
                guard pipe.put(batch) else { return }
                batch.removeAll(keepingCapacity: true)
            }
        }
        // After a problem nothing is stored, so the rest need not travel.
        if problems.isEmpty && !batch.isEmpty { _ = pipe.put(batch) }
    }
}

/// A bounded hand-over of row batches from the reading thread to the storing thread.
final class ImportPipe: @unchecked Sendable {
    // Sendable because every access to `batches`, `finished` and `cancelled` holds `condition`.
    private let condition = NSCondition()
    private var batches: [[ValidatedValue]] = []
    private var finished = false
    private var cancelled = false

    /// Batches in flight at most, so a fast reader cannot fill memory ahead of the database.
    static let capacity = 4

    /// Hands on a batch, waiting while the pipe is full; false once the consumer has cancelled.
    func put(_ batch: [ValidatedValue]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= ImportPipe.capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        batches.append(batch)
        condition.broadcast()
        return true
    }

    /// The next batch, waiting for one; nil once the producer has finished and all are taken.
    func take() -> [ValidatedValue]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !finished && !cancelled { condition.wait() }
        guard !batches.isEmpty, !cancelled else { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    /// The producer has handed on everything.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stops taking; a waiting producer returns at once.
    func cancel() {
        condition.lock()
        cancelled = true
        batches.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
