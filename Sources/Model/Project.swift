/// Project categories of the seed programmes (design §3; codes are a contract).
public enum ProjectCategory: String, CaseIterable, Codable, Hashable, Sendable, Comparable {
    case publicWifi = "public-wifi"
    case schoolWifi = "school-wifi"
    case broadband
    case mobileParking = "mobile-parking"
    case evCharging = "ev-charging"
    case smartLighting = "smart-lighting"
    case digitalPermit = "digital-permit"
    case onlineVehicleRegistration = "online-vehicle-registration"
    case citizenTerminal = "citizen-terminal"
    case onlineServices = "online-services"
    case pedestrianCounting = "pedestrian-counting"
    case vacancyManagement = "vacancy-management"
    case cityInfoDisplay = "city-info-display"
    case emergencyCareNetwork = "emergency-care-network"
    case participationPlatform = "participation-platform"
    case openDataPortal = "open-data-portal"
    case digitalTwin = "digital-twin"
    case sensorNetwork = "sensor-network"
    case other

    public static func < (a: ProjectCategory, b: ProjectCategory) -> Bool { a.rawValue < b.rawValue }

    public static func parse(_ text: String) throws(ModelError) -> ProjectCategory {
        guard let c = ProjectCategory(rawValue: text) else {
            throw ModelError(.unknownCategory, "unknown project category '\(text)' (expected one of: \(allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return c
    }
}

/// Where a project stands.
public enum ProjectStatus: String, CaseIterable, Codable, Hashable, Sendable, Comparable {
    case planned, active, done, stopped

    public static func < (a: ProjectStatus, b: ProjectStatus) -> Bool { a.rawValue < b.rawValue }

    public static func parse(_ text: String) throws(ModelError) -> ProjectStatus {
        guard let s = ProjectStatus(rawValue: text) else {
            throw ModelError(.unknownStatus, "unknown project status '\(text)' (expected planned, active, done or stopped)")
        }
        return s
    }
}

/// A smart-city project as the city records it. Name, description, budget and goal are local only:
/// the disclosure layer never reads them.
public struct Project: Hashable, Sendable, Codable {
    /// Stable local id (random, lowercase hex); published only as an HMAC pseudonym.
    public var id: String
    public var name: String
    public var field: ActionField
    public var category: ProjectCategory
    public var status: ProjectStatus
    public var startYear: Int?
    public var endYear: Int?
    /// Budget in euros.
    public var budget: DecimalValue?
    public var description: String?
    /// The strategic goal the project serves.
    public var goal: String?
    /// KPI codes the project is meant to move.
    public var kpis: [String]

    public init(id: String, name: String, field: ActionField, category: ProjectCategory, status: ProjectStatus = .planned,
                startYear: Int? = nil, endYear: Int? = nil, budget: DecimalValue? = nil, description: String? = nil,
                goal: String? = nil, kpis: [String] = []) {
        self.id = id
        self.name = name
        self.field = field
        self.category = category
        self.status = status
        self.startYear = startYear
        self.endYear = endYear
        self.budget = budget
        self.description = description
        self.goal = goal
        self.kpis = kpis
    }

    /// Checks names, years and budget; the message names the field at fault.
    public func validated() throws(ModelError) -> Project {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty, name.count <= 300 else {
            throw ModelError(.invalidProject, "project name must be 1 to 300 characters")
        }
        for (label, year) in [("start", startYear), ("end", endYear)] {
            if let y = year, !Period.yearRange.contains(y) {
                throw ModelError(.invalidProject, "project \(label) year \(y) is outside \(Period.yearRange.lowerBound)-\(Period.yearRange.upperBound)")
            }
        }
        if let s = startYear, let e = endYear, e < s {
            throw ModelError(.invalidProject, "project end year \(e) is before its start year \(s)")
        }
        if let b = budget, b.isNegative {
            throw ModelError(.invalidProject, "project budget \(b) is negative")
        }
        for code in kpis { try KPIDefinition.validateCode(code) }
        return self
    }
}

extension String {
    func trimmingCharacters(in set: Set<Character>) -> String {
        String(drop(while: set.contains).reversed().drop(while: set.contains).reversed())
    }
}

extension Set where Element == Character {
    static let whitespaces: Set<Character> = [" ", "\t", "\n", "\r"]
}
