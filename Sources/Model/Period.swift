/// A reporting period: a calendar year `YYYY`, a quarter `YYYY-Qn` or a month `YYYY-MM` (design §3).
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public enum Granularity: String, Sendable, Hashable, Codable, Comparable {
        case year, quarter, month
        public static func < (a: Granularity, b: Granularity) -> Bool { a.rank < b.rank }
        private var rank: Int { switch self { case .year: 0; case .quarter: 1; case .month: 2 } }
    }

    /// Years outside this range are rejected as typos.
    public static let yearRange = 1900...2199

    public let year: Int
    public let granularity: Granularity
    /// Quarter 1...4 or month 1...12; 0 for a year.
    public let index: Int

    public init(year: Int) { self.year = year; granularity = .year; index = 0 }
    public init(year: Int, quarter: Int) { self.year = year; granularity = .quarter; index = quarter }
    public init(year: Int, month: Int) { self.year = year; granularity = .month; index = month }

    /// Parses `YYYY`, `YYYY-Qn` or `YYYY-MM` strictly; nil for anything else.
    public init?(_ text: String) {
        let b = Array(text.utf8)
        func digit(_ i: Int) -> Int? { (b[i] >= 48 && b[i] <= 57) ? Int(b[i] - 48) : nil }
        guard b.count >= 4, let d0 = digit(0), let d1 = digit(1), let d2 = digit(2), let d3 = digit(3) else { return nil }
        let year = d0 * 1000 + d1 * 100 + d2 * 10 + d3
        guard Period.yearRange.contains(year) else { return nil }
        switch b.count {
        case 4:
            self.init(year: year)
        case 7 where b[4] == UInt8(ascii: "-") && b[5] == UInt8(ascii: "Q"):
            guard let q = digit(6), (1...4).contains(q) else { return nil }
            self.init(year: year, quarter: q)
        case 7 where b[4] == UInt8(ascii: "-"):
            guard let m1 = digit(5), let m2 = digit(6), (1...12).contains(m1 * 10 + m2) else { return nil }
            self.init(year: year, month: m1 * 10 + m2)
        default:
            return nil
        }
    }

    /// Parses a period or throws an error naming the accepted forms.
    public static func parse(_ text: String) throws(ModelError) -> Period {
        guard let p = Period(text) else {
            throw ModelError(.malformedPeriod, "malformed period '\(text)' (expected YYYY, YYYY-Qn with n 1-4, or YYYY-MM)")
        }
        return p
    }

    public var description: String {
        let y = String(year)
        switch granularity {
        case .year: return y
        case .quarter: return "\(y)-Q\(index)"
        case .month: return index < 10 ? "\(y)-0\(index)" : "\(y)-\(index)"
        }
    }

    /// Chronological order; within the same start, coarser periods first.
    public static func < (a: Period, b: Period) -> Bool {
        if a.year != b.year { return a.year < b.year }
        if a.startMonth != b.startMonth { return a.startMonth < b.startMonth }
        return a.granularity < b.granularity
    }

    /// First month (1...12) the period covers.
    public var startMonth: Int {
        switch granularity {
        case .year: 1
        case .quarter: (index - 1) * 3 + 1
        case .month: index
        }
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let p = Period(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "malformed period '\(text)'"))
        }
        self = p
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
