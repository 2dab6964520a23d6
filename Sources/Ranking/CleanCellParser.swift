import Dispatch
import Foundation
import Model

/// The fast path of `CellCSV.load` for clean files — `,` separators, no quotes, no CR, no
/// errors — which is what exports and generators write. It parses bytes in place (names
/// interned by their raw bytes, decimals without building strings) and splits large files at
/// line boundaries into one part per core, merged in file order, so 3 million rows load in a
/// fraction of a second. Anything it does not handle (quotes, `;`, CRLF, any bad row) makes
/// it return nil, and the general reader built on `CSVReader` reads the file again and
/// reports every problem with its line and column.
struct CleanCellParser {
    /// Powers of ten that are exact doubles (10^0 … 10^22).
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }
    /// Bytes of input each extra thread must have to be worth starting: smaller files are
    /// parsed on one thread, as the split and merge would cost more than they save.
    static let minimumBytesPerWorker = 1 << 20
    /// Line length the first allocation of a part's columns assumes (cell CSVs run 25–40
    /// bytes a line); parts with shorter lines grow their columns.
    static let expectedBytesPerLine = 24

    let catalog: KPICatalog
    /// Threads that parse parts of a large file (by default one per core).
    let workers: Int
    let minimumBytesPerWorker: Int

    init(catalog: KPICatalog, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
         minimumBytesPerWorker: Int = CleanCellParser.minimumBytesPerWorker) {
        self.catalog = catalog
        self.workers = max(1, workers)
        self.minimumBytesPerWorker = max(1, minimumBytesPerWorker)
    }

    func parse(_ bytes: [UInt8]) -> RankingInput? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses bytes in place (e.g. a file's `Data`, without copying it into an array).
    func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> RankingInput? {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
        let start = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let end = buffer.count
        if memchr(base + start, 34, end - start) != nil || memchr(base + start, 13, end - start) != nil { return nil }
        guard let nl = memchr(base + start, 10, end - start) else { return nil }
        let headerEnd = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
        guard let layout = Layout(header: buffer[start..<headerEnd]) else { return nil }
        let bodyStart = headerEnd + 1
        // Parts start at line starts: each nominal split point moves to just past a newline.
        let parts = max(1, min(workers, (end - bodyStart) / minimumBytesPerWorker))
        var bounds = [bodyStart]
        for i in 1..<max(parts, 1) {
            var b = max(bounds[bounds.count - 1], bodyStart + (end - bodyStart) * i / parts)
            if b < end, let nl = memchr(base + b, 10, end - b) {
                b = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base + 1
            } else {
                b = end
            }
            bounds.append(b)
        }
        bounds.append(end)
        let bytes = SharedBytes(buffer: buffer)
        let catalog = self.catalog
        var chunks: [CellChunk] = []
        if parts == 1 {
            guard let chunk = CleanCellParser.parseChunk(bytes, bodyStart..<end, layout, catalog) else { return nil }
            chunks = [chunk]
        } else {
            let collector = SlotCollector<CellChunk?>(count: parts, empty: nil)
            let bounds = bounds
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                collector.store(CleanCellParser.parseChunk(bytes, bounds[i]..<bounds[i + 1], layout, catalog), at: i)
            }
            for chunk in collector.values {
                guard let chunk else { return nil }
                chunks.append(chunk)
            }
        }
        return RankingInput(columns: CellChunk.merge(chunks))
    }

    /// Where the columns are, from the header line; nil unless it names city, kpi (or code),
    /// period and value once each with `,` separators.
    struct Layout: Sendable {
        let width: Int
        let city: Int, kpi: Int, period: Int, value: Int
        /// −1 when absent.
        let scaled: Int, unit: Int

        init?(header: Slice<UnsafeBufferPointer<UInt8>>) {
            guard let text = String(validating: header, as: UTF8.self),
                  text.filter({ $0 == ";" }).count <= text.filter({ $0 == "," }).count else { return nil }
            let names = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard Set(names).count == names.count else { return nil }
            func column(_ n: String...) -> Int? { n.lazy.compactMap { names.firstIndex(of: $0) }.first }
            guard let city = column("city"), let kpi = column("kpi", "code"), let period = column("period"),
                  let value = column("value") else { return nil }
            width = names.count
            self.city = city
            self.kpi = kpi
            self.period = period
            self.value = value
            scaled = column("scaled") ?? -1
            unit = column("unit") ?? -1
        }
    }

    /// The input's bytes, shared read-only by the threads that parse its parts.
    /// `@unchecked Sendable`: nothing writes the buffer while `parse` runs.
    struct SharedBytes: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
    }

    /// Parses the lines in `range` (which starts at a line start); nil at the first thing the
    /// fast path does not handle.
    static func parseChunk(_ bytes: SharedBytes, _ range: Range<Int>, _ layout: Layout, _ catalog: KPICatalog) -> CellChunk? {
        let buffer = bytes.buffer
        guard let base = buffer.baseAddress else { return nil }
        let chunk = CellChunk(capacity: range.count / expectedBytesPerLine + 16)
        var cities = ByteInterner(base: base), kpis = ByteInterner(base: base), units = ByteInterner(base: base)
        /// Per interned KPI: whether the catalog defines it (or it is `POP.TOTAL`).
        var knownKPI: [Bool] = []
        /// Period indexes by the period's bytes packed into an integer (with its length on top).
        var periodKeys: [(packed: UInt64, index: Int32)] = []
        var periodIndex: [Period: Int32] = [:]
        let width = layout.width
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: width + 1)
        defer { starts.deallocate() }
        var pos = range.lowerBound
        let end = range.upperBound
        while pos < end {
            if base[pos] == 10 { pos += 1; continue }
            // Split one line into `width` fields: starts[i] ..< starts[i+1]-1.
            var field = 0
            starts[0] = pos
            var i = pos
            while i < end {
                let b = base[i]
                if b == 10 { break }
                if b == 44 {
                    field += 1
                    if field >= width { return nil }
                    starts[field] = i + 1
                }
                i += 1
            }
            guard field == width - 1 else { return nil }
            starts[width] = i + 1
            pos = i + 1
            @inline(__always) func from(_ c: Int) -> Int { starts[c] }
            @inline(__always) func length(_ c: Int) -> Int { starts[c + 1] - 1 - starts[c] }

            let cityLength = length(layout.city)
            guard cityLength > 0, let city = cities.intern(from(layout.city), cityLength) else { return nil }
            guard let kpi = kpis.intern(from(layout.kpi), length(layout.kpi)) else { return nil }
            if Int(kpi) == knownKPI.count {
                let code = kpis.texts[Int(kpi)]
                knownKPI.append(code == KPIDefinition.populationCode || catalog.contains(code))
            }
            guard knownKPI[Int(kpi)] else { return nil }

            // The period: at most 7 bytes, so its bytes packed into one integer are its key.
            let periodFrom = from(layout.period), periodLength = length(layout.period)
            guard periodLength <= 7 else { return nil }
            var packed = UInt64(periodLength) << 56
            for j in periodFrom..<(periodFrom + periodLength) { packed |= UInt64(base[j]) << (8 * UInt64(j - periodFrom)) }
            var period: Int32 = -1
            for key in periodKeys where key.packed == packed { period = key.index; break }
            if period < 0 {
                guard let p = Period(String(decoding: UnsafeBufferPointer(start: base + periodFrom, count: periodLength), as: UTF8.self)) else {
                    return nil
                }
                if let known = periodIndex[p] { period = known } else {
                    period = Int32(chunk.periods.count)
                    periodIndex[p] = period
                    chunk.periods.append(p)
                }
                periodKeys.append((packed, period))
            }

            let valueLength = length(layout.value)
            var value = 0.0
            if valueLength > 0 {
                let valueFrom = from(layout.value)
                guard let v = number(buffer, valueFrom..<(valueFrom + valueLength)) else { return nil }
                value = v
            }
            var scaled = false
            if layout.scaled >= 0 {
                guard let flag = scaledFlag(base + from(layout.scaled), length(layout.scaled)) else { return nil }
                scaled = flag
            }
            var unit: Int32 = -1
            if layout.unit >= 0, length(layout.unit) > 0 {
                guard let index = units.intern(from(layout.unit), length(layout.unit)) else { return nil }
                unit = index
            }
            chunk.append(name: city, kpi: kpi, period: period, value: value, hasValue: valueLength > 0, scaled: scaled, unit: unit)
        }
        chunk.names = cities.texts
        chunk.kpiCodes = kpis.texts
        chunk.units = units.texts
        return chunk
    }

    /// The `scaled` column as `CellCSV.read` accepts it, case-insensitively: true, 1, yes;
    /// false, 0, no or empty. Nil for anything else.
    static func scaledFlag(_ p: UnsafePointer<UInt8>, _ length: Int) -> Bool? {
        guard length <= 5 else { return nil }
        var packed: UInt64 = 0
        for j in 0..<length {
            let b = p[j]
            packed = packed << 8 | UInt64(b >= 65 && b <= 90 ? b | 0x20 : b)
        }
        switch packed | UInt64(length) << 56 {
        case 4 << 56 | 0x74_72_75_65, 1 << 56 | 0x31, 3 << 56 | 0x79_65_73: return true
        case 5 << 56 | 0x66_61_6C_73_65, 1 << 56 | 0x30, 2 << 56 | 0x6E_6F, 0: return false
        default: return nil
        }
    }

    /// The same strict decimal `CellCSV.parseNumber` accepts in point style, parsed in place:
    /// up to 15 significant digits and 22 decimals are divided exactly (correctly rounded, as
    /// `Double(String)`); longer numbers go through `Double(String)`.
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        var i = r.lowerBound
        var negative = false
        if buffer[i] == 45 || buffer[i] == 43 { negative = buffer[i] == 45; i += 1 }
        // Common case first: at most 15 digits in all (so at most 15 significant ones), read
        // in two tight loops; anything else goes through the digit-by-digit loop below.
        if r.upperBound - i <= 16 {
            var mantissa: UInt64 = 0
            var j = i
            while j < r.upperBound, buffer[j] &- 48 < 10 {
                mantissa = mantissa &* 10 &+ UInt64(buffer[j] &- 48)
                j += 1
            }
            var digits = j - i
            var fraction = 0
            var wellFormed = true
            if j < r.upperBound {
                if buffer[j] == 46 {
                    j += 1
                    let fractionStart = j
                    while j < r.upperBound, buffer[j] &- 48 < 10 {
                        mantissa = mantissa &* 10 &+ UInt64(buffer[j] &- 48)
                        j += 1
                    }
                    fraction = j - fractionStart
                    digits += fraction
                    wellFormed = fraction > 0 && j == r.upperBound
                } else {
                    wellFormed = false
                }
            }
            if wellFormed && digits > 0 && digits <= 15 {
                let v = Double(mantissa) / exactPowers[fraction]
                return negative ? -v : v
            }
        }
        var mantissa: UInt64 = 0
        var digits = 0, fraction = 0, dots = 0, significant = 0
        while i < r.upperBound {
            let b = buffer[i]
            if b >= 48 && b <= 57 {
                digits += 1
                if dots == 1 { fraction += 1 }
                if significant > 0 || b != 48 { significant += 1 }
                if significant <= 18 { mantissa = mantissa &* 10 &+ UInt64(b - 48) }
            } else if b == 46 {
                dots += 1
            } else {
                return nil
            }
            i += 1
        }
        guard digits > 0, dots <= 1, dots == 0 || fraction > 0 else { return nil }
        if significant <= 15 && fraction <= 22 {
            let v = Double(mantissa) / exactPowers[fraction]
            return negative ? -v : v
        }
        return Double(String(decoding: buffer[r], as: UTF8.self))
    }
}
