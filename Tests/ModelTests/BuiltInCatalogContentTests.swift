import Foundation
import Testing
@testable import Model

/// Protects the content of the built-in KPI catalog (config/kpi-catalog.json): its size, its
/// coverage of the nine action fields and of the seed cities' programmes, and the consistency
/// of units, per-capita scaling and person counts that ranking and disclosure rely on.
@Suite struct BuiltInCatalogContentTests {
    /// The repository's catalog file, read as bytes so the strict reader sees exactly what ships.
    static func repositoryCatalogBytes() throws -> [UInt8] {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/kpi-catalog.json")
        return Array(try Data(contentsOf: file))
    }

    /// The ranked KPIs: everything except the population denominator.
    static var rankedDefinitions: [KPIDefinition] {
        KPICatalog.builtIn.sorted.filter { $0.code != KPIDefinition.populationCode }
    }

    /// Smart-city programmes of the seed strategies (design §1) and the code that measures each.
    static let programmes: [(programme: String, code: String)] = [
        ("public Wi-Fi hotspots", "INF.WIFI_HOTSPOTS"),
        ("public Wi-Fi use (sessions)", "INF.WIFI_SESSIONS"),
        ("public Wi-Fi use (users)", "INF.WIFI_USERS"),
        ("school Wi-Fi coverage", "EDU.SCHOOL_WIFI"),
        ("gigabit broadband coverage", "INF.GIGABIT_COVERAGE"),
        ("mobile parking payment share", "MOB.MOBILE_PARKING_SHARE"),
        ("public EV charging points", "MOB.EV_CHARGERS"),
        ("online administrative services (OZG)", "EGOV.ONLINE_SERVICES"),
        ("digital building permit processing time", "EGOV.PERMIT_DAYS"),
        ("online vehicle registrations (i-Kfz)", "EGOV.IKFZ_REGISTRATIONS"),
        ("citizen terminals", "EGOV.CITIZEN_TERMINALS"),
        ("pedestrian counting sensors", "ECO.PEDESTRIAN_SENSORS"),
        ("vacancy rate in the city centre", "ECO.CENTRE_VACANCY_RATE"),
        ("LED street-light share", "ENE.LED_STREETLIGHT_SHARE"),
        ("smart street-light share", "ENE.SMART_STREETLIGHT_SHARE"),
        ("street-lighting energy", "ENE.STREETLIGHT_ENERGY"),
        ("warning displays connected to MoWaS", "SAF.MOWAS_DISPLAYS"),
        ("hospitals in the digital emergency-care network", "SAF.EMERGENCY_NETWORK_HOSPITALS"),
        ("open data sets published", "PAR.OPEN_DATASETS"),
        ("participation-platform contributions", "PAR.PLATFORM_CONTRIBUTIONS"),
        ("e-government usage", "EGOV.ONLINE_TRANSACTIONS"),
        ("digital school devices per pupil", "EDU.DEVICES_PER_PUPIL"),
        ("smart-meter share", "ENE.SMART_METER_SHARE"),
        ("CO2 emissions", "ENE.CO2_EMISSIONS"),
        ("public transport real-time information share", "MOB.PT_REALTIME_SHARE"),
        ("emergency response time", "SAF.EMERGENCY_RESPONSE_TIME"),
        ("population", "POP.TOTAL"),
    ]

    /// The code prefix each action field's KPIs carry, so a code tells its field at a glance.
    static let prefixes: [ActionField: String] = [
        .egov: "EGOV.", .infrastructure: "INF.", .education: "EDU.", .participation: "PAR.",
        .living: "LIV.", .economy: "ECO.", .mobility: "MOB.", .energy: "ENE.", .safety: "SAF.",
    ]

    /// Units measured on a fixed scale or per unit of time, which must never be divided by population.
    static let unscaledUnits: Set<String> = ["percent", "days", "minutes"]

    @Test func repositoryFileParsesWithTheStrictReaderAndMatchesTheCompiledCatalog() throws {
        let catalog = try KPICatalog(json: try Self.repositoryCatalogBytes())
        #expect(catalog == KPICatalog.builtIn, "run scripts/embed-catalog.sh after editing config/kpi-catalog.json")
    }

    @Test func holdsAtLeastFortyRankedKPIs() {
        #expect(Self.rankedDefinitions.count >= 40, "only \(Self.rankedDefinitions.count) ranked KPIs")
    }

    @Test(arguments: ActionField.allCases)
    func everyActionFieldHasAtLeastThreeRankedKPIs(field: ActionField) {
        let count = Self.rankedDefinitions.filter { $0.field == field }.count
        #expect(count >= 3, "action field \(field.rawValue) has \(count) ranked KPIs")
    }

    @Test(arguments: programmes.map(\.code))
    func everySeedProgrammeIsMeasured(code: String) {
        let programme = Self.programmes.first { $0.code == code }!.programme
        #expect(KPICatalog.builtIn.contains(code), "no KPI \(code) for the programme '\(programme)'")
    }

