import Model

/// One KPI value of one city for one period, as the engine consumes it (design §7).
/// A suppressed or missing value is `nil`, never zero.
public struct Cell: Hashable, Sendable {
    /// The publishing node's origin id, or nil for CSV input (cities are then keyed by label).
    public var origin: String?
    /// The city's label (its name, or the CSV's city column).
    public var city: String
    public var kpi: String
    public var period: Period
    public var value: Double?
    /// True when the value is already per capita, so per-capita scaling is skipped.
    public var scaled: Bool
    /// The unit the city reported, if it said; differing units exclude the KPI.
    public var unit: String?

    public init(origin: String? = nil, city: String, kpi: String, period: Period, value: Double?,
                scaled: Bool = false, unit: String? = nil) {
        self.origin = origin
        self.city = city
        self.kpi = kpi
        self.period = period
        self.value = value
        self.scaled = scaled
        self.unit = unit
    }

    /// The identity of the city the cell belongs to: its origin, else its label.
    var cityKey: String { origin ?? city }
}

/// What the engine knows about a city beyond its cells: used for peer groups.
public struct CityInfo: Hashable, Sendable {
    public var label: String
    public var origin: String?
    /// ISO 3166 alpha-2 code, if known.
    public var country: String?
    /// Size class, if known; otherwise derived from the latest `POP.TOTAL`.
    public var sizeClass: SizeClass?

    public init(label: String, origin: String? = nil, country: String? = nil, sizeClass: SizeClass? = nil) {
        self.label = label
        self.origin = origin
        self.country = country
        self.sizeClass = sizeClass
    }

    var cityKey: String { origin ?? label }
}

/// The shareable descriptor of a project a city published: what best practice attributes.
public struct ProjectDescriptor: Hashable, Sendable {
    public var origin: String?
    public var city: String
    public var field: ActionField
    public var category: ProjectCategory
    public var status: ProjectStatus
    public var startYear: Int?
    /// KPI codes the project is linked to.
    public var kpis: [String]

    public init(origin: String? = nil, city: String, field: ActionField, category: ProjectCategory,
                status: ProjectStatus, startYear: Int? = nil, kpis: [String] = []) {
        self.origin = origin
        self.city = city
        self.field = field
        self.category = category
        self.status = status
        self.startYear = startYear
        self.kpis = kpis
    }

    var cityKey: String { origin ?? city }
}

/// Everything the engine ranks: cells, optional city facts and project descriptors.
public struct RankingInput: Sendable {
    /// The cells as the engine reads them; `cells` converts to and from `Cell` values.
    var columns: CellColumns
    public var cities: [CityInfo]
    public var projects: [ProjectDescriptor]

    /// The cells in input order (built from the columns on each read, so read it once).
    public var cells: [Cell] {
        get { columns.cells }
        set { columns = CellColumns(newValue) }
    }

    public init(cells: [Cell], cities: [CityInfo] = [], projects: [ProjectDescriptor] = []) {
        columns = CellColumns(cells)
        self.cities = cities
        self.projects = projects
    }

    init(columns: CellColumns) {
        self.columns = columns
        cities = []
        projects = []
    }
}
