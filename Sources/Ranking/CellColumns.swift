import Model

/// The cells of one input as parallel columns over interned names, KPI codes, periods and
/// units: what the engine reads. Three million `Cell` values cost about 300 MB and a retain
/// per string; these columns cost 26 bytes a cell and are read sequentially.
struct CellColumns: Sendable {
    /// Distinct (origin, label) pairs in order of first appearance.
    var names: [(origin: String?, city: String)] = []
    /// Distinct KPI codes in order of first appearance.
    var kpiCodes: [String] = []
    /// Distinct periods in order of first appearance.
    var periods: [Period] = []
    /// Distinct units in order of first appearance.
    var units: [String] = []

    /// Per cell: index into `names`.
    var name: [Int32] = []
    /// Per cell: index into `kpiCodes`.
    var kpi: [Int32] = []
    /// Per cell: index into `periods`.
    var period: [Int32] = []
    /// Per cell: the value, 0 where `hasValue` is false.
    var value: [Double] = []
    /// Per cell: whether a value was reported (a suppressed value is missing, never zero).
    var hasValue: [Bool] = []
    /// Per cell: the value is already per capita.
    var scaled: [Bool] = []
    /// Per cell: index into `units`, or −1 when the city did not say.
    var unit: [Int32] = []

    var count: Int { kpi.count }

    init() {}

    /// Columns of `cells`, in their order.
    init(_ cells: [Cell]) {
        var builder = Builder(capacity: cells.count)
        for c in cells {
            builder.append(origin: c.origin, city: c.city, kpi: c.kpi, period: c.period, value: c.value,
                           scaled: c.scaled, unit: c.unit)
        }
        self = builder.columns
    }

    /// The cells again, in input order.
    var cells: [Cell] {
        (0..<count).map { i in
            let n = names[Int(name[i])]
            return Cell(origin: n.origin, city: n.city, kpi: kpiCodes[Int(kpi[i])], period: periods[Int(period[i])],
                        value: hasValue[i] ? value[i] : nil, scaled: scaled[i],
                        unit: unit[i] < 0 ? nil : units[Int(unit[i])])
        }
    }

    /// Index of a KPI code, if any cell has it.
    func kpiIndex(_ code: String) -> Int? { kpiCodes.firstIndex(of: code) }

    /// Appends cells one at a time, interning names through dictionaries with a fast path
    /// for runs of the same name (inputs are usually grouped by city).
    struct Builder {
        private(set) var columns = CellColumns()
        private var nameIndex: [NameKey: Int32] = [:]
        private var kpiIndex: [String: Int32] = [:]
        private var periodIndex: [Period: Int32] = [:]
        private var unitIndex: [String: Int32] = [:]
        private var lastName: NameKey?
        private var lastNameIndex: Int32 = 0
        private var lastKPI: String?
        private var lastKPIIndex: Int32 = 0

        private struct NameKey: Hashable {
            let origin: String?
            let city: String
        }

        init(capacity: Int) {
            columns.name.reserveCapacity(capacity)
            columns.kpi.reserveCapacity(capacity)
            columns.period.reserveCapacity(capacity)
            columns.value.reserveCapacity(capacity)
            columns.hasValue.reserveCapacity(capacity)
            columns.scaled.reserveCapacity(capacity)
            columns.unit.reserveCapacity(capacity)
        }

        mutating func append(origin: String?, city: String, kpi: String, period: Period, value: Double?,
                             scaled: Bool, unit: String?) {
            let key = NameKey(origin: origin, city: city)
            if key != lastName {
                if let n = nameIndex[key] { lastNameIndex = n } else {
                    lastNameIndex = Int32(columns.names.count)
                    nameIndex[key] = lastNameIndex
                    columns.names.append((origin, city))
                }
                lastName = key
            }
            if kpi != lastKPI {
                if let k = kpiIndex[kpi] { lastKPIIndex = k } else {
                    lastKPIIndex = Int32(columns.kpiCodes.count)
                    kpiIndex[kpi] = lastKPIIndex
                    columns.kpiCodes.append(kpi)
                }
                lastKPI = kpi
            }
            let p: Int32
            if let known = periodIndex[period] { p = known } else {
                p = Int32(columns.periods.count)
                periodIndex[period] = p
                columns.periods.append(period)
            }
            var u: Int32 = -1
            if let unit {
                if let known = unitIndex[unit] { u = known } else {
                    u = Int32(columns.units.count)
                    unitIndex[unit] = u
                    columns.units.append(unit)
                }
            }
            append(name: lastNameIndex, kpi: lastKPIIndex, period: p, value: value, scaled: scaled, unit: u)
        }

        /// Appends a cell whose name, KPI, period and unit are already interned.
        private mutating func append(name: Int32, kpi: Int32, period: Int32, value: Double?, scaled: Bool, unit: Int32) {
            columns.name.append(name)
            columns.kpi.append(kpi)
            columns.period.append(period)
            columns.value.append(value ?? 0)
            columns.hasValue.append(value != nil)
            columns.scaled.append(scaled)
            columns.unit.append(unit)
        }
    }
}
