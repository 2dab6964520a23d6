import Formats
import Model

/// The flag of a published KPI value (design §4).
public enum ValueFlag: String, Sendable, Hashable, CaseIterable {
    /// Published as entered (possibly rounded or noised by policy).
    case ok
    /// Suppressed: a small count of persons, published as `null`.
    case suppressed = "S"
    /// Provisional.
    case provisional = "P"
    /// Revised after an earlier publication.
    case revised = "R"
}

/// One KPI value inside a `kpi/<period>` payload.
public struct PublishedValue: Hashable, Sendable {
    public var kpi: String
    /// nil when suppressed.
    public var value: DecimalValue?
    public var flag: ValueFlag
    public var unit: String
    /// True when the value is already per capita (pseudonymous nodes scale before publishing).
    public var scaled: Bool
    /// The definition, carried for codes outside the built-in catalog version 1.
    public var definition: KPIDefinition?

    public init(kpi: String, value: DecimalValue?, flag: ValueFlag, unit: String, scaled: Bool = false, definition: KPIDefinition? = nil) {
        self.kpi = kpi
        self.value = value
        self.flag = flag
        self.unit = unit
        self.scaled = scaled
        self.definition = definition
    }
}

/// `kpi/<period>` payload: `{period, values:[{kpi, value, flag, unit, scaled?, def?}]}`.
public struct KPIPayload: Hashable, Sendable {
    public var period: Period
    /// Ordered by KPI code.
    public var values: [PublishedValue]

    public init(period: Period, values: [PublishedValue]) {
        self.period = period
        self.values = values.sorted { $0.kpi.utf8.lexicographicallyPrecedes($1.kpi.utf8) }
    }

    public var json: JSONValue {
        .object(JSONObject(pairs: [
            ("period", .string(period.description)),
            ("values", .array(values.map { v in
                var o = JSONObject()
                o["kpi"] = .string(v.kpi)
                o["value"] = v.value.map { .string($0.description) } ?? .null
                o["flag"] = .string(v.flag.rawValue)
                o["unit"] = .string(v.unit)
                if v.scaled { o["scaled"] = .bool(true) }
                if let d = v.definition { o["def"] = d.json }
                return .object(o)
            })),
        ]))
    }

    /// Reads and validates a payload for `subject`'s period: decimal strings, allowed flags,
    /// `null` only with flag `S`, no duplicate codes, and every code either in `catalog` (the
    /// built-in catalog version 1 unless a caller knows more) or carrying its definition.
    /// Unknown members are ignored.
    public init(json: JSONValue, period expected: Period, catalog: KPICatalog = .builtIn) throws(ReplicationError) {
        guard let o = json.objectValue else { throw invalid("the payload is not a JSON object") }
        guard let periodText = o["period"]?.stringValue, let period = Period(periodText), period == expected else {
            throw invalid("the payload's period does not match its subject kpi/\(expected)")
        }
        guard let items = o["values"]?.arrayValue else { throw invalid("the payload has no 'values' array") }
        var seen = Set<String>()
        var values: [PublishedValue] = []
        for item in items {
            guard let v = item.objectValue else { throw invalid("a KPI value is not a JSON object") }
            guard let code = v["kpi"]?.stringValue, (try? KPIDefinition.validateCode(code)) != nil else {
                throw invalid("a KPI value has a missing or malformed 'kpi' code")
            }
            guard seen.insert(code).inserted else { throw invalid("KPI \(code) appears twice") }
            guard let flagText = v["flag"]?.stringValue, let flag = ValueFlag(rawValue: flagText) else {
                throw invalid("KPI \(code): flag must be ok, S, P or R")
            }
            var value: DecimalValue?
            switch v["value"] {
            case .string(let s)?:
                guard let d = DecimalValue(s) else { throw invalid("KPI \(code): value is not a decimal string") }
                value = d
            case .null?:
                guard flag == .suppressed else { throw invalid("KPI \(code): a null value must carry flag S") }
            default:
                throw invalid("KPI \(code): value must be a decimal string or null")
            }
            if flag == .suppressed && value != nil { throw invalid("KPI \(code): a suppressed value must be null") }
            guard let unit = v["unit"]?.stringValue, (1...40).contains(unit.count) else {
                throw invalid("KPI \(code): unit must be a string of 1 to 40 characters")
            }
            var scaled = false
            if let s = v["scaled"] {
                guard let b = s.boolValue else { throw invalid("KPI \(code): scaled must be true or false") }
                scaled = b
            }
            var definition: KPIDefinition?
            if let d = v["def"] {
                do { definition = try KPIDefinition(json: d, context: "KPI \(code) definition") } catch {
                    throw invalid(error.message)
                }
                guard definition?.code == code else { throw invalid("KPI \(code) carries the definition of another code") }
            } else if !catalog.contains(code) {
                throw invalid("KPI \(code) is not in the built-in catalog and carries no definition")
            }
            values.append(PublishedValue(kpi: code, value: value, flag: flag, unit: unit, scaled: scaled, definition: definition))
        }
        self.init(period: period, values: values)
    }
}

