import Foundation
import Model

/// Where one part of a clean cell CSV writes its cells: pointers to the part's first cell in
/// each of the final column arrays. `@unchecked Sendable`: every part writes only its own
/// disjoint range of cells, and the arrays are read only after all parts have finished.
struct CellColumnPointers: @unchecked Sendable {
    let name: UnsafeMutablePointer<Int32>
    let kpi: UnsafeMutablePointer<Int32>
    let period: UnsafeMutablePointer<Int32>
    let value: UnsafeMutablePointer<Double>
    let hasValue: UnsafeMutablePointer<Bool>
    let scaled: UnsafeMutablePointer<Bool>
    let unit: UnsafeMutablePointer<Int32>

    /// The pointers `cells` cells further on.
    func advanced(by cells: Int) -> CellColumnPointers {
        CellColumnPointers(name: name + cells, kpi: kpi + cells, period: period + cells, value: value + cells,
                           hasValue: hasValue + cells, scaled: scaled + cells, unit: unit + cells)
    }

    /// Stores cell `i`.
    @inline(__always) func store(_ i: Int, name n: Int32, kpi k: Int32, period p: Int32, value v: Double,
                                 hasValue h: Bool, scaled s: Bool, unit u: Int32) {
        name[i] = n
        kpi[i] = k
        period[i] = p
        value[i] = v
        hasValue[i] = h
        scaled[i] = s
        unit[i] = u
    }

    /// Moves `count` cells from `source` to `self` (ranges may overlap).
    func move(from source: CellColumnPointers, count: Int) {
        name.update(from: source.name, count: count)
        kpi.update(from: source.kpi, count: count)
        period.update(from: source.period, count: count)
        value.update(from: source.value, count: count)
        hasValue.update(from: source.hasValue, count: count)
        scaled.update(from: source.scaled, count: count)
        unit.update(from: source.unit, count: count)
    }
}

/// One part of a clean cell CSV as parsed on one thread: how many cells it wrote, and the
/// names, KPI codes, periods and units its cells' indexes refer to, numbered in order of
/// first appearance within the part. `CleanCellParser` renumbers them for the whole file.
struct CellChunk: Sendable {
    var names: [String] = []
    var kpiCodes: [String] = []
    var periods: [Period] = []
    var units: [String] = []
    /// Number of cells written.
    var count = 0
}

extension CellColumns {
    /// Columns built in place: `fill` writes up to `capacity` cells through the pointers and
    /// returns how many it wrote (nil to give up, leaving the columns empty). The tables
    /// (`names`, …) are left for the caller.
    static func build(capacity: Int, _ fill: (CellColumnPointers) -> Int?) -> CellColumns? {
        var written: Int? = nil
        var columns = CellColumns()
        var kpi: [Int32] = [], period: [Int32] = [], value: [Double] = []
        var hasValue: [Bool] = [], scaled: [Bool] = [], unit: [Int32] = []
        let n = max(1, capacity)
        // Each array is initialised by the closure nested in its own; the innermost runs `fill`.
        columns.name = [Int32](unsafeUninitializedCapacity: n) { nameBuffer, nameCount in
            kpi = [Int32](unsafeUninitializedCapacity: n) { kpiBuffer, kpiCount in
                period = [Int32](unsafeUninitializedCapacity: n) { periodBuffer, periodCount in
                    value = [Double](unsafeUninitializedCapacity: n) { valueBuffer, valueCount in
                        hasValue = [Bool](unsafeUninitializedCapacity: n) { hasValueBuffer, hasValueCount in
                            scaled = [Bool](unsafeUninitializedCapacity: n) { scaledBuffer, scaledCount in
                                unit = [Int32](unsafeUninitializedCapacity: n) { unitBuffer, unitCount in
                                    written = fill(CellColumnPointers(
                                        name: nameBuffer.baseAddress!, kpi: kpiBuffer.baseAddress!, period: periodBuffer.baseAddress!,
                                        value: valueBuffer.baseAddress!, hasValue: hasValueBuffer.baseAddress!,
                                        scaled: scaledBuffer.baseAddress!, unit: unitBuffer.baseAddress!))
                                    unitCount = written ?? 0
                                }
                                scaledCount = written ?? 0
                            }
                            hasValueCount = written ?? 0
                        }
                        valueCount = written ?? 0
                    }
                    periodCount = written ?? 0
                }
                kpiCount = written ?? 0
            }
            nameCount = written ?? 0
        }
        guard written != nil else { return nil }
        columns.kpi = kpi
        columns.period = period
        columns.value = value
        columns.hasValue = hasValue
        columns.scaled = scaled
        columns.unit = unit
        return columns
    }
}
