import Dispatch
import Foundation
import Model

/// The fast path of `CellCSV.load` for clean files — `,` separators, no quotes, no CR, no
/// errors — which is what exports and generators write. It parses bytes in place (names
/// interned by their raw bytes, decimals without building strings) and splits large files at
/// line boundaries into one part per core, each writing its cells straight into the final
/// columns at its own offset and renumbered in file order afterwards, so 3 million rows load
/// in a fraction of a second with the same columns as one pass. Anything it does not handle (quotes, `;`, CRLF, any bad row) makes
/// it return nil, and the general reader built on `CSVReader` reads the file again and
/// reports every problem with its line and column.
struct CleanCellParser {
    /// Powers of ten that are exact doubles (10^0 … 10^22).
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }
    /// Bytes of input each extra thread must have to be worth starting: smaller files are
    /// parsed on one thread, as the split and merge would cost more than they save.
    static let minimumBytesPerWorker = 1 << 20

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
        for i in 1..<parts {
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
        let ranges = (0..<parts).map { bounds[$0]..<bounds[$0 + 1] }
        // Room per part: its newlines, plus a last line without one.
        var rooms = [Int](repeating: 0, count: parts)
        if parts == 1 {
            rooms[0] = CleanCellParser.newlines(base, ranges[0]) + 1
        } else {
            let counted = SlotCollector<Int>(count: parts, empty: 0)
            DispatchQueue.concurrentPerform(iterations: parts) { i in
                counted.store(CleanCellParser.newlines(bytes.buffer.baseAddress!, ranges[i]) + 1, at: i)
            }
            rooms = counted.values
        }
        var offsets = [0]
        for room in rooms { offsets.append(offsets[offsets.count - 1] + room) }
        var file = CellChunk()
        // Every part writes its cells straight into the final columns at its own offset.
        guard var columns = CellColumns.build(capacity: offsets[parts], { columns -> Int? in
            var tables: [CellChunk] = []
            if parts == 1 {
                guard let chunk = CleanCellParser.parseChunk(bytes, ranges[0], layout, catalog, into: columns, room: rooms[0]) else {
                    return nil
                }
                tables = [chunk]
            } else {
                let collector = SlotCollector<CellChunk?>(count: parts, empty: nil)
                let offsets = offsets, rooms = rooms
                DispatchQueue.concurrentPerform(iterations: parts) { i in
                    collector.store(CleanCellParser.parseChunk(bytes, ranges[i], layout, catalog,
                                                               into: columns.advanced(by: offsets[i]), room: rooms[i]), at: i)
                }
                for chunk in collector.values {
                    guard let chunk else { return nil }
                    tables.append(chunk)
                }
            }
            file = CleanCellParser.renumber(tables, columns, offsets: offsets)
            return file.count
        }) else { return nil }
        columns.names = file.names.map { (nil, $0) }
        columns.kpiCodes = file.kpiCodes
        columns.periods = file.periods
        columns.units = file.units
        return RankingInput(columns: columns)
    }

    /// The whole file's index of each of a part's items, registering new ones in order.
    static func globalIndexes<T: Hashable>(_ local: [T], _ index: inout [T: Int32], _ global: inout [T]) -> [Int32] {
        local.map { item in
            if let known = index[item] { return known }
            let i = Int32(global.count)
            index[item] = i
            global.append(item)
            return i
        }
    }

    /// Rewrites the parts' local indexes as the whole file's (the first part's already are:
    /// it meets every item first) and closes the gaps blank lines left between parts, so the
    /// cells are contiguous in file order. Returns the file's tables, each name, code, period
    /// and unit once in order of first appearance, and its number of cells.
    static func renumber(_ chunks: [CellChunk], _ columns: CellColumnPointers, offsets: [Int]) -> CellChunk {
        var nameIndex: [String: Int32] = [:], kpiIndex: [String: Int32] = [:]
        var periodIndex: [Period: Int32] = [:], unitIndex: [String: Int32] = [:]
        var names: [String] = [], kpiCodes: [String] = [], periods: [Period] = [], units: [String] = []
        var written = 0
        for (i, chunk) in chunks.enumerated() {
            let nameMap = globalIndexes(chunk.names, &nameIndex, &names)
            let kpiMap = globalIndexes(chunk.kpiCodes, &kpiIndex, &kpiCodes)
            let periodMap = globalIndexes(chunk.periods, &periodIndex, &periods)
            let unitMap = globalIndexes(chunk.units, &unitIndex, &units)
            let part = columns.advanced(by: offsets[i])
            if i > 0 {
                for c in 0..<chunk.count {
                    part.name[c] = nameMap[Int(part.name[c])]
                    part.kpi[c] = kpiMap[Int(part.kpi[c])]
                    part.period[c] = periodMap[Int(part.period[c])]
                    if part.unit[c] >= 0 { part.unit[c] = unitMap[Int(part.unit[c])] }
                }
            }
            if offsets[i] != written { columns.advanced(by: written).move(from: part, count: chunk.count) }
            written += chunk.count
        }
        return CellChunk(names: names, kpiCodes: kpiCodes, periods: periods, units: units, count: written)
    }

    /// Number of newline bytes in `range`, counted eight bytes at a time: a byte of
    /// `word ^ 0x0A…` is zero exactly where the word holds a newline, and the classic
    /// zero-byte test without carries marks each such byte's high bit.
    static func newlines(_ base: UnsafePointer<UInt8>, _ range: Range<Int>) -> Int {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7 = ones &* 0x7F
        var count = 0
        var i = range.lowerBound
        let raw = UnsafeRawPointer(base)
        while i + 8 <= range.upperBound {
            let y = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ (ones &* 10)
            let zeroHigh = ~(((y & low7) &+ low7) | y | low7)
            count &+= zeroHigh.nonzeroBitCount
            i += 8
        }
        while i < range.upperBound {
            if base[i] == 10 { count += 1 }
            i += 1
        }
        return count
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
    static func parseChunk(_ bytes: SharedBytes, _ range: Range<Int>, _ layout: Layout, _ catalog: KPICatalog,
                           into columns: CellColumnPointers, room: Int) -> CellChunk? {
        let buffer = bytes.buffer
        guard let base = buffer.baseAddress else { return nil }
        var chunk = CellChunk()
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
            guard chunk.count < room else { return nil }
            columns.store(chunk.count, name: city, kpi: kpi, period: period, value: value, hasValue: valueLength > 0,
                          scaled: scaled, unit: unit)
            chunk.count += 1
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
