import Foundation
import Model
import Testing
import TestSupport
@testable import CityNode

@Suite struct KPIValueEntryTests {
    private func personCountKPI() -> KPIDefinition {
        KPIDefinition(code: "LOC.WIFI_SESSIONS", name: "Wi-Fi sessions", unit: "count", direction: .higher,
                      field: .infrastructure, personCount: true)
    }

    @Test func personCountValuesCarryALaplaceDrawAndACorrectionDrawsAfreshOne() throws {
        let f = try NodeFixture()
        try f.node.defineKPI(personCountKPI())
        let first = try f.node.setValue(code: "LOC.WIFI_SESSIONS", period: "2024-05", value: "120")
        let u1 = try #require(first.noise)
        #expect(try f.node.value(code: "LOC.WIFI_SESSIONS", period: Period(year: 2024, month: 5))?.noise == u1)
        // The same value again keeps its draw, so republishing never changes the noise.
        try f.node.setValue(code: "LOC.WIFI_SESSIONS", period: "2024-05", value: "120.0", note: "checked")
        #expect(try f.node.value(code: "LOC.WIFI_SESSIONS", period: Period(year: 2024, month: 5))?.noise == u1)
        // A corrected value gets a fresh draw.
        try f.node.setValue(code: "LOC.WIFI_SESSIONS", period: "2024-05", value: "121")
        let u2 = try #require(try f.node.value(code: "LOC.WIFI_SESSIONS", period: Period(year: 2024, month: 5))?.noise)
        #expect(u2 != u1)
    }

    @Test func importedPersonCountValuesGetADrawAndOthersDoNot() throws {
        let f = try NodeFixture()
        try f.node.defineKPI(personCountKPI())
        _ = try f.node.importValues(path: f.csv("v.csv", "kpi,period,value\nLOC.WIFI_SESSIONS,2024,5\nMOB.EV_CHARGERS,2024,5\n"))
        #expect(try f.node.value(code: "LOC.WIFI_SESSIONS", period: Period(year: 2024))?.noise != nil)
        #expect(try f.node.value(code: "MOB.EV_CHARGERS", period: Period(year: 2024))?.noise == nil)
    }

    @Test func laplaceDrawsFollowTheDistribution() throws {
        let f = try NodeFixture(seed: 99)
        try f.node.defineKPI(personCountKPI())
        var draws: [Double] = []
        for i in 0..<400 {
            draws.append(try #require(try f.node.setValue(code: "LOC.WIFI_SESSIONS", period: "\(1900 + i / 12)-\(String(format: "%02d", i % 12 + 1))", value: "1").noise))
        }
        let mean = draws.reduce(0, +) / Double(draws.count)
        let meanAbs = draws.map(abs).reduce(0, +) / Double(draws.count)
        #expect(abs(mean) < 0.25)
        #expect(abs(meanAbs - 1) < 0.2)   // E|u| = b = 1 for Laplace(0, 1)
    }

    @Test func exportPrintsValuesExactlyAsEnteredInChronologicalOrder() throws {
        let f = try NodeFixture()
        for (p, v) in [("2024-02", "0.10"), ("2024", "1e3"), ("2023", "-0"), ("2024-Q1", "12345678901234567890.123456789"), ("2024-01", "007")] {
            _ = try? f.node.setValue(code: "MOB.EV_CHARGERS", period: p, value: v)
        }
        #expect(try f.export() == """
            kpi,period,value,unit,source,note
            MOB.EV_CHARGERS,2023,0,count,,
            MOB.EV_CHARGERS,2024-Q1,12345678901234567890.123456789,count,,
            MOB.EV_CHARGERS,2024-01,7,count,,
            MOB.EV_CHARGERS,2024-02,0.1,count,,

            """)
    }

    @Test(arguments: ["2024-13", "24", "2024-Q5", "", "2024-1"])
    func refusesMalformedPeriods(period: String) throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.setValue(code: "MOB.EV_CHARGERS", period: period, value: "1") }
        #expect(error.message.contains("'\(period)'"))
    }

    @Test(arguments: ["zwölf", "1,5", "1e3", "NaN", "", "1.2.3"])
    func refusesNonNumericValues(value: String) throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: value) }
        #expect(error.code == .invalidInput)
        #expect(error.message.contains("is not a number"))
    }

    @Test func refusesAnUnknownKPI() throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.setValue(code: "XYZ.NOPE", period: "2024", value: "1") }
        #expect(error.code == .unknownKPI)
    }

    @Test func refusesADuplicateDefinitionOfBuiltInAndLocalCodes() throws {
        let f = try NodeFixture()
        try f.node.defineKPI(personCountKPI())
        #expect(throws: NodeError.self) { try f.node.defineKPI(personCountKPI()) }
        var builtIn = personCountKPI()
        builtIn.code = "MOB.EV_CHARGERS"
        let error = try #require(throws: NodeError.self) { try f.node.defineKPI(builtIn) }
        #expect(error.code == .duplicateKPI)
        #expect(try f.node.localDefinitions().map(\.code) == ["LOC.WIFI_SESSIONS"])
        #expect(try f.node.listKPIs().contains { $0.code == "LOC.WIFI_SESSIONS" && $0.personCount })
    }
}
