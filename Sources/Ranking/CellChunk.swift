import Foundation
import Model

/// The cells of one part of a clean cell CSV, parsed on one thread: columns over names, KPI
/// codes, periods and units numbered in order of first appearance within the part.
/// `merge` joins parts in file order into the columns a single pass would have built.
/// `@unchecked Sendable`: only the thread that parses a chunk writes it, and it is read only
/// after that thread's `concurrentPerform` iteration has returned.
final class CellChunk: @unchecked Sendable {
    var names: [String] = []
    var kpiCodes: [String] = []
    var periods: [Period] = []
    var units: [String] = []
    /// Number of cells.
    var count = 0

    private(set) var name: UnsafeMutablePointer<Int32>
    private(set) var kpi: UnsafeMutablePointer<Int32>
    private(set) var period: UnsafeMutablePointer<Int32>
    private(set) var value: UnsafeMutablePointer<Double>
    private(set) var hasValue: UnsafeMutablePointer<Bool>
    private(set) var scaled: UnsafeMutablePointer<Bool>
    private(set) var unit: UnsafeMutablePointer<Int32>
    /// Cells the columns have room for.
    private(set) var capacity: Int

    /// Room for `capacity` cells.
    init(capacity: Int) {
        let n = max(1, capacity)
        self.capacity = n
        name = .allocate(capacity: n)
        kpi = .allocate(capacity: n)
        period = .allocate(capacity: n)
        value = .allocate(capacity: n)
        hasValue = .allocate(capacity: n)
        scaled = .allocate(capacity: n)
        unit = .allocate(capacity: n)
    }

    deinit {
        name.deallocate()
        kpi.deallocate()
        period.deallocate()
        value.deallocate()
        hasValue.deallocate()
        scaled.deallocate()
        unit.deallocate()
    }

    /// Doubles the room, keeping the first `count` cells.
    func grow() {
        let n = capacity * 2
        func moved<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
            let new = UnsafeMutablePointer<T>.allocate(capacity: n)
            new.moveInitialize(from: old, count: count)
            old.deallocate()
            return new
        }
        name = moved(name)
        kpi = moved(kpi)
        period = moved(period)
        value = moved(value)
        hasValue = moved(hasValue)
        scaled = moved(scaled)
        unit = moved(unit)
        capacity = n
    }

    /// Appends one cell.
    @inline(__always) func append(name n: Int32, kpi k: Int32, period p: Int32, value v: Double, hasValue h: Bool,
                                  scaled s: Bool, unit u: Int32) {
        if count == capacity { grow() }
        name[count] = n
        kpi[count] = k
        period[count] = p
        value[count] = v
        hasValue[count] = h
        scaled[count] = s
        unit[count] = u
        count += 1
    }

    /// The chunks' cells as one set of columns, in chunk order. Names, KPI codes, periods and
    /// units keep their order of first appearance over the whole file.
    static func merge(_ chunks: [CellChunk]) -> CellColumns {
        var columns = CellColumns()
        var nameIndex: [String: Int32] = [:], kpiIndex: [String: Int32] = [:]
        var periodIndex: [Period: Int32] = [:], unitIndex: [String: Int32] = [:]
        func remap<T: Hashable>(_ local: [T], _ index: inout [T: Int32], _ global: inout [T]) -> [Int32] {
            local.map { item in
                if let known = index[item] { return known }
                let i = Int32(global.count)
                index[item] = i
                global.append(item)
                return i
            }
        }
        var kpiCodes: [String] = [], names: [String] = [], periods: [Period] = [], units: [String] = []
        var nameMaps: [[Int32]] = [], kpiMaps: [[Int32]] = [], periodMaps: [[Int32]] = [], unitMaps: [[Int32]] = []
        for chunk in chunks {
            nameMaps.append(remap(chunk.names, &nameIndex, &names))
            kpiMaps.append(remap(chunk.kpiCodes, &kpiIndex, &kpiCodes))
            periodMaps.append(remap(chunk.periods, &periodIndex, &periods))
            unitMaps.append(remap(chunk.units, &unitIndex, &units))
        }
        columns.names = names.map { (nil, $0) }
        columns.kpiCodes = kpiCodes
        columns.periods = periods
        columns.units = units
        let total = chunks.reduce(0) { $0 + $1.count }
        columns.name = gather(chunks, total, nameMaps) { $0.name }
        columns.kpi = gather(chunks, total, kpiMaps) { $0.kpi }
        columns.period = gather(chunks, total, periodMaps) { $0.period }
        columns.unit = gather(chunks, total, unitMaps) { $0.unit }
        columns.value = concatenate(chunks, total) { $0.value }
        columns.hasValue = concatenate(chunks, total) { $0.hasValue }
        columns.scaled = concatenate(chunks, total) { $0.scaled }
        return columns
    }

    /// One index column of all chunks, each chunk's local indexes mapped to global ones
    /// (−1, no unit, stays −1).
    private static func gather(_ chunks: [CellChunk], _ total: Int, _ maps: [[Int32]],
                               _ column: (CellChunk) -> UnsafeMutablePointer<Int32>) -> [Int32] {
        [Int32](unsafeUninitializedCapacity: total) { out, initialized in
            var o = 0
            for (chunk, map) in zip(chunks, maps) {
                let local = column(chunk)
                map.withUnsafeBufferPointer { map in
                    for i in 0..<chunk.count {
                        let l = local[i]
                        out[o + i] = l < 0 ? l : map[Int(l)]
                    }
                }
                o += chunk.count
            }
            initialized = total
        }
    }

    /// One plain column of all chunks, copied in chunk order.
    private static func concatenate<T>(_ chunks: [CellChunk], _ total: Int,
                                       _ column: (CellChunk) -> UnsafeMutablePointer<T>) -> [T] {
        [T](unsafeUninitializedCapacity: total) { out, initialized in
            var o = 0
            for chunk in chunks where chunk.count > 0 {
                (out.baseAddress! + o).initialize(from: column(chunk), count: chunk.count)
                o += chunk.count
            }
            initialized = total
        }
    }
}
