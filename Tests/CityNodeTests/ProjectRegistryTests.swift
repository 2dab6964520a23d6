import Foundation
import Model
import Store
import Testing
import TestSupport
@testable import CityNode

@Suite struct ProjectRegistryTests {
    private func wifi() -> Project {
        Project(id: "", name: "Free Wi-Fi in the old town", field: .infrastructure, category: .publicWifi, status: .active,
                startYear: 2021, budget: DecimalValue("250000.50"), description: "Hotspots", goal: "Connectivity", kpis: ["MOB.EV_CHARGERS"])
    }

    @Test func addsListsShowsAndUpdatesAProject() throws {
        let f = try NodeFixture()
        let stored = try f.node.addProject(wifi())
        #expect(stored.id.count == Node.projectIDBytes * 2)
        #expect(try f.node.listProjects() == [stored])
        #expect(try f.node.project(id: stored.id) == stored)
        let updated = try f.node.updateProject(id: stored.id, ProjectChanges(status: .done, endYear: 2024, kpis: []))
        #expect(updated.status == .done && updated.endYear == 2024 && updated.kpis.isEmpty && updated.name == stored.name)
        #expect(try f.node.project(id: stored.id) == updated)
    }

    @Test func refusesALinkToAnUnknownKPIAndStoresNothing() throws {
        let f = try NodeFixture()
        var p = wifi()
        p.kpis = ["XYZ.UNKNOWN"]
        let error = try #require(throws: NodeError.self) { try f.node.addProject(p) }
        #expect(error.code == .unknownKPI)
        #expect(try f.node.listProjects().isEmpty)
    }

    @Test func refusesAnEndBeforeTheStart() throws {
        let f = try NodeFixture()
        let stored = try f.node.addProject(wifi())
        #expect(throws: NodeError.self) { try f.node.updateProject(id: stored.id, ProjectChanges(endYear: 2019)) }
        #expect(try f.node.project(id: stored.id) == stored)
    }

    @Test func anUnknownIdIsNotFound() throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.project(id: "0123456789abcdef") }
        #expect(error.code == .projectNotFound)
    }

    @Test func importsProjectsWithPipeSeparatedKPIsAndSemicolonBudgets() throws {
        let f = try NodeFixture()
        let path = f.csv("p.csv", """
            name;field;category;status;start;end;budget;description;goal;kpis
            "Laden; Parken";mobility;ev-charging;active;2022;;1.500.000,25;"Ladepunkte
            im Zentrum";Klimaschutz;MOB.EV_CHARGERS|POP.TOTAL
            Bürgerterminal;egov;citizen-terminal;;;;;;;

            """)
        let projects = try f.node.importProjects(path: path)
        #expect(projects.count == 2)
        let all = try f.node.listProjects()
        let laden = try #require(all.first { $0.name == "Laden; Parken" })
        #expect(laden.budget?.description == "1500000.25")
        #expect(laden.kpis == ["MOB.EV_CHARGERS", "POP.TOTAL"])
        #expect(laden.description == "Ladepunkte\nim Zentrum")
        #expect(all.first { $0.name == "Bürgerterminal" }?.status == .planned)
    }

    @Test func projectImportReportsEveryBadRowAndImportsNothing() throws {
        let f = try NodeFixture()
        let path = f.csv("p.csv", """
            name,field,category,start,kpis
            Good,egov,online-services,2020,
            Bad field,traffic,online-services,2020,
            Bad category,egov,wifi,2020,
            Bad year,egov,other,20x0,
            Bad kpi,egov,other,2020,MOB.EV_CHARGERS|NOPE.X
            Ragged,egov

            """)
        let error = try #require(throws: NodeError.self) { try f.node.importProjects(path: path) }
        #expect(error.problems.map { "\($0.line):\($0.column ?? "-")" } == ["3:field", "4:category", "5:start", "6:kpis", "7:-"])
        #expect(try f.node.listProjects().isEmpty)
    }
}

@Suite struct NodeStatusTests {
    @Test func countsValuesKPIsAndProjects() throws {
        let f = try NodeFixture()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "3")
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2023", value: "2")
        try f.node.setValue(code: "POP.TOTAL", period: "2024", value: "18000")
        try f.node.addProject(Project(id: "", name: "P", field: .egov, category: .other))
        let s = try f.node.status()
        #expect(s.kpiValues == 3 && s.kpisWithValues == 2 && s.projects == 1 && s.localKPIs == 0)
        #expect(s.sizeClass == .small)
        #expect(s.lastValueEntered != nil)
    }

    @Test func databaseCheckPassesOnAHealthyNode() throws {
        let f = try NodeFixture()
        let result = try f.node.checkDatabase()
        #expect(result.isSound)
        #expect(result.migrations == Migration.all.map(\.name))
    }
}
