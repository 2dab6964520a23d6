/// A catalog entry: what a KPI measures and how it is compared (design §3, JSON format is a contract).
public struct KPIDefinition: Hashable, Sendable, Codable {
    /// The code every city uses for this KPI, e.g. `MOB.EV_CHARGERS`.
    public var code: String
    /// English name (required).
    public var name: String
    /// German name, if given.
    public var nameDe: String?
    /// Unit, e.g. `count`, `percent`, `days`, `MWh`.
    public var unit: String
    public var direction: Direction
    public var field: ActionField
    /// If set, values are divided by `POP.TOTAL` and multiplied by this before ranking.
    public var perCapita: Int?
    /// Counts of persons or transactions, which the disclosure policy may suppress or noise.
    public var personCount: Bool
    /// References to ISO 37120/37122/37123, ITU-T Y.4903 (U4SSC) or other sources.
    public var refs: [String]

    /// The population KPI: only a per-capita denominator, never ranked.
    public static let populationCode = "POP.TOTAL"

    public init(code: String, name: String, nameDe: String? = nil, unit: String, direction: Direction,
                field: ActionField, perCapita: Int? = nil, personCount: Bool = false, refs: [String] = []) {
        self.code = code
        self.name = name
        self.nameDe = nameDe
        self.unit = unit
        self.direction = direction
        self.field = field
        self.perCapita = perCapita
        self.personCount = personCount
        self.refs = refs
    }

    /// Checks the invariants a definition from any source must satisfy.
    public func validated() throws(ModelError) -> KPIDefinition {
        try KPIDefinition.validateCode(code)
        guard !name.isEmpty, name.count <= 200 else {
            throw ModelError(.invalidDefinition, "KPI \(code): name must be 1 to 200 characters")
        }
        guard !unit.isEmpty, unit.count <= 40 else {
            throw ModelError(.invalidDefinition, "KPI \(code): unit must be 1 to 40 characters")
        }
        if let p = perCapita, p <= 0 || p > 1_000_000_000 {
            throw ModelError(.invalidDefinition, "KPI \(code): perCapita must be a positive whole number up to 1000000000, not \(p)")
        }
        return self
    }

    /// A KPI code is 3 to 64 characters of `A-Z`, `0-9`, `_` and `.`, starting with a letter and
    /// with at least one `.` separating a prefix from the name (e.g. `MOB.EV_CHARGERS`).
    public static func validateCode(_ code: String) throws(ModelError) {
        var valid = false
        let count = code.utf8.count
        if (3...64).contains(count) {
            valid = true
            var previous: UInt8 = 46
            var dots = 0
            for (i, c) in code.utf8.enumerated() {
                let upper = c >= 65 && c <= 90
                let allowed = upper || (c >= 48 && c <= 57) || c == 95 || c == 46
                // Starts with a letter; no empty segment (no leading, trailing or double dot).
                if !allowed || (i == 0 && !upper) || (c == 46 && previous == 46) { valid = false; break }
                if c == 46 { dots += 1 }
                previous = c
            }
            if previous == 46 || dots == 0 { valid = false }
        }
        guard valid else {
            throw ModelError(.malformedCode, "malformed KPI code '\(code)' (expected upper-case letters, digits, '_' and '.', such as MOB.EV_CHARGERS)")
        }
    }

    enum CodingKeys: String, CodingKey {
        case code, name, nameDe, unit, direction, field, perCapita, personCount, refs
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        code = try c.decode(String.self, forKey: .code)
        name = try c.decode(String.self, forKey: .name)
        nameDe = try c.decodeIfPresent(String.self, forKey: .nameDe)
        unit = try c.decode(String.self, forKey: .unit)
        direction = try c.decode(Direction.self, forKey: .direction)
        field = try c.decode(ActionField.self, forKey: .field)
        perCapita = try c.decodeIfPresent(Int.self, forKey: .perCapita)
        personCount = try c.decodeIfPresent(Bool.self, forKey: .personCount) ?? false
        refs = try c.decodeIfPresent([String].self, forKey: .refs) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(nameDe, forKey: .nameDe)
        try c.encode(unit, forKey: .unit)
        try c.encode(direction, forKey: .direction)
        try c.encode(field, forKey: .field)
        if let p = perCapita { try c.encode(p, forKey: .perCapita) } else { try c.encodeNil(forKey: .perCapita) }
        try c.encode(personCount, forKey: .personCount)
        try c.encode(refs, forKey: .refs)
    }
}