/// `profile` payload: `{label, country, region?, sizeClass, population?}`.
public struct ProfilePayload: Hashable, Sendable {
    public var label: String
    public var country: String
    public var region: String?
    public var sizeClass: SizeClass?
    public var population: DecimalValue?

    public init(label: String, country: String, region: String? = nil, sizeClass: SizeClass?, population: DecimalValue? = nil) {
        self.label = label
        self.country = country
        self.region = region
        self.sizeClass = sizeClass
        self.population = population
    }

    public var json: JSONValue {
        var o = JSONObject()
        o["label"] = .string(label)
        o["country"] = .string(country)
        if let region { o["region"] = .string(region) }
        o["sizeClass"] = sizeClass.map { .string($0.rawValue) } ?? .null
        if let population { o["population"] = .string(population.description) }
        return .object(o)
    }

    public init(json: JSONValue) throws(ReplicationError) {
        guard let o = json.objectValue else { throw invalid("the profile payload is not a JSON object") }
        guard let label = o["label"]?.stringValue, (1...200).contains(label.count) else { throw invalid("profile label must be 1 to 200 characters") }
        guard let country = o["country"]?.stringValue, country.utf8.count == 2, country.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
            throw invalid("profile country must be an ISO 3166 alpha-2 code")
        }
        var region: String?
        if let r = o["region"], !r.isNull {
            guard let s = r.stringValue, s.count <= 200 else { throw invalid("profile region must be a string") }
            region = s
        }
        var sizeClass: SizeClass?
        if let s = o["sizeClass"], !s.isNull {
            guard let text = s.stringValue, let c = SizeClass(rawValue: text) else { throw invalid("profile sizeClass is not a size class") }
            sizeClass = c
        }
        var population: DecimalValue?
        if let p = o["population"], !p.isNull {
            guard let text = p.stringValue, let d = DecimalValue(text) else { throw invalid("profile population must be a decimal string") }
            population = d
        }
        self.init(label: label, country: country, region: region, sizeClass: sizeClass, population: population)
    }
}

/// `projects` payload under the disclosure modes `descriptors` or `counts` (design §4).
public enum ProjectsPayload: Hashable, Sendable {
    /// One anonymous descriptor per project.
    public struct Descriptor: Hashable, Sendable {
        /// HMAC pseudonym of the project's local id (base64url).
        public var id: String
        public var field: ActionField
        public var category: ProjectCategory
        public var status: ProjectStatus
        public var startYear: Int?
        public var kpis: [String]

        public init(id: String, field: ActionField, category: ProjectCategory, status: ProjectStatus, startYear: Int?, kpis: [String]) {
            self.id = id
            self.field = field
            self.category = category
            self.status = status
            self.startYear = startYear
            self.kpis = kpis.sorted()
        }
    }

