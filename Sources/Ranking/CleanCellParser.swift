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
    private var cities = Interner()
    private var kpis = Interner()
    private var units = Interner()
    private var periods: [UInt64: (bytes: [UInt8], period: Period)] = [:]
    private var knownKPI: [String: Bool] = [:]

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
        var cells: [Cell] = []
        cells.reserveCapacity((end - pos) / 28)
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
            guard !cityRange.isEmpty, let city = cities.intern(buffer, cityRange) else { return nil }
            guard let kpi = kpis.intern(buffer, range(kpiCol)) else { return nil }
            let known: Bool
            if let k = knownKPI[kpi] { known = k } else {
                known = kpi == KPIDefinition.populationCode || catalog.contains(kpi)
                knownKPI[kpi] = known
            }
            guard known, let period = period(buffer, range(periodCol)) else { return nil }
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
            var unit: String? = nil
            if let u = unitCol, !range(u).isEmpty {
                guard let text = units.intern(buffer, range(u)) else { return nil }
                unit = text
            }
            cells.append(Cell(city: city, kpi: kpi, period: period, value: value, scaled: scaled, unit: unit))
        }
        return RankingInput(cells: cells)
    }

    private mutating func period(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Period? {
        let h = Interner.hash(buffer, r)
        if let hit = periods[h], hit.bytes.elementsEqual(buffer[r]) { return hit.period }
        guard let p = Period(String(decoding: buffer[r], as: UTF8.self)) else { return nil }
        periods[h] = (Array(buffer[r]), p)
        return p
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

/// Turns repeated byte strings (city names, KPI codes) into one shared `String` each,
/// validating UTF-8 once per distinct name.
struct Interner {
    private var table: [UInt64: [(bytes: [UInt8], text: String)]] = [:]
    private var lastBytes: [UInt8] = []
    private var lastText: String?

    /// FNV-1a over the bytes.
    static func hash(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in r { h = (h ^ UInt64(buffer[i])) &* 0x100_0000_01b3 }
        return h
    }

    mutating func intern(_ buffer: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> String? {
        if let last = lastText, lastBytes.count == r.count, lastBytes.elementsEqual(buffer[r]) { return last }
        let h = Interner.hash(buffer, r)
        if let bucket = table[h], let hit = bucket.first(where: { $0.bytes.elementsEqual(buffer[r]) }) {
            lastBytes = hit.bytes
            lastText = hit.text
            return hit.text
        }
        let bytes = Array(buffer[r])
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        table[h, default: []].append((bytes, text))
        lastBytes = bytes
        lastText = text
        return text
    }
}
