import Model
import Store

/// A KPI value as stored: exact decimal, optional source and note, and for `personCount` KPIs
/// the Laplace draw u entered with it.
public struct KPIValueRecord: Sendable, Hashable {
    public var code: String
    public var period: Period
    public var value: DecimalValue
    public var source: String?
    public var note: String?
    /// u ~ Laplace(0, 1), drawn when the value was entered; nil for KPIs that are not person counts.
    public var noise: Double?

    public init(code: String, period: Period, value: DecimalValue, source: String? = nil, note: String? = nil, noise: Double? = nil) {
        self.code = code
        self.period = period
        self.value = value
        self.source = source
        self.note = note
        self.noise = noise
    }
}

/// `kpi set`: one value entered by hand.
extension Node {
    /// Longest source or note accepted, in characters.
    public static let maxFreeTextLength = 1_000

    /// Stores `valueText` for `code` and `periodText`, replacing an earlier value of the same
    /// period. A `personCount` KPI gets a fresh Laplace draw whenever its value changes.
    @discardableResult
    public func setValue(code: String, period periodText: String, value valueText: String,
                         source: String? = nil, note: String? = nil) throws(NodeError) -> KPIValueRecord {
        let catalog = try catalog()
        guard let definition = catalog[code] else {
            throw NodeError(.unknownKPI, "unknown KPI code '\(code)'; see 'citybench kpi list' or add it with 'citybench kpi define'")
        }
        let period: Period
        do { period = try Period.parse(periodText) } catch { throw NodeError(.invalidInput, error.message) }
        guard let value = DecimalValue(valueText, style: .point) else {
            throw NodeError(.invalidInput, "value '\(valueText)' for \(code) is not a number (expected a decimal number such as 1234.5)")
        }
        for (label, text) in [("source", source), ("note", note)] {
            if let text, text.count > Node.maxFreeTextLength {
                throw NodeError(.invalidInput, "the \(label) is longer than \(Node.maxFreeTextLength) characters")
            }
        }
        let noise: Double?
        do { noise = definition.personCount ? try randomness.laplace() : nil } catch {
            throw NodeError(.crypto, "could not draw random noise for \(code): \(error)")
        }
        let record = KPIValueRecord(code: code, period: period, value: value, source: source.flatMap { $0.isEmpty ? nil : $0 },
                                    note: note.flatMap { $0.isEmpty ? nil : $0 }, noise: noise)
        try write {
            let writer = try KPIValueWriter(database: database)
            try writer.upsert(record, at: Node.now())
        }
        return record
    }

    /// The stored value of `code` in `period`, if any.
    public func value(code: String, period: Period) throws(NodeError) -> KPIValueRecord? {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("SELECT value, source, note, noise_u FROM kpi_value WHERE code = ? AND period_order = ?")
            try stmt.bind([.text(code), .integer(period.sortKey)])
            guard try stmt.step(), let v = DecimalValue(stmt.text(0)) else { return nil }
            return KPIValueRecord(code: code, period: period, value: v, source: stmt.optionalText(1),
                                  note: stmt.optionalText(2), noise: stmt.optionalDouble(3))
        }
    }
}

/// The prepared upsert of KPI values, shared by `kpi set` and `kpi import`. An unchanged value
/// keeps its Laplace draw (so re-importing a file does not re-draw noise); a changed one takes
/// the fresh draw it was given.
struct KPIValueWriter {
    private let statement: Statement

    init(database: Database) throws(StoreError) {
        statement = try database.prepare("""
            INSERT INTO kpi_value (code, period, period_order, value, source, note, noise_u, entered_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (code, period_order) DO UPDATE SET
                noise_u = CASE WHEN kpi_value.value = excluded.value AND kpi_value.noise_u IS NOT NULL
                               AND excluded.noise_u IS NOT NULL THEN kpi_value.noise_u ELSE excluded.noise_u END,
                value = excluded.value, source = excluded.source, note = excluded.note,
                period = excluded.period, entered_at = excluded.entered_at
            """)
    }

    func upsert(_ r: KPIValueRecord, at time: Int64) throws(StoreError) {
        try upsert(code: r.code, period: r.period, canonicalValue: r.value.description, source: r.source, note: r.note,
                   noise: r.noise, at: time)
    }

    /// Stores a value given as canonical decimal text (see `DecimalValue.canonicalText`).
    func upsert(code: String, period: Period, canonicalValue: String, source: String?, note: String?, noise: Double?,
                at time: Int64) throws(StoreError) {
        try statement.bind(.text(code), at: 1)
        try statement.bind(.text(period.description), at: 2)
        try statement.bind(.integer(period.sortKey), at: 3)
        try statement.bind(.text(canonicalValue), at: 4)
        try statement.bind(.text(source), at: 5)
        try statement.bind(.text(note), at: 6)
        try statement.bind(.real(noise), at: 7)
        try statement.bind(.integer(time), at: 8)
        while try statement.step() {}
        statement.rewind()
    }
}
