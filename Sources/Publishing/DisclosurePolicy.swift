import Formats
import Model

/// What a city allows to leave its node (design §4): the `"disclosure"` object of `node.json`.
/// Every key is optional and a missing key takes its default; validation names the bad field.
///
/// ```json
/// "disclosure": {
///   "identity": "named",                      // or "pseudonymous"
///   "kpis": {
///     "*": {"share": true, "k": 3},           // defaults for every KPI
///     "PAR.PLATFORM_CONTRIBUTIONS": {"epsilon": 1.0, "round": "10"},
///     "LOCAL.TREES_PLANTED": {"share": true}  // local KPIs are not shared unless named
///   },
///   "projects": "descriptors"                 // or "counts" or "none"
/// }
/// ```
public struct DisclosurePolicy: Hashable, Sendable {
    public enum Identity: String, Sendable, Hashable {
        /// Published under the city's name, with region and population.
        case named
        /// Published as `city-<10 hex of the origin id>`, no region, no population, per-capita
        /// KPIs pre-scaled so the exact population cannot be recovered.
        case pseudonymous
    }

    public enum ProjectDisclosure: String, Sendable, Hashable {
        /// No `projects` subject is published.
        case none
        /// Numbers of projects per field × category × status.
        case counts
        /// Per project: HMAC pseudonym, field, category, status, start year, linked KPI codes.
        case descriptors
    }

    /// Rules for one KPI, or the defaults under `"*"`. nil members fall back to the defaults.
    public struct KPIRule: Hashable, Sendable {
        /// Whether values of the KPI leave the node at all.
        public var share: Bool?
        /// Published values are rounded half-even to a multiple of this step.
        public var roundingStep: DecimalValue?
        /// For `personCount` KPIs: true values with 0 < x < k are suppressed (published as null, flag S).
        public var minimumCount: Int?
        /// For `personCount` KPIs: Laplace noise of scale 1/ε is added (sensitivity 1).
        public var epsilon: Double?

        public init(share: Bool? = nil, roundingStep: DecimalValue? = nil, minimumCount: Int? = nil, epsilon: Double? = nil) {
            self.share = share
            self.roundingStep = roundingStep
            self.minimumCount = minimumCount
            self.epsilon = epsilon
        }
    }

    /// The default minimum count for `personCount` KPIs.
    public static let defaultMinimumCount = 3

    public var identity: Identity
    public var projects: ProjectDisclosure
    /// Defaults for every KPI (the `"*"` entry).
    public var defaults: KPIRule
    /// Per-KPI rules by code.
    public var rules: [String: KPIRule]

    public init(identity: Identity = .named, projects: ProjectDisclosure = .descriptors,
                defaults: KPIRule = KPIRule(), rules: [String: KPIRule] = [:]) {
        self.identity = identity
        self.projects = projects
        self.defaults = defaults
        self.rules = rules
    }

    /// The effective rule for a KPI: explicit rule, then `"*"`, then the built-in defaults
    /// (share catalog KPIs only, no rounding, k = 3, no noise).
    public func rule(for code: String, inBuiltInCatalog: Bool) -> (share: Bool, step: DecimalValue?, k: Int, epsilon: Double?) {
        let own = rules[code]
        // Naming a KPI in the rules means sharing it unless the rule says otherwise; unnamed
        // KPIs follow "*" if they are catalog KPIs and stay home if they are local.
        let share = own.map { $0.share ?? true } ?? (inBuiltInCatalog ? (defaults.share ?? true) : false)
        return (share,
                own?.roundingStep ?? defaults.roundingStep,
                own?.minimumCount ?? defaults.minimumCount ?? DisclosurePolicy.defaultMinimumCount,
                own?.epsilon ?? defaults.epsilon)
    }