    /// Number of projects per field × category × status.
    public struct Count: Hashable, Sendable {
        public var field: ActionField
        public var category: ProjectCategory
        public var status: ProjectStatus
        public var count: Int

        public init(field: ActionField, category: ProjectCategory, status: ProjectStatus, count: Int) {
            self.field = field
            self.category = category
            self.status = status
            self.count = count
        }
    }

    case descriptors([Descriptor])
    case counts([Count])

    public var json: JSONValue {
        switch self {
        case .descriptors(let items):
            return .object(JSONObject(pairs: [
                ("mode", .string("descriptors")),
                ("projects", .array(items.map { d in
                    var o = JSONObject()
                    o["id"] = .string(d.id)
                    o["field"] = .string(d.field.rawValue)
                    o["category"] = .string(d.category.rawValue)
                    o["status"] = .string(d.status.rawValue)
                    o["start"] = d.startYear.map { .int($0) } ?? .null
                    o["kpis"] = .array(d.kpis.map { .string($0) })
                    return .object(o)
                })),
            ]))
        case .counts(let items):
            return .object(JSONObject(pairs: [
                ("mode", .string("counts")),
                ("counts", .array(items.map { c in
                    .object(JSONObject(pairs: [
                        ("field", .string(c.field.rawValue)), ("category", .string(c.category.rawValue)),
                        ("status", .string(c.status.rawValue)), ("count", .int(c.count)),
                    ]))
                })),
            ]))
        }
    }

    public init(json: JSONValue) throws(ReplicationError) {
        guard let o = json.objectValue, let mode = o["mode"]?.stringValue else { throw invalid("the projects payload has no mode") }
        func enums(_ item: JSONObject) throws(ReplicationError) -> (ActionField, ProjectCategory, ProjectStatus) {
            guard let f = item["field"]?.stringValue.flatMap(ActionField.init(rawValue:)),
                  let c = item["category"]?.stringValue.flatMap(ProjectCategory.init(rawValue:)),
                  let s = item["status"]?.stringValue.flatMap(ProjectStatus.init(rawValue:)) else {
                throw invalid("a project entry has an unknown field, category or status")
            }
            return (f, c, s)
        }
        switch mode {
        case "descriptors":
            guard let items = o["projects"]?.arrayValue else { throw invalid("the projects payload has no 'projects' array") }
            var out: [Descriptor] = []
            for item in items {
                guard let p = item.objectValue, let id = p["id"]?.stringValue, (1...64).contains(id.count) else {
                    throw invalid("a project descriptor has no id")
                }
                let (f, c, s) = try enums(p)
                var start: Int?
                if let v = p["start"], !v.isNull {
                    guard let y = v.numberValue?.intValue, Period.yearRange.contains(y) else { throw invalid("a project start year is not a year") }
                    start = y
                }
                var kpis: [String] = []
                for k in p["kpis"]?.arrayValue ?? [] {
                    guard let code = k.stringValue, (try? KPIDefinition.validateCode(code)) != nil else { throw invalid("a project links a malformed KPI code") }
                    kpis.append(code)
                }
                out.append(Descriptor(id: id, field: f, category: c, status: s, startYear: start, kpis: kpis))
            }
            self = .descriptors(out)
        case "counts":
            guard let items = o["counts"]?.arrayValue else { throw invalid("the projects payload has no 'counts' array") }
            var out: [Count] = []
            for item in items {
                guard let p = item.objectValue, let n = p["count"]?.numberValue?.intValue, n >= 0 else { throw invalid("a project count is not a whole number") }
                let (f, c, s) = try enums(p)
                out.append(Count(field: f, category: c, status: s, count: n))
            }
            self = .counts(out)
        default:
            throw invalid("the projects payload mode must be descriptors or counts")
        }
    }
}

private func invalid(_ message: String) -> ReplicationError { ReplicationError(.invalidPayload, message) }
