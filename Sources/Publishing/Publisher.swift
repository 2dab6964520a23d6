import Crypto
import Formats
import Model
import Replication

/// A KPI value as the city entered it, with the Laplace draw stored at entry (design §4).
public struct LocalValue: Hashable, Sendable {
    public var code: String
    public var period: Period
    public var value: DecimalValue
    /// u ~ Laplace(0, 1), drawn when a `personCount` value is entered; nil for other KPIs.
    public var noiseDraw: Double?

    public init(code: String, period: Period, value: DecimalValue, noiseDraw: Double? = nil) {
        self.code = code
        self.period = period
        self.value = value
        self.noiseDraw = noiseDraw
    }
}

/// ε charged for one published noised value: recorded in the ledger when first published.
public struct EpsilonCharge: Hashable, Sendable {
    public var kpi: String
    public var period: Period
    public var epsilon: Double
    /// The draw the charge was made for; a re-entered value has a new draw.
    public var noiseDraw: Double

    public init(kpi: String, period: Period, epsilon: Double, noiseDraw: Double) {
        self.kpi = kpi
        self.period = period
        self.epsilon = epsilon
        self.noiseDraw = noiseDraw
    }
}

/// Everything the publisher may read. Note what is absent from what it writes: project names,
/// descriptions, budgets and goals, value sources and notes are here only so that tests can
/// prove they never leave.
public struct PublicationInput: Sendable {
    public var originID: String
    public var profile: CityProfile
    public var catalog: KPICatalog
    public var values: [LocalValue]
    public var projects: [Project]
    /// The node's HMAC secret (`keys/hmac.key`), for project pseudonyms.
    public var projectKey: [UInt8]
    public var policy: DisclosurePolicy
    /// ε already charged, by KPI and period.
    public var ledger: [EpsilonCharge]

    public init(originID: String, profile: CityProfile, catalog: KPICatalog, values: [LocalValue], projects: [Project],
                projectKey: [UInt8], policy: DisclosurePolicy, ledger: [EpsilonCharge] = []) {
        self.originID = originID
        self.profile = profile
        self.catalog = catalog
        self.values = values
        self.projects = projects
        self.projectKey = projectKey
        self.policy = policy
        self.ledger = ledger
    }
}

/// The payloads a node would publish now, by subject, and the ε it would newly spend.
public struct Publication: Sendable {
    /// Payload bytes (compact JSON) for every subject that has something to publish.
    public var payloads: [Subject: [UInt8]]
    /// Noised values whose (KPI, period, draw) has not been charged before.
    public var newCharges: [EpsilonCharge]

    /// Subjects in byte order, the order they are numbered in.
    public var subjects: [Subject] { payloads.keys.sorted() }
}

/// Turns local data into anonymized payloads under the disclosure policy (design §4). Pure:
/// the same input always gives the same bytes, so preview and publication agree.
public enum Publisher {
    /// Significant digits of the population used to scale per-capita KPIs for pseudonymous nodes.
    public static let populationDigits = 3
    /// Significant digits of a pre-scaled per-capita value.
    public static let scaledDigits = 6

