/// The nine action fields of a German smart-city strategy (design §3). Codes are a contract.
public enum ActionField: String, CaseIterable, Codable, Hashable, Sendable, Comparable {
    case egov, infrastructure, education, participation, living, economy, mobility, energy, safety

    /// English title for reports.
    public var title: String {
        switch self {
        case .egov: "E-Government and administration"
        case .infrastructure: "Infrastructure (broadband, public Wi-Fi)"
        case .education: "Digital education"
        case .participation: "Communication and participation"
        case .living: "Smart living"
        case .economy: "Economy and business settlement"
        case .mobility: "Mobility"
        case .energy: "Energy and environment"
        case .safety: "Safety and warning systems"
        }
    }

    public static func < (a: ActionField, b: ActionField) -> Bool { a.rawValue < b.rawValue }

    /// Parses a field code, throwing a message that lists the valid codes.
    public static func parse(_ text: String) throws(ModelError) -> ActionField {
        guard let field = ActionField(rawValue: text) else {
            throw ModelError(.unknownField, "unknown action field '\(text)' (expected one of: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return field
    }
}

/// Whether a larger value of a KPI is better.
public enum Direction: String, Codable, Hashable, Sendable {
    case higher, lower

    public static func parse(_ text: String) throws(ModelError) -> Direction {
        guard let d = Direction(rawValue: text) else {
            throw ModelError(.invalidDefinition, "unknown direction '\(text)' (expected higher or lower)")
        }
        return d
    }
}
