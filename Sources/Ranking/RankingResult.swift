import Model

/// One city's place in a ranking of one KPI.
public struct KPIEntry: Hashable, Sendable {
    public var city: String
    public var origin: String?
    /// The reported value.
    public var value: Double
    /// The value after per-capita scaling (and outlier treatment, if any).
    public var x: Double
    public var score: Double
    public var rank: Int
}

/// A ranked KPI: the period used and every city that has a score.
public struct KPIRanking: Hashable, Sendable {
    public var kpi: String
    public var field: ActionField
    public var direction: Direction
    public var unit: String
    public var period: Period
    /// Cities by rank, ties by label.
    public var cities: [KPIEntry]
}

/// Monte Carlo rank statistics of one city in one composite.
public struct RankUncertainty: Hashable, Sendable {
    public var median: Int
    /// The raw 5th and 95th percentile ranks.
    public var quantiles: ClosedRange<Int>
    /// The quantiles widened where needed to contain the point rank.
    public var interval: ClosedRange<Int>
}

/// One city's place in a field or the overall composite.
public struct CompositeEntry: Hashable, Sendable {
    public var city: String
    public var origin: String?
    public var score: Double
    public var rank: Int
    /// Share of the components (KPIs of the field, or fields) the city has scores for.
    public var coverage: Double
    public var uncertainty: RankUncertainty?
}

/// A field composite.
public struct FieldRanking: Hashable, Sendable {
    public var field: ActionField
    public var cities: [CompositeEntry]
}

/// Something left out of the ranking and why: a KPI (`city` nil, `scope` `kpi:CODE`), or a
/// city within a KPI, field, overall or group.
public struct Exclusion: Hashable, Sendable, Comparable {
    public var city: String?
    public var scope: String
    public var reason: String

    public static func < (a: Exclusion, b: Exclusion) -> Bool {
        if a.scope != b.scope { return a.scope < b.scope }
        if a.city != b.city { return (a.city ?? "") < (b.city ?? "") }
        return a.reason < b.reason
    }
}

/// A project descriptor as best practice shows it.
public struct SharedProject: Hashable, Sendable, Comparable {
    public var category: ProjectCategory
    public var status: ProjectStatus
    public var startYear: Int?

    public static func < (a: SharedProject, b: SharedProject) -> Bool {
        if a.category != b.category { return a.category < b.category }
        if a.status != b.status { return a.status < b.status }
        return (a.startYear ?? 0) < (b.startYear ?? 0)
    }
}

/// A top city in a best-practice scope with the projects it shared for it.
public struct BestPracticeCity: Hashable, Sendable {
    public var city: String
    public var origin: String?
    public var rank: Int
    public var score: Double
    public var projects: [SharedProject]
}

/// A project category more common among the top quartile than among the rest, with the counts behind it.
public struct OverRepresentedCategory: Hashable, Sendable {
    public var category: ProjectCategory
    /// Top-quartile cities with a project of this category, and the top quartile's size.
    public var topCount: Int
    public var topCities: Int
    /// The same for the other ranked cities.
    public var restCount: Int
    public var restCities: Int
}

/// Best practice for one KPI (`kpi:CODE`) or field (`field:F`).
public struct BestPractice: Hashable, Sendable {
    public var scope: String
    public var top: [BestPracticeCity]
    public var overRepresented: [OverRepresentedCategory]
}

/// One city's improvement between the two trend periods.
public struct TrendEntry: Hashable, Sendable {
    public var city: String
    public var origin: String?
    /// Scores at both ends on a common (panel) min-max scale; composites have them nil.
    public var fromScore: Double?
    public var toScore: Double?
    public var change: Double
    public var rank: Int
}

/// A KPI's improvement league.
public struct KPITrend: Hashable, Sendable {
    public var kpi: String
    public var cities: [TrendEntry]
}

/// The improvement league (`--trend FROM:TO`).
public struct TrendResult: Hashable, Sendable {
    public var from: Period
    public var to: Period
    public var kpis: [KPITrend]
    public var overall: [TrendEntry]
}

/// The rankings of one peer group.
public struct GroupRanking: Hashable, Sendable {
    public var group: String
    public var fields: [FieldRanking]
    public var overall: [CompositeEntry]
}

/// Everything a ranking run determined, in the order design §7's JSON shape lists it.
public struct RankingResult: Hashable, Sendable {
    public var options: RankingOptions
    public var kpis: [KPIRanking]
    public var fields: [FieldRanking]
    public var overall: [CompositeEntry]
    public var excluded: [Exclusion]
    public var bestPractice: [BestPractice]
    public var groups: [GroupRanking]
    public var trend: TrendResult?
    /// What treatments were applied (e.g. winsorised points), for the methods section.
    public var notes: [String]
}