    public static func build(_ input: PublicationInput) throws(PublishingError) -> Publication {
        let policy = input.policy
        var payloads: [Subject: [UInt8]] = [:]
        let population = PopulationTable(input.values)

        // Profile.
        let pseudonymous = policy.identity == .pseudonymous
        let latestPopulation = population.latest
        let profile = ProfilePayload(
            label: pseudonymous ? pseudonymousLabel(input.originID) : input.profile.name,
            country: input.profile.country,
            region: pseudonymous ? nil : input.profile.region,
            sizeClass: latestPopulation.map { SizeClass(population: $0.doubleValue) },
            population: pseudonymous ? nil : latestPopulation)
        payloads[.profile] = JSONWriter.bytes(profile.json)

        // KPI values by period.
        let ledger = Dictionary(input.ledger.map { ("\($0.kpi)|\($0.period)", $0) }, uniquingKeysWith: { a, _ in a })
        var byPeriod: [Period: [PublishedValue]] = [:]
        var charges: [EpsilonCharge] = []
        for local in input.values {
            guard let definition = input.catalog[local.code] else { continue }
            let inCatalog = KPICatalog.builtIn.contains(local.code)
            let rule = policy.rule(for: local.code, inBuiltInCatalog: inCatalog)
            guard rule.share else { continue }
            if pseudonymous && local.code == KPIDefinition.populationCode { continue }

            var value: DecimalValue? = local.value
            var flag = ValueFlag.ok
            if definition.personCount {
                // Suppress on the true value, then noise, then round, then clamp at 0.
                if !local.value.isNegative && !local.value.isZero && local.value < DecimalValue(rule.k) {
                    value = nil
                    flag = .suppressed
                } else if let epsilon = rule.epsilon, let u = local.noiseDraw {
                    let key = "\(local.code)|\(local.period)"
                    if let charged = ledger[key], charged.noiseDraw == u, charged.epsilon != epsilon {
                        throw PublishingError(.epsilonChanged, "ε for \(local.code) changed from \(charged.epsilon) to \(epsilon) after its \(local.period) value was published with noise; re-enter that value (kpi set) before publishing")
                    }
                    if ledger[key]?.noiseDraw != u {
                        charges.append(EpsilonCharge(kpi: local.code, period: local.period, epsilon: epsilon, noiseDraw: u))
                    }
                    let noise = DecimalValue(String(format6: u / epsilon)) ?? DecimalValue(0)
                    var noised = local.value + noise
                    noised = noised.roundedHalfEven(scale: rule.step == nil ? 0 : 6)
                    value = noised
                }
            }
            if let v = value, let step = rule.step { value = v.roundedHalfEven(toMultipleOf: step) }
            if let v = value, v.isNegative { value = DecimalValue(0) }

            var scaled = false
            if pseudonymous, let perCapita = definition.perCapita, let v = value {
                guard let pop = population.for(local.period), !pop.isNegative, !pop.isZero else { continue }
                let denominator = pop.roundedHalfEven(significantDigits: populationDigits)
                value = (v / denominator * DecimalValue(perCapita)).roundedHalfEven(significantDigits: scaledDigits)
                scaled = true
            }
            byPeriod[local.period, default: []].append(PublishedValue(
                kpi: local.code, value: value, flag: flag, unit: definition.unit, scaled: scaled,
                definition: inCatalog ? nil : definition))
        }
        for (period, values) in byPeriod {
            payloads[.kpi(period)] = JSONWriter.bytes(KPIPayload(period: period, values: values).json)
        }

        // Projects.
        switch policy.projects {
        case .none:
            break
        case .descriptors:
            let shared = Set(input.values.map(\.code)).union(input.catalog.definitions.keys).filter {
                policy.rule(for: $0, inBuiltInCatalog: KPICatalog.builtIn.contains($0)).share
            }
            let descriptors = input.projects.map { p in
                ProjectsPayload.Descriptor(
                    id: projectPseudonym(p.id, key: input.projectKey), field: p.field, category: p.category, status: p.status,
                    startYear: p.startYear, kpis: p.kpis.filter { shared.contains($0) })
            }.sorted { $0.id < $1.id }
            payloads[.projects] = JSONWriter.bytes(ProjectsPayload.descriptors(descriptors).json)
        case .counts:
            var counts: [String: ProjectsPayload.Count] = [:]
            for p in input.projects {
                let key = "\(p.field.rawValue)|\(p.category.rawValue)|\(p.status.rawValue)"
                counts[key, default: .init(field: p.field, category: p.category, status: p.status, count: 0)].count += 1
            }
            let sorted = counts.keys.sorted().map { counts[$0]! }
            payloads[.projects] = JSONWriter.bytes(ProjectsPayload.counts(sorted).json)
        }
        return Publication(payloads: payloads, newCharges: charges.sorted { ($0.kpi, $0.period) < ($1.kpi, $1.period) })
    }

    /// `city-` + the first 10 hex characters of the origin id.
    public static func pseudonymousLabel(_ originID: String) -> String { "city-" + originID.prefix(10) }

    /// Base64url of the first 16 bytes of HMAC-SHA256(key, "citybench/project/" + id).
    public static func projectPseudonym(_ id: String, key: [UInt8]) -> String {
        Base64URL.encode(HMACSHA256.authenticate(key: key, message: Array("citybench/project/\(id)".utf8)).prefix(16))
    }
}

/// `POP.TOTAL` values for per-capita scaling: the same period, else the same year.
struct PopulationTable {
    private var byPeriod: [Period: DecimalValue] = [:]

    init(_ values: [LocalValue]) {
        for v in values where v.code == KPIDefinition.populationCode { byPeriod[v.period] = v.value }
    }

    func `for`(_ period: Period) -> DecimalValue? { byPeriod[period] ?? byPeriod[Period(year: period.year)] }

    /// The population of the latest period that has one.
    var latest: DecimalValue? { byPeriod.keys.max().flatMap { byPeriod[$0] } }
}

extension String {
    /// A double as fixed-point text with 6 decimals (no exponent), for exact decimal arithmetic.
    init(format6 value: Double) {
        let scaled = (value * 1_000_000).rounded()
        let negative = scaled < 0
        let digits = String(Int64(abs(scaled)))
        let padded = String(repeating: "0", count: Swift.max(0, 7 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -6)
        self = (negative ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }
}
