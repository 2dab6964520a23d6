import Crypto
import Formats
import Model
import Testing
@testable import Publishing
@testable import Replication

@Suite struct PublisherTests {
    let origin = "0123456789abcdef0123456789abcdef"
    let y2024 = Period("2024")!

    func input(values: [LocalValue], projects: [Project] = [], policy: DisclosurePolicy = DisclosurePolicy(),
               catalog: KPICatalog = KPICatalog.builtIn, ledger: [EpsilonCharge] = []) -> PublicationInput {
        PublicationInput(originID: origin, profile: CityProfile(name: "Braunschweig", country: "DE", region: "Niedersachsen"),
                         catalog: catalog, values: values, projects: projects, projectKey: Array(repeating: 42, count: 32),
                         policy: policy, ledger: ledger)
    }

    func json(_ publication: Publication, _ subject: Subject) throws -> JSONValue {
        try JSONReader.parse(try #require(publication.payloads[subject]))
    }

    func value(_ publication: Publication, _ period: Period, _ code: String) throws -> JSONValue? {
        try json(publication, .kpi(period))["values"]?.arrayValue?.first { $0["kpi"]?.stringValue == code }
    }

    @Test func namedNodesPublishNameRegionAndPopulation() throws {
        let p = try Publisher.build(input(values: [LocalValue(code: "POP.TOTAL", period: y2024, value: DecimalValue("248123")!)]))
        let profile = try json(p, .profile)
        #expect(profile["label"]?.stringValue == "Braunschweig")
        #expect(profile["region"]?.stringValue == "Niedersachsen")
        #expect(profile["population"]?.stringValue == "248123")
        #expect(profile["sizeClass"]?.stringValue == "large")
        #expect(try value(p, y2024, "POP.TOTAL")?["value"]?.stringValue == "248123")
    }

    @Test func pseudonymousNodesHidePopulationAndPrescalePerCapitaKPIs() throws {
        let values = [
            LocalValue(code: "POP.TOTAL", period: y2024, value: DecimalValue("248123")!),
            LocalValue(code: "MOB.EV_CHARGERS", period: y2024, value: DecimalValue("120")!),
        ]
        let p = try Publisher.build(input(values: values, policy: DisclosurePolicy(identity: .pseudonymous)))
        let profile = try json(p, .profile)
        #expect(profile["label"]?.stringValue == "city-0123456789")
        #expect(profile["region"] == nil && profile["population"] == nil)
        #expect(profile["sizeClass"]?.stringValue == "large")
        #expect(try value(p, y2024, "POP.TOTAL") == nil)
        // 120 / 248,000 (population rounded half-even to 3 significant digits) × 10,000
        // = 4.838709677…, rounded half-even to 6 significant digits.
        let chargers = try #require(try value(p, y2024, "MOB.EV_CHARGERS"))
        #expect(chargers["value"]?.stringValue == "4.83871")
        #expect(chargers["scaled"]?.boolValue == true)
        let all = p.payloads.values.map { String(decoding: $0, as: UTF8.self) }.joined()
        #expect(!all.contains("Braunschweig") && !all.contains("248123") && !all.contains("Niedersachsen"))
    }

    func personCountCatalog() -> KPICatalog {
        var catalog = KPICatalog.builtIn
        catalog.insert(KPIDefinition(code: "LOC.VISITORS", name: "Visitors", unit: "count", direction: .higher, field: .living, personCount: true))
        return catalog
    }

    func sharedVisitors(k: Int? = nil, epsilon: Double? = nil, step: String? = nil) -> DisclosurePolicy {
        DisclosurePolicy(rules: ["LOC.VISITORS": .init(share: true, roundingStep: step.flatMap { DecimalValue($0) }, minimumCount: k, epsilon: epsilon)])
    }

    @Test func suppressesSmallPersonCountsOnTheTrueValue() throws {
        let values = ["0", "1", "2", "3"].enumerated().map { i, v in
            LocalValue(code: "LOC.VISITORS", period: Period(year: 2020 + i), value: DecimalValue(v)!, noiseDraw: 0.7)
        }
        let p = try Publisher.build(input(values: values, policy: sharedVisitors(), catalog: personCountCatalog()))
        let published = try (0..<4).map { try value(p, Period(year: 2020 + $0), "LOC.VISITORS") }
        #expect(published.map { $0?["flag"]?.stringValue } == ["ok", "S", "S", "ok"])
        #expect(published.map { $0?["value"]?.stringValue } == ["0", nil, nil, "3"])
        #expect(published[1]?["value"]?.isNull == true)
    }

    @Test func addsTheStoredNoiseDrawScaledByEpsilonAndChargesItOnce() throws {
        let v = LocalValue(code: "LOC.VISITORS", period: y2024, value: DecimalValue("100")!, noiseDraw: -0.6)
        let policy = sharedVisitors(epsilon: 0.5, step: "5")
        let first = try Publisher.build(input(values: [v], policy: policy, catalog: personCountCatalog()))
        // 100 + (-0.6 / 0.5) = 98.8, rounded to a multiple of 5 → 100.
        #expect(try value(first, y2024, "LOC.VISITORS")?["value"]?.stringValue == "100")
        #expect(first.newCharges == [EpsilonCharge(kpi: "LOC.VISITORS", period: y2024, epsilon: 0.5, noiseDraw: -0.6)])
        // Same input, same bytes: preview and publication agree.
        let again = try Publisher.build(input(values: [v], policy: policy, catalog: personCountCatalog(), ledger: first.newCharges))
        #expect(again.payloads == first.payloads)
        #expect(again.newCharges.isEmpty)
    }

    @Test func clampsNoisedValuesAtZero() throws {
        let v = LocalValue(code: "LOC.VISITORS", period: y2024, value: DecimalValue("3")!, noiseDraw: -9)
        let p = try Publisher.build(input(values: [v], policy: sharedVisitors(epsilon: 1), catalog: personCountCatalog()))
        #expect(try value(p, y2024, "LOC.VISITORS")?["value"]?.stringValue == "0")
    }

    @Test func refusesWhenEpsilonChangedForAPublishedValueUntilItIsReentered() throws {
        let v = LocalValue(code: "LOC.VISITORS", period: y2024, value: DecimalValue("100")!, noiseDraw: 0.3)
        let ledger = [EpsilonCharge(kpi: "LOC.VISITORS", period: y2024, epsilon: 1, noiseDraw: 0.3)]
        do {
            _ = try Publisher.build(input(values: [v], policy: sharedVisitors(epsilon: 0.5), catalog: personCountCatalog(), ledger: ledger))
            Issue.record("published after ε changed")
        } catch {
            #expect(error.code == .epsilonChanged && error.message.contains("LOC.VISITORS"))
        }
        var reentered = v
        reentered.noiseDraw = -1.2
        _ = try Publisher.build(input(values: [reentered], policy: sharedVisitors(epsilon: 0.5), catalog: personCountCatalog(), ledger: ledger))
    }

    @Test func localKPIsStayHomeUnlessNamedAndThenCarryTheirDefinition() throws {
        let v = LocalValue(code: "LOC.VISITORS", period: y2024, value: DecimalValue("50")!, noiseDraw: 0.1)
        let hidden = try Publisher.build(input(values: [v], catalog: personCountCatalog()))
        #expect(hidden.payloads[.kpi(y2024)] == nil)
        let shared = try Publisher.build(input(values: [v], policy: sharedVisitors(), catalog: personCountCatalog()))
        #expect(try value(shared, y2024, "LOC.VISITORS")?["def"]?["code"]?.stringValue == "LOC.VISITORS")
        // And the payload passes the receivers' schema check.
        try Verifier.validatePayload(shared.payloads[.kpi(y2024)]!, subject: .kpi(y2024))
    }

    @Test func projectsArePublishedAsPseudonymousDescriptorsCountsOrNotAtAll() throws {
        let projects = [
            Project(id: "p1", name: "Secret Name", field: .mobility, category: .evCharging, status: .active, startYear: 2021,
                    budget: DecimalValue("1234567"), description: "Contact Jane", kpis: ["MOB.EV_CHARGERS", "LOC.HIDDEN"]),
            Project(id: "p2", name: "Other", field: .mobility, category: .evCharging, status: .active),
        ]
        let descriptors = try Publisher.build(input(values: [], projects: projects))
        let list = try #require(try json(descriptors, .projects)["projects"]?.arrayValue)
        #expect(list.count == 2)
        let first = try #require(list.first { $0["start"]?.numberValue?.intValue == 2021 })
        #expect(first["id"]?.stringValue == Publisher.projectPseudonym("p1", key: Array(repeating: 42, count: 32)))
        #expect(first["kpis"]?.arrayValue == [.string("MOB.EV_CHARGERS")])
        let counts = try Publisher.build(input(values: [], projects: projects, policy: DisclosurePolicy(projects: .counts)))
        #expect(try json(counts, .projects)["counts"]?.arrayValue?.first?["count"]?.numberValue?.intValue == 2)
        let none = try Publisher.build(input(values: [], projects: projects, policy: DisclosurePolicy(projects: .none)))
        #expect(none.payloads[.projects] == nil)
        for p in [descriptors, counts] {
            let text = p.payloads.values.map { String(decoding: $0, as: UTF8.self) }.joined()
            #expect(!text.contains("Secret") && !text.contains("Jane") && !text.contains("1234567"))
        }
    }

    @Test func readsAndValidatesThePolicyNamingTheBadField() throws {
        let policy = try DisclosurePolicy(json: try JSONReader.parse(#"{"identity":"pseudonymous","kpis":{"*":{"k":5},"MOB.EV_CHARGERS":{"round":"10"}},"projects":"counts"}"#))
        #expect(policy.identity == .pseudonymous && policy.projects == .counts)
        #expect(policy.rule(for: "MOB.EV_CHARGERS", inBuiltInCatalog: true).step == DecimalValue("10"))
        #expect(policy.rule(for: "X.Y", inBuiltInCatalog: true).k == 5)
        #expect(try DisclosurePolicy(json: policy.json) == policy)
        let bad = [
            (#"{"identity":"anonymous"}"#, "disclosure.identity"),
            (#"{"kpis":{"MOB.EV_CHARGERS":{"round":"-1"}}}"#, "disclosure.kpis.MOB.EV_CHARGERS.round"),
            (#"{"kpis":{"*":{"k":0}}}"#, "disclosure.kpis.*.k"),
            (#"{"kpis":{"*":{"epsilon":0}}}"#, "disclosure.kpis.*.epsilon"),
            (#"{"kpis":{"bad code":{}}}"#, "disclosure.kpis"),
            (#"{"projects":"all"}"#, "disclosure.projects"),
            (#"{"colour":"red"}"#, "disclosure.colour"),
        ]
        for (json, field) in bad {
            do {
                _ = try DisclosurePolicy(json: try JSONReader.parse(json))
                Issue.record("accepted \(json)")
            } catch let error as PublishingError {
                #expect(error.message.contains(field), "\(error.message)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
    }
}
