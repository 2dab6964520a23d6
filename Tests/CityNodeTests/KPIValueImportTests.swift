import Foundation
import Model
import Testing
import TestSupport
@testable import CityNode

@Suite struct KPIValueImportTests {
    @Test func acceptsABOMAndCRLFLineEnds() throws {
        let f = try NodeFixture()
        let path = f.csv("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("kpi,period,value\r\nMOB.EV_CHARGERS,2024,12\r\nMOB.EV_CHARGERS,2023,10\r\n".utf8))
        #expect(try f.node.importValues(path: path).rows == 2)
        #expect(try f.export() == "kpi,period,value,unit,source,note\nMOB.EV_CHARGERS,2023,10,count,,\nMOB.EV_CHARGERS,2024,12,count,,\n")
    }

    @Test func readsSemicolonsWithDecimalCommaAndThousandsDots() throws {
        let f = try NodeFixture()
        let path = f.csv("de.csv", "Kpi;Period;Value;Unit\nPOP.TOTAL;2024;1.234.567;persons\nMOB.EV_CHARGERS;2024;1.234,5;count\n")
        #expect(try f.node.importValues(path: path).rows == 2)
        #expect(try f.node.value(code: "POP.TOTAL", period: Period(year: 2024))?.value.description == "1234567")
        #expect(try f.node.value(code: "MOB.EV_CHARGERS", period: Period(year: 2024))?.value.description == "1234.5")
    }

    @Test func keepsQuotedFieldsWithEmbeddedSeparatorsQuotesAndNewlines() throws {
        let f = try NodeFixture()
        let note = "counted, by hand\nsecond line with \"quotes\""
        let path = f.csv("q.csv", "code,period,value,source,note\nMOB.EV_CHARGERS,2024-Q3,7,\"Stadtwerke, Abt. 3\",\"counted, by hand\nsecond line with \"\"quotes\"\"\"\n")
        #expect(try f.node.importValues(path: path).rows == 1)
        let v = try #require(try f.node.value(code: "MOB.EV_CHARGERS", period: Period(year: 2024, quarter: 3)))
        #expect(v.source == "Stadtwerke, Abt. 3")
        #expect(v.note == note)
        // The export quotes them again, so it reads back to the same values.
        #expect(try f.export().contains("\"Stadtwerke, Abt. 3\",\"counted, by hand\nsecond line with \"\"quotes\"\"\"\n"))
    }

    @Test func reportsEveryBadRowAtOnceAndImportsNothing() throws {
        let f = try NodeFixture()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2020", value: "1")
        let before = try f.export()
        let path = f.csv("kpi.csv", """
            kpi,period,value,unit
            MOB.EV_CHARGERS,2024,12,count
            MOB.EV_CHARGERS,2024-13,5,count
            MOB.EV_CHARGERS,24,5,count
            MOB.EV_CHARGERS,2024-Q5,5,count
            MOB.EV_CHARGERS,2023,zwölf,count
            NOPE.KPI,2024,3,count
            MOB.EV_CHARGERS,2022,3,percent
            MOB.EV_CHARGERS,2021,3
            MOB.EV_CHARGERS,2019,4,count
            MOB.EV_CHARGERS,2019,5,count

            """)
        let error = try #require(throws: NodeError.self) { try f.node.importValues(path: path) }
        #expect(error.code == .importRejected)
        let found = error.problems.map { "\($0.line):\($0.column ?? "-")" }
        #expect(found == ["3:period", "4:period", "5:period", "6:value", "7:kpi", "8:unit", "9:-", "11:period"])
        #expect(error.problems[7].reason.contains("appears again (first on line 10)"))
        #expect(error.problems[3].description == "kpi.csv line 6, column value: 'zwölf' for MOB.EV_CHARGERS is not a number (expected a decimal number such as 1234.5)")
        #expect(error.message.contains("nothing changed"))
        // Row 2 and row 10 were valid but must not be half-imported.
        #expect(try f.export() == before)
    }

    @Test func refusesInvalidUTF8NamingTheLine() throws {
        let f = try NodeFixture()
        let path = f.csv("latin1.csv", bytes: Array("kpi,period,value,note\nMOB.EV_CHARGERS,2024,3,ok\nMOB.EV_CHARGERS,2023,3,Gr".utf8) + [0xFC, 0xDF, 0x65, 10])
        let error = try #require(throws: NodeError.self) { try f.node.importValues(path: path) }
        #expect(error.problems.first?.line == 3)
        #expect(error.problems.first?.column == "note")
        #expect(error.message.contains("UTF-8"))
        #expect(try f.export() == "kpi,period,value,unit,source,note\n")
    }

    @Test func refusesAnEmptyFileAndAFileWithOnlyABOM() throws {
        let f = try NodeFixture()
        for bytes in [[], [0xEF, 0xBB, 0xBF], Array("\n\n".utf8)] as [[UInt8]] {
            let error = try #require(throws: NodeError.self) { try f.node.importValues(path: f.csv("empty.csv", bytes: bytes)) }
            #expect(error.message.contains("empty"))
        }
    }

    @Test func refusesAHeaderWithoutTheRequiredColumns() throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.importValues(path: f.csv("h.csv", "kpi,value\nMOB.EV_CHARGERS,3\n")) }
        #expect(error.message.contains("period"))
    }

    @Test func refusesAnUnterminatedQuote() throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) {
            try f.node.importValues(path: f.csv("u.csv", "kpi,period,value,note\nMOB.EV_CHARGERS,2024,3,\"never closed\n"))
        }
        #expect(error.problems.first?.reason.contains("never closed") == true)
        #expect(try f.export() == "kpi,period,value,unit,source,note\n")
    }

    @Test func aMissingFileIsOneClearSentence() throws {
        let f = try NodeFixture()
        let error = try #require(throws: NodeError.self) { try f.node.importValues(path: f.dir.file("absent.csv")) }
        #expect(error.message.contains("absent.csv"))
    }

    @Test func aBadLastRowAfterManyStoredBatchesLeavesNothingBehind() throws {
        let f = try NodeFixture()
        var text = "kpi,period,value\n"
        for year in 1900...2199 { for month in 1...12 { text += "MOB.EV_CHARGERS,\(year)-\(month < 10 ? "0" : "")\(month),\(year)\n" } }
        for year in 1900...2199 { for q in 1...4 { text += "MOB.EV_CHARGERS,\(year)-Q\(q),\(year + q)\n" } }
        for year in 1900...2199 { text += "POP.TOTAL,\(year),\(year * 10)\n" }
        let good = f.csv("good.csv", text)
        let bad = f.csv("bad.csv", text + "POP.TOTAL,2024-13,1\n")
        // 5,100 rows: a first batch of 4,096 is stored before the bad last row is even read.
        let error = try #require(throws: NodeError.self) { try f.node.importValues(path: bad) }
        #expect(error.problems.map(\.line) == [5_102])
        #expect(try f.node.status().kpiValues == 0)
        #expect(try f.node.importValues(path: good).rows == 5_100)
        #expect(try f.node.status().kpiValues == 5_100)
    }

    @Test func importsAFileLargerThanOneReadChunkCompletely() throws {
        let f = try NodeFixture()
        var text = "kpi,period,value,source\n"
        var rng = SeededGenerator(seed: 3)
        for year in 1950...2100 {
            for month in 1...12 {
                text += "MOB.EV_CHARGERS,\(year)-\(month < 10 ? "0" : "")\(month),\(Int.random(in: 0...99999, using: &rng)).\(Int.random(in: 0...99, using: &rng)),Stadtverwaltung\n"
            }
        }
        #expect(text.utf8.count > 65_536)
        #expect(try f.node.importValues(path: f.csv("big.csv", text)).rows == 151 * 12)
        #expect(try f.node.status().kpiValues == 151 * 12)
    }
}

@Suite struct DecimalTextTests {
    @Test func matchesDecimalValueOnSeededRandomText() {
        var rng = SeededGenerator(seed: 2026)
        let alphabet: [Character] = ["0", "0", "1", "5", "9", ".", ",", "-", "+", "0", "3", "x"]
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...14, using: &rng)
            let text = String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
            for style in [DecimalValue.Style.point, .comma] {
                #expect(DecimalValue.canonicalText(text, style: style) == DecimalValue(text, style: style)?.description, "\(text) \(style)")
            }
        }
    }

    @Test(arguments: ["0", "-0", "007", "0.10", ".5", "-.5", "5.", "1.234.567", "1.234,5", "12,34,5", "1234567890123456789012345678901234567.8",
                      "12345678901234567890123456789012345678.9", "0.00000000000000000000000000000001", "+3", "", "-", "1e3"])
    func matchesDecimalValueOnEdgeCases(text: String) {
        for style in [DecimalValue.Style.point, .comma] {
            #expect(DecimalValue.canonicalText(text, style: style) == DecimalValue(text, style: style)?.description)
        }
    }
}