    /// Reads the `"disclosure"` object (nil or absent: all defaults).
    public init(json: JSONValue?) throws(PublishingError) {
        self.init()
        guard let json, !json.isNull else { return }
        guard let o = json.objectValue else { throw PublishingError(.invalidPolicy, "disclosure must be a JSON object") }
        for key in o.keys where !["identity", "kpis", "projects"].contains(key) {
            throw PublishingError(.invalidPolicy, "disclosure.\(key) is not a known setting (expected identity, kpis or projects)")
        }
        if let v = o["identity"] {
            guard let s = v.stringValue, let i = Identity(rawValue: s) else {
                throw PublishingError(.invalidPolicy, "disclosure.identity must be \"named\" or \"pseudonymous\"")
            }
            identity = i
        }
        if let v = o["projects"] {
            guard let s = v.stringValue, let p = ProjectDisclosure(rawValue: s) else {
                throw PublishingError(.invalidPolicy, "disclosure.projects must be \"none\", \"counts\" or \"descriptors\"")
            }
            projects = p
        }
        if let v = o["kpis"] {
            guard let kpis = v.objectValue else { throw PublishingError(.invalidPolicy, "disclosure.kpis must be an object of rules by KPI code") }
            for (code, ruleJSON) in kpis {
                if code != "*" {
                    do { try KPIDefinition.validateCode(code) } catch {
                        throw PublishingError(.invalidPolicy, "disclosure.kpis: '\(code)' is not a KPI code or \"*\"")
                    }
                }
                let rule = try DisclosurePolicy.rule(ruleJSON, path: "disclosure.kpis.\(code)")
                if code == "*" { defaults = rule } else { rules[code] = rule }
            }
        }
    }

    private static func rule(_ json: JSONValue, path: String) throws(PublishingError) -> KPIRule {
        guard let o = json.objectValue else { throw PublishingError(.invalidPolicy, "\(path) must be an object") }
        var rule = KPIRule()
        for (key, v) in o {
            switch key {
            case "share":
                guard let b = v.boolValue else { throw PublishingError(.invalidPolicy, "\(path).share must be true or false") }
                rule.share = b
            case "round":
                let text = v.stringValue ?? v.numberValue?.text
                guard let t = text, let step = DecimalValue(t), step.decimal > 0 else {
                    throw PublishingError(.invalidPolicy, "\(path).round must be a positive decimal step such as 5 or \"0.1\"")
                }
                rule.roundingStep = step
            case "k":
                guard let n = v.numberValue, n.isInteger, let k = n.intValue, k >= 1, k <= 1_000_000 else {
                    throw PublishingError(.invalidPolicy, "\(path).k must be a whole number of at least 1")
                }
                rule.minimumCount = k
            case "epsilon":
                guard let n = v.numberValue, n.doubleValue > 0, n.doubleValue <= 100 else {
                    throw PublishingError(.invalidPolicy, "\(path).epsilon must be a number greater than 0 and at most 100")
                }
                rule.epsilon = n.doubleValue
            default:
                throw PublishingError(.invalidPolicy, "\(path).\(key) is not a known setting (expected share, round, k or epsilon)")
            }
        }
        return rule
    }

    /// The policy as JSON, for `node.json` and the example configuration.
    public var json: JSONValue {
        func ruleJSON(_ r: KPIRule) -> JSONValue {
            var o = JSONObject()
            if let s = r.share { o["share"] = .bool(s) }
            if let step = r.roundingStep { o["round"] = .string(step.description) }
            if let k = r.minimumCount { o["k"] = .int(k) }
            if let e = r.epsilon { o["epsilon"] = .double(e) }
            return .object(o)
        }
        var kpis = JSONObject()
        kpis["*"] = ruleJSON(defaults)
        for code in rules.keys.sorted() { kpis[code] = ruleJSON(rules[code]!) }
        return .object(JSONObject(pairs: [
            ("identity", .string(identity.rawValue)),
            ("kpis", .object(kpis)),
            ("projects", .string(projects.rawValue)),
        ]))
    }
}
