import Model
import Testing
@testable import Demo

@Suite struct DemoDataTests {
    @Test func demoCitiesCoverEverySeedProgrammeAndTwoArePseudonymous() {
        let categories = Set(DemoData.cities.flatMap { $0.projects.map(\.category) })
        let seeds: [ProjectCategory] = [.mobileParking, .evCharging, .publicWifi, .schoolWifi, .digitalPermit, .onlineVehicleRegistration,
                                        .citizenTerminal, .pedestrianCounting, .vacancyManagement, .smartLighting, .cityInfoDisplay,
                                        .emergencyCareNetwork]
        for seed in seeds { #expect(categories.contains(seed), "\(seed.rawValue)") }
        #expect(DemoData.cities.map(\.name) == ["Braunschweig", "Saarbrücken", "Wolfsburg", "Aachen", "Kempten", "Emsdetten"])
        #expect(DemoData.cities.filter(\.pseudonymous).count == 2)
    }

    @Test func everyDemoValueIsACatalogKPIAndEveryProjectIsLabelledIllustrative() {
        for city in DemoData.cities {
            let catalog = KPICatalog.builtIn.merging(KPICatalog(city.localKPIs))
            for code in city.latest.keys { #expect(catalog.contains(code), "\(city.name): \(code)") }
            for p in city.projects {
                #expect(p.name.hasPrefix("Illustrative"))
                for code in p.kpis { #expect(city.latest[code] != nil, "\(city.name) links \(code) but reports no value") }
            }
        }
    }

    @Test func earlierYearsAreDerivedTowardsWorseValuesAndPercentagesStayWithin100() throws {
        let wolfsburg = try #require(DemoData.cities.first { $0.name == "Wolfsburg" })
        let catalog = KPICatalog.builtIn
        // Higher is better: earlier years are lower; lower is better (days): earlier years are higher.
        #expect(Double(DemoData.value(wolfsburg, code: "MOB.EV_CHARGERS", year: 2022, catalog: catalog)!)! < 640)
        #expect(Double(DemoData.value(wolfsburg, code: "EGOV.PERMIT_DAYS", year: 2022, catalog: catalog)!)! > 88)
        #expect(DemoData.value(wolfsburg, code: "MOB.EV_CHARGERS", year: 2024, catalog: catalog) == "640")
        #expect(DemoData.value(wolfsburg, code: "LIV.SMART_WATER_METERS", year: 2024, catalog: catalog) == nil)
        for city in DemoData.cities {
            for (code, _) in city.latest where catalog[code]?.unit == "percent" {
                for year in DemoData.years { #expect(Double(DemoData.value(city, code: code, year: year, catalog: catalog) ?? "0")! <= 100) }
            }
        }
    }
}
