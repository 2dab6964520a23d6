/// Size classes by population (design §3).
public enum SizeClass: String, CaseIterable, Codable, Hashable, Sendable {
    case rural, small, medium, large, metro

    /// rural < 5,000 ≤ small < 20,000 ≤ medium < 100,000 ≤ large < 500,000 ≤ metro.
    public init(population: Double) {
        switch population {
        case ..<5_000: self = .rural
        case ..<20_000: self = .small
        case ..<100_000: self = .medium
        case ..<500_000: self = .large
        default: self = .metro
        }
    }
}

/// Who a node is: kept locally; only the disclosure layer decides what of it leaves.
public struct CityProfile: Hashable, Sendable, Codable {
    public var name: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    public var region: String?
    /// Amtlicher Gemeindeschlüssel (8 digits), if known.
    public var ags: String?

    public init(name: String, country: String, region: String? = nil, ags: String? = nil) {
        self.name = name
        self.country = country
        self.region = region
        self.ags = ags
    }

    public func validated() throws(ModelError) -> CityProfile {
        guard !name.isEmpty, name.count <= 200, !name.contains(where: { $0.isNewline }) else {
            throw ModelError(.invalidProfile, "city name must be 1 to 200 characters on one line")
        }
        let c = Array(country.utf8)
        guard c.count == 2, c.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw ModelError(.invalidCountry, "country '\(country)' is not an ISO 3166 alpha-2 code such as DE")
        }
        if let a = ags, !(a.utf8.count == 8 && a.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }) {
            throw ModelError(.invalidProfile, "municipality key (AGS) '\(a)' must be 8 digits")
        }
        return self
    }
}
