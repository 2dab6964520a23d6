import Foundation
import Testing
import Model
@testable import Ranking

@Suite struct FileLoaderTests {
    let catalog = Fixture.catalog(Fixture.kpi("E.X"), Fixture.kpi("M.EV", .mobility, perCapita: 1000))

    @Test func readsCommaSeparatedCellsWithScaledAndUnit() throws {
        let csv = "City,KPI,Period,Value,Scaled,Unit\nAachen,E.X,2023,12.5,false,count\nKempten,M.EV,2023,3,true,\nKempten,E.X,2023,,,\n"
        let input = try CellCSV.load(bytes: Array(csv.utf8), catalog: catalog)
        #expect(input.cells.count == 3)
        #expect(input.cells[0] == Cell(city: "Aachen", kpi: "E.X", period: Period("2023")!, value: 12.5, unit: "count"))
        #expect(input.cells[1].scaled)
        #expect(input.cells[2].value == nil)
    }

    @Test func semicolonsMeanDecimalCommas() throws {
        let csv = "city;kpi;period;value\nAachen;E.X;2023;1.234,5\n"
        let input = try CellCSV.load(bytes: Array(csv.utf8), catalog: catalog)
        #expect(input.cells.first?.value == 1234.5)
    }

    @Test func rejectsNonNumericValuesWithLineAndColumn() {
        let csv = "city,kpi,period,value\nAachen,E.X,2023,12\nKempten,E.X,2023,zwölf\nEmsdetten,E.X,2023,1e5\n"
        let error = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(csv.utf8), catalog: catalog) }
        #expect(error?.code == .malformedInput)
        #expect(error?.message.contains("line 3, column 4: value 'zwölf' for E.X is not a number") == true)
        #expect(error?.message.contains("line 4, column 4") == true)
    }

    @Test func listsEveryUnknownKPIAtOnce() {
        let csv = "city,kpi,period,value\nA,X.ONE,2023,1\nB,E.X,2023,1\nC,X.TWO,2023,2\nD,X.ONE,2023,3\n"
        let error = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(csv.utf8), catalog: catalog) }
        #expect(error?.code == .unknownKPI)
        #expect(error?.message.contains("X.ONE (line 2), X.TWO (line 4)") == true)
    }

    @Test func rejectsMalformedPeriodsAndMissingColumns() {
        let bad = "city,kpi,period,value\nA,E.X,2023-13,1\n"
        let e1 = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(bad.utf8), catalog: catalog) }
        #expect(e1?.message.contains("line 2, column 3") == true)
        let noValue = "city,kpi,period\nA,E.X,2023\n"
        let e2 = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(noValue.utf8), catalog: catalog) }
        #expect(e2?.message.contains("value") == true)
    }

    @Test func writerOutputReadsBackToTheSameCells() throws {
        let cells = [
            Fixture.cell("Saarbrücken, Stadt", "E.X", "2023-Q2", 0.1),
            Fixture.cell("Aachen", "M.EV", "2022", 1e-7, unit: "count"),
            Fixture.cell("Aachen", "E.X", "2022", nil),
            Cell(city: "Kempten", kpi: "M.EV", period: Period("2024-03")!, value: 123456789.125, scaled: true),
        ]
        let text = CellCSV.write(cells)
        let back = try CellCSV.load(bytes: Array(text.utf8), catalog: catalog).cells
        #expect(Set(back) == Set(cells))
        #expect(CellCSV.write(back) == text)
    }

    @Test func catalogFileOverridesBuiltInsWithANote() throws {
        let json = #"[{"code":"E.X","name":"Other","unit":"percent","direction":"lower","field":"egov"},{"code":"E.NEW","name":"New","unit":"count","direction":"higher","field":"egov"}]"#
        let (merged, notes) = try CatalogFile.load(bytes: Array(json.utf8), base: catalog)
        #expect(merged["E.X"]?.direction == .lower)
        #expect(merged.contains("E.NEW"))
        #expect(notes == ["note: the catalog file's definition of E.X replaces the built-in one"])
    }

    @Test func weightsFileNamesUnknownEntries() throws {
        let ok = try WeightsFile.load(bytes: Array(#"{"mobility":2,"E.X":0.5}"#.utf8), catalog: catalog)
        #expect(ok.fields == [.mobility: 2])
        #expect(ok.kpis == ["E.X": 0.5])
        let structured = try WeightsFile.load(bytes: Array(#"{"kpis":{"E.X":3},"targets":{"E.X":90}}"#.utf8), catalog: catalog)
        #expect(structured.kpis == ["E.X": 3] && structured.targets == ["E.X": 90])
        let error = #expect(throws: RankingError.self) {
            try WeightsFile.load(bytes: Array(#"{"mobilty":2,"E.NOPE":1}"#.utf8), catalog: catalog)
        }
        #expect(error?.message.contains("E.NOPE, mobilty") == true)
        #expect(throws: RankingError.self) { try WeightsFile.load(bytes: Array(#"{"mobility":-1}"#.utf8), catalog: catalog) }
    }

    @Test func fastPathAndGeneralReaderAgreeOnCleanFiles() throws {
        let (cells, catalog) = Fixture.random(seed: 3, cities: 20, kpis: 8)
        var rng = SeededGenerator(seed: 99)
        var text = "city,kpi,period,value,scaled,unit\n"
        for c in cells {
            let value = rng.next() % 7 == 0 ? "" : ["12.5", "-0.001", "123456789012345678", "0.1234567890123456789012", "7"][Int(rng.next() % 5)]
            text += "\(c.city),\(c.kpi),\(c.period),\(value),\(rng.next() % 2 == 0),\(c.kpi == "POP.TOTAL" ? "persons" : "")\n"
        }
        let fast = CleanCellParser(catalog: catalog)
        let parsed = fast.parse(Array(text.utf8))
        let viaFast = try #require(parsed)
        let viaGeneral = try CellCSV.loadGeneral(bytes: Array(text.utf8), catalog: catalog, source: "t")
        #expect(viaFast.cells == viaGeneral.cells)
    }

    @Test(arguments: ["0", "-0", "+3", "0.1", "1.5e3", "1.", ".5", "--1", "1.2.3", "12a", "99999999999999999999", "0.30000000000000004441", "123456.789"])
    func fastNumberParsingAgreesWithTheStrictParser(text: String) {
        let bytes = Array(text.utf8)
        let fast = bytes.withUnsafeBufferPointer { CleanCellParser.number($0, 0..<$0.count) }
        let strict = CellCSV.parseNumber(text, style: .point)
        #expect(fast?.bitPattern == strict?.bitPattern)
    }

    @Test func quotedFilesFallBackToTheGeneralReader() throws {
        let csv = "city,kpi,period,value\n\"Halle (Saale), Stadt\",E.X,2023,1\n"
        let input = try CellCSV.load(bytes: Array(csv.utf8), catalog: catalog)
        #expect(input.cells.first?.city == "Halle (Saale), Stadt")
    }

    @Test func loadsFromDiskAndNamesAnUnreadableFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("rank-loader-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("cells.csv").path
        try "\u{FEFF}city;kpi;period;value\r\nAachen;E.X;2023;1,5\r\nKempten;E.X;2023;2\r\n".write(toFile: path, atomically: true, encoding: .utf8)
        let input = try CellCSV.load(path: path, catalog: catalog)
        #expect(input.cells.map(\.value) == [1.5, 2])
        let missing = dir.appendingPathComponent("nope.csv").path
        let error = #expect(throws: RankingError.self) { try CellCSV.load(path: missing, catalog: catalog) }
        #expect(error?.code == .unreadableFile)
        #expect(error?.message.contains("nope.csv") == true)
    }
}
