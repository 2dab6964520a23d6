import Model

/// What a record is about (design §4): the city profile, its projects, or the KPI values of one
/// period. The text form is the `sub` header field and the sort key of the head's root.
public enum Subject: Hashable, Sendable, Comparable, CustomStringConvertible {
    case profile
    case projects
    case kpi(Period)

    public init?(_ text: String) {
        switch text {
        case "profile": self = .profile
        case "projects": self = .projects
        default:
            guard text.hasPrefix("kpi/"), let p = Period(String(text.dropFirst(4))) else { return nil }
            self = .kpi(p)
        }
    }

    public var description: String {
        switch self {
        case .profile: "profile"
        case .projects: "projects"
        case .kpi(let p): "kpi/\(p)"
        }
    }

    /// Subjects order by their text's bytes, the order records are numbered and hashed in.
    public static func < (a: Subject, b: Subject) -> Bool {
        a.description.utf8.lexicographicallyPrecedes(b.description.utf8)
    }
}