    @Test func populationAndEVChargersKeepTheirPublishedDefinitions() throws {
        // Both codes travel on the wire without a carried definition (catalog version 1), so
        // changing them would silently change what other nodes' values mean.
        let population = try #require(KPICatalog.builtIn["POP.TOTAL"])
        #expect(population == KPIDefinition(
            code: "POP.TOTAL", name: "Population", nameDe: "Einwohnerzahl", unit: "persons", direction: .higher,
            field: .living, perCapita: nil, personCount: false,
            refs: ["ISO 37120:2018 profile indicator: total city population"]))
        let chargers = try #require(KPICatalog.builtIn["MOB.EV_CHARGERS"])
        #expect(chargers == KPIDefinition(
            code: "MOB.EV_CHARGERS", name: "Public EV charging points", nameDe: "Öffentliche Ladepunkte", unit: "count",
            direction: .higher, field: .mobility, perCapita: 10000, personCount: false,
            refs: ["ISO 37122:2019 (electric-vehicle charging stations)", "Bundesnetzagentur Ladesäulenregister"]))
    }

    @Test func everyRankedKPIHasAGermanName() {
        for d in Self.rankedDefinitions {
            #expect(!(d.nameDe ?? "").trimmingCharacters(in: .whitespaces).isEmpty, "\(d.code) has no German name")
            #expect(d.nameDe != d.name, "\(d.code) has its English name as German name")
        }
    }

    @Test func englishAndGermanNamesAreUnique() {
        // A repeated name is a copy-paste slip that would make two rows of a report look alike.
        let english = Self.rankedDefinitions.map(\.name)
        let german = Self.rankedDefinitions.compactMap(\.nameDe)
        #expect(Set(english).count == english.count, "duplicate English names: \(Self.duplicates(english))")
        #expect(Set(german).count == german.count, "duplicate German names: \(Self.duplicates(german))")
    }

    static func duplicates(_ names: [String]) -> [String] {
        Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted()
    }

    @Test func percentagesAndDurationsAreNeverScaledByPopulation() {
        for d in KPICatalog.builtIn.sorted where Self.unscaledUnits.contains(d.unit) {
            #expect(d.perCapita == nil, "\(d.code) in \(d.unit) must not have perCapita")
        }
    }

    @Test func onlyCountsAreMarkedAsPersonCounts() {
        // Suppression below k and Laplace noise with sensitivity 1 only make sense for counts.
        for d in KPICatalog.builtIn.sorted where d.personCount {
            #expect(d.unit == "count", "\(d.code) is a person count in \(d.unit)")
        }
    }

    @Test func usageAndParticipationCountsAreMarkedAsPersonCounts() {
        let aboutPeople = ["INF.WIFI_SESSIONS", "INF.WIFI_USERS", "EGOV.IKFZ_REGISTRATIONS", "EGOV.ONLINE_TRANSACTIONS",
                           "PAR.PLATFORM_CONTRIBUTIONS", "ECO.PEDESTRIAN_FOOTFALL"]
        let aboutThings = ["INF.WIFI_HOTSPOTS", "MOB.EV_CHARGERS", "EGOV.CITIZEN_TERMINALS", "ECO.PEDESTRIAN_SENSORS",
                           "SAF.MOWAS_DISPLAYS", "PAR.OPEN_DATASETS", "POP.TOTAL"]
        for code in aboutPeople { #expect(KPICatalog.builtIn[code]?.personCount == true, "\(code) counts persons or transactions") }
        for code in aboutThings { #expect(KPICatalog.builtIn[code]?.personCount == false, "\(code) counts things, not persons") }
    }

    @Test func codesCarryTheirActionFieldPrefix() {
        for d in Self.rankedDefinitions {
            let prefix = Self.prefixes[d.field]!
            #expect(d.code.hasPrefix(prefix), "\(d.code) is in field \(d.field.rawValue) but lacks the prefix \(prefix)")
        }
    }

    @Test func perCapitaScalesArePowersOfTen() {
        let scales: Set<Int> = [1, 10, 100, 1000, 10000, 100000]
        for d in KPICatalog.builtIn.sorted {
            if let p = d.perCapita { #expect(scales.contains(p), "\(d.code) has an unusual perCapita \(p)") }
        }
    }

    @Test func referencesNeverCiteAnUnverifiedISO37122ClauseNumber() {
        // The research anchors verify ISO 37122 indicator names, not clause numbers; a new entry
        // cites the indicator by name.
        for d in Self.rankedDefinitions {
            for ref in d.refs where ref.hasPrefix("ISO 37122") {
                let afterStandard = ref.dropFirst("ISO 37122:2019".count).trimmingCharacters(in: .whitespaces)
                #expect(!(afterStandard.first?.isNumber ?? false), "\(d.code) cites an ISO 37122 clause number: \(ref)")
            }
        }
    }
}
