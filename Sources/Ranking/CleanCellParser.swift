import Foundation
import Model

/// The fast path of `CellCSV.load` for clean files — `,` separators, no quotes, no CR, no
/// errors — which is what exports and generators write. It parses bytes in place and interns
/// repeated names, so 3 million rows load in well under a second. Anything it does not
/// handle (quotes, `;`, CRLF, any bad row) makes it return nil, and the general reader built
/// on `CSVReader` reads the file again and reports every problem with its line and column.
struct CleanCellParser {
    /// Powers of ten that are exact doubles (10^0 … 10^22).
    static let exactPowers: [Double] = (0...22).map { pow(10, Double($0)) }

    let catalog: KPICatalog
    /// Period indexes by the period's bytes packed into an integer (with its length on top).
    private var periods: [UInt64: Int32] = [:]
    private var periodIndex: [Period: Int32] = [:]

    init(catalog: KPICatalog) { self.catalog = catalog }

    mutating func parse(_ bytes: [UInt8]) -> RankingInput? {
        bytes.withUnsafeBufferPointer { parse($0) }
    }

    /// Parses bytes in place (e.g. a file's `Data`, without copying it into an array).
    mutating func parse(_ buffer: UnsafeBufferPointer<UInt8>) -> RankingInput? {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
        var pos = buffer.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let end = buffer.count
        if memchr(base + pos, 34, end - pos) != nil || memchr(base + pos, 13, end - pos) != nil { return nil }
        // Header.
        guard let nl = memchr(base + pos, 10, end - pos) else { return nil }
        let headerEnd = UnsafePointer<UInt8>(nl.assumingMemoryBound(to: UInt8.self)) - base
        let headerBytes = Array(buffer[pos..<headerEnd])
        guard let header = String(validating: headerBytes, as: UTF8.self),
              header.filter({ $0 == ";" }).count <= header.filter({ $0 == "," }).count else { return nil }
        let names = header.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard Set(names).count == names.count else { return nil }
        func column(_ n: String...) -> Int? { n.lazy.compactMap { names.firstIndex(of: $0) }.first }
        guard let cityCol = column("city"), let kpiCol = column("kpi", "code"), let periodCol = column("period"),
              let valueCol = column("value") else { return nil }
        let scaledCol = column("scaled"), unitCol = column("unit")
        let width = names.count
        pos = headerEnd + 1
        var starts = [Int](repeating: 0, count: width + 1)
        var builder = CellColumns.Builder(capacity: (end - pos) / 28)
        var cities = Interner(), kpis = Interner(), units = Interner()
        /// Per interned KPI: whether the catalog defines it (or it is `POP.TOTAL`).
        var knownKPI: [Bool] = []
        while pos < end {
            if base[pos] == 10 { pos += 1; continue }
            // Split one line into `width` fields: starts[i] ..< starts[i+1]-1.
            var field = 0
            starts[0] = pos
            var i = pos
            while i < end && base[i] != 10 {
                if base[i] == 44 {
                    field += 1
                    if field >= width { return nil }
                    starts[field] = i + 1
                }
                i += 1
            }
            guard field == width - 1 else { return nil }
            starts[width] = i + 1
            pos = i + 1
            func range(_ c: Int) -> Range<Int> { starts[c]..<(starts[c + 1] - 1) }
            let cityRange = range(cityCol)
            guard !cityRange.isEmpty, let city = cities.intern(buffer, cityRange, add: { builder.addName($0) }) else { return nil }
            guard let kpi = kpis.intern(buffer, range(kpiCol), add: { code in
                knownKPI.append(code == KPIDefinition.populationCode || catalog.contains(code))
                return builder.addKPI(code)
            }) else { return nil }
            guard knownKPI[Int(kpi)], let period = period(buffer, range(periodCol), &builder) else { return nil }
            let valueRange = range(valueCol)
            var value: Double? = nil
            if !valueRange.isEmpty {
                guard let v = CleanCellParser.number(buffer, valueRange) else { return nil }
                value = v
            }
            var scaled = false
            if let s = scaledCol {
                switch String(decoding: buffer[range(s)], as: UTF8.self).lowercased() {
                case "true", "1", "yes": scaled = true
                case "false", "0", "no", "": scaled = false
                default: return nil
                }
            }
            var unit: Int32 = -1
            if let u = unitCol, !range(u).isEmpty {
                guard let index = units.intern(buffer, range(u), add: { builder.addUnit($0) }) else { return nil }
                unit = index
            }
            builder.append(name: city, kpi: kpi, period: period, value: value, scaled: scaled, unit: unit)
        }
        return RankingInput(columns: builder.columns)
    }

    /// The index of the period spelled by the bytes, interning it on first sight. Periods are
    /// at most 7 bytes, so their bytes packed into one integer are the cache key.
    private mutating func period(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>,
                                 _ builder: inout CellColumns.Builder) -> Int32? {
        guard r.count <= 7 else { return nil }
        var packed: UInt64 = 0
        for i in r { packed = packed << 8 | UInt64(buffer[i]) }
        packed |= UInt64(r.count) << 56
        if let hit = periods[packed] { return hit }
        guard let p = Period(String(decoding: buffer[r], as: UTF8.self)) else { return nil }
        let index: Int32
        if let known = periodIndex[p] { index = known } else {
            index = builder.addPeriod(p)
            periodIndex[p] = index
        }
        periods[packed] = index
        return index
    }

    /// The same strict decimal `CellCSV.parseNumber` accepts in point style, parsed in place:
    /// up to 15 significant digits and 22 decimals are divided exactly (correctly rounded, as
    /// `Double(String)`); longer numbers go through `Double(String)`.
    static func number(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        var i = r.lowerBound
        var negative = false
        if buffer[i] == 45 || buffer[i] == 43 { negative = buffer[i] == 45; i += 1 }
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

/// Turns repeated byte strings (city names, KPI codes) into one index each, validating UTF-8
/// once per distinct name.
struct Interner {
    private var table: [UInt64: [(bytes: [UInt8], index: Int32)]] = [:]
    private var lastBytes: [UInt8] = []
    private var lastIndex: Int32 = -1

    /// Whether `bytes` equals `buffer[r]`, compared with `memcmp`.
    @inline(__always) static func same(_ bytes: [UInt8], _ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Bool {
        guard bytes.count == r.count else { return false }
        guard let base = buffer.baseAddress, !r.isEmpty else { return true }
        return bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, base + r.lowerBound, r.count) == 0 }
    }

    /// FNV-1a over the bytes.
    static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in r { h = (h ^ UInt64(buffer[i])) &* 0x100_0000_01b3 }
        return h
    }

    /// The index of the bytes' text; `add` registers a text not seen before and returns its
    /// index. Nil when the bytes are not UTF-8.
    mutating func intern(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>, add: (String) -> Int32) -> Int32? {
        if lastIndex >= 0, Interner.same(lastBytes, buffer, r) { return lastIndex }
        let h = Interner.hash(buffer, r)
        if let bucket = table[h], let hit = bucket.first(where: { Interner.same($0.bytes, buffer, r) }) {
            lastBytes = hit.bytes
            lastIndex = hit.index
            return hit.index
        }
        let bytes = Array(buffer[r])
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        let index = add(text)
        table[h, default: []].append((bytes, index))
        lastBytes = bytes
        lastIndex = index
        return index
    }
}
