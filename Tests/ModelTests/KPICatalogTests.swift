import Foundation
import Testing
@testable import Model

@Suite struct KPICatalogTests {
    @Test func builtInCatalogIsTheRepositoryFile() throws {
        let repoFile = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("config/kpi-catalog.json")
        let text = try String(contentsOf: repoFile, encoding: .utf8)
        // The embedding script copies the file verbatim (minus the final newline of the heredoc).
        #expect(text.trimmingCharacters(in: .whitespacesAndNewlines) == KPICatalog.builtInJSON.trimmingCharacters(in: .whitespacesAndNewlines),
                "run scripts/embed-catalog.sh after editing config/kpi-catalog.json")
        #expect(KPICatalog.builtIn.contains(KPIDefinition.populationCode))
    }

    @Test func readsDefinitionsIgnoringUnknownKeys() throws {
        let catalog = try KPICatalog(json: Array(#"[{"code":"X.ONE","name":"One","unit":"count","direction":"lower","field":"egov","future":1}]"#.utf8))
        let d = try #require(catalog["X.ONE"])
        #expect(d.direction == .lower && d.field == .egov && d.perCapita == nil && !d.personCount && d.refs.isEmpty)
    }

    @Test func rejectsMissingNameWithTheEntryNamed() {
        #expect(throws: ModelError.self) {
            try KPICatalog(json: Array(#"[{"code":"X.ONE","unit":"count","direction":"lower","field":"egov"}]"#.utf8))
        }
        do {
            _ = try KPICatalog(json: Array(#"[{"code":"X.ONE","name":"A","unit":"c","direction":"up","field":"egov"}]"#.utf8))
            Issue.record("accepted an unknown direction")
        } catch {
            #expect(error.message.contains("catalog entry 1 (X.ONE)"))
        }
    }

    @Test func rejectsDuplicateCodesAndDuplicateKeys() {
        #expect(throws: ModelError.self) {
            try KPICatalog(json: Array(#"[{"code":"X.A","name":"A","unit":"c","direction":"lower","field":"egov"},{"code":"X.A","name":"B","unit":"c","direction":"lower","field":"egov"}]"#.utf8))
        }
        #expect(throws: ModelError.self) {
            try KPICatalog(json: Array(#"[{"code":"X.A","code":"X.B","name":"A","unit":"c","direction":"lower","field":"egov"}]"#.utf8))
        }
    }

    @Test func definitionJSONRoundTrips() throws {
        for d in KPICatalog.builtIn.sorted {
            #expect(try KPIDefinition(json: d.json, context: "test") == d)
        }
    }

    @Test(arguments: ["MOB.EV_CHARGERS", "POP.TOTAL", "X.Y1"])
    func acceptsWellFormedCodes(code: String) throws { try KPIDefinition.validateCode(code) }

    @Test(arguments: ["mob.ev", "MOB", "MOB.", ".MOB", "MOB..EV", "1MOB.X", "MOB.EV-CHARGERS", "MÖB.X"])
    func rejectsMalformedCodes(code: String) {
        #expect(throws: ModelError.self) { try KPIDefinition.validateCode(code) }
    }
}
