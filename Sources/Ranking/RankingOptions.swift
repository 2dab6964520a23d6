import Model

/// How a KPI's values become comparable scores (design §7).
public enum NormalisationMethod: String, CaseIterable, Sendable, Hashable {
    /// `100·(x−min)/(max−min)`, mirrored for `lower`; all 100 when `max = min` (the default).
    case minmax
    /// `(x−μ)/σ` with the population σ, negated for `lower`; all 0 when σ = 0.
    case zscore
    /// Percentile rank: `100 · (cities strictly worse) / (n−1)`; all 100 when all are equal.
    case rank
    /// Distance to a target: `100·(x−min)/(target−min)` (mirrored for `lower`), capped at 100;
    /// KPIs without a target use the best observed value, i.e. min-max.
    case target
}

/// How scores are combined into field and overall composites.
public enum Aggregation: String, CaseIterable, Sendable, Hashable {
    /// Weighted arithmetic mean (fully compensatory; the default).
    case arithmetic
    /// Weighted geometric mean over scores mapped to [1, 100] (rewards balanced profiles).
    case geometric
}

/// Outlier treatment before normalisation.
public enum OutlierTreatment: String, CaseIterable, Sendable, Hashable {
    case none
    /// JRC rule: winsorise (up to `RankingOptions.maxWinsorisedPoints`) while |skew| > 2 and excess kurtosis > 3.5.
    case jrc
}

/// Peer groups to rank within, in addition to the whole federation.
public enum Grouping: String, CaseIterable, Sendable, Hashable {
    case none
    /// By size class (design §3), from the city's facts or its latest `POP.TOTAL`.
    case size
    /// By ISO country code.
    case country
}

/// Every choice a ranking run makes; the defaults are design §7's.
public struct RankingOptions: Sendable, Hashable {
    /// Default number of Monte Carlo runs for rank intervals.
    public static let defaultUncertaintyRuns = 1000
    /// Default seed, fixed so that output is reproducible byte for byte.
    public static let defaultSeed: UInt64 = 0x6369_7479_6265_6e63
    /// Default number of top cities listed per KPI and field in best practice.
    public static let defaultBestPracticeTop = 3
    /// Relative half-width of the uniform weight noise in uncertainty runs (±25 %, JRC practice).
    public static let weightNoise = 0.25
    /// Two scores closer than this share a rank.
    public static let tieTolerance = 1e-9
    /// Most points winsorised per KPI under `--outliers jrc`.
    public static let maxWinsorisedPoints = 5
    /// |skewness| above which a KPI's distribution counts as skewed (JRC).
    public static let skewLimit = 2.0
    /// Excess kurtosis above which a KPI's distribution counts as heavy-tailed (JRC).
    public static let kurtosisLimit = 3.5
    /// Lower end of the range scores are mapped to before geometric aggregation.
    public static let geometricFloor = 1.0

    public var method: NormalisationMethod = .minmax
    public var aggregate: Aggregation = .arithmetic
    /// Weights by KPI code (default 1).
    public var kpiWeights: [String: Double] = [:]
    /// Weights by action field (default 1).
    public var fieldWeights: [ActionField: Double] = [:]
    /// Targets by KPI code for `method target`.
    public var targets: [String: Double] = [:]
    public var outliers: OutlierTreatment = .none
    public var group: Grouping = .none
    /// Improvement league between two periods (`--trend FROM:TO`).
    public var trend: TrendSpan?
    /// Rank every KPI at this period instead of the default rule.
    public var period: Period?
    /// Only these KPI codes (empty: all).
    public var kpis: Set<String> = []
    /// Only KPIs of this field.
    public var field: ActionField?
    /// Monte Carlo runs for rank intervals; 0 disables them.
    public var uncertaintyRuns: Int = defaultUncertaintyRuns
    public var seed: UInt64 = defaultSeed
    /// Top cities listed per KPI and field in best practice.
    public var bestPracticeTop: Int = defaultBestPracticeTop

    public init() {}
}

/// The two periods of an improvement league.
public struct TrendSpan: Sendable, Hashable {
    public var from: Period
    public var to: Period
    public init(from: Period, to: Period) {
        self.from = from
        self.to = to
    }
}
