import Model

/// One city of the demo federation: what its digital office would enter. Every figure is
/// illustrative, shaped after the city's real programme, and not an official statistic.
public struct DemoCity: Sendable, Hashable {
    /// One illustrative project, as `project add` would record it.
    public struct DemoProject: Sendable, Hashable {
        public var name: String
        public var field: ActionField
        public var category: ProjectCategory
        public var status: ProjectStatus
        public var startYear: Int
        public var kpis: [String]
    }

    /// The city's name (the label of a named node).
    public var name: String
    /// Short ASCII name for its home directory.
    public var slug: String
    /// Publishes under a pseudonym (design §4).
    public var pseudonymous: Bool
    /// `POP.TOTAL` per year.
    public var population: [Int: Int]
    /// KPI values of the latest year, by code; earlier years are derived by `yearlyChange`.
    public var latest: [String: Double]
    /// Relative yearly improvement used to derive the years before the latest (0.05 = 5 %).
    public var yearlyChange: Double
    /// Local KPI definitions this city adds (carried in its records as `def`).
    public var localKPIs: [KPIDefinition]
    public var projects: [DemoProject]
    /// Publishes project counts per field, category and status instead of descriptors.
    public var projectCounts = false
}
