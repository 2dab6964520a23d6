import Testing
import Model
@testable import Ranking

/// The CSV fast path splits large files into parts parsed on several threads; the merged
/// columns must be exactly those of one pass, and anything odd in any part must still hand
/// the file to the general reader.
@Suite struct ParallelLoadTests {
    /// A clean CSV of a random federation with units, `scaled` flags in mixed case, missing
    /// values, blank lines and cities that reappear later in the file.
    static func csv(seed: UInt64) -> (text: String, catalog: KPICatalog) {
        let (cells, catalog) = Fixture.random(seed: seed, cities: 30, kpis: 7)
        var rng = SeededGenerator(seed: seed &+ 1)
        var text = "city,kpi,period,value,scaled,unit\n"
        let flags = ["true", "FALSE", "", "Yes", "no", "1", "0"]
        let values = ["12.5", "-0.001", "", "123456789012345678", "7", "+3", "0.30000000000000004441"]
        for (n, c) in cells.enumerated() {
            if n % 97 == 0 { text += "\n" }
            let city = n % 211 == 0 ? "Zürich \(n % 3)" : c.city
            text += "\(city),\(c.kpi),\(c.period),\(values[Int(rng.next() % 7)]),\(flags[Int(rng.next() % 7)]),\(c.kpi == "POP.TOTAL" ? "persons" : "")\n"
        }
        return (text, catalog)
    }

    @Test(arguments: [2, 3, 7, 64])
    func partsMergeToTheColumnsOfOnePass(workers: Int) throws {
        let (text, catalog) = ParallelLoadTests.csv(seed: UInt64(workers))
        let bytes = Array(text.utf8)
        let single = try #require(CleanCellParser(catalog: catalog, workers: 1).parse(bytes))
        let split = try #require(CleanCellParser(catalog: catalog, workers: workers, minimumBytesPerWorker: 1).parse(bytes))
        #expect(split.cells == single.cells)
        #expect(split.columns.names.map(\.city) == single.columns.names.map(\.city))
        #expect(split.columns.kpiCodes == single.columns.kpiCodes)
        #expect(split.columns.periods == single.columns.periods)
        #expect(split.columns.units == single.columns.units)
        let general = try CellCSV.loadGeneral(bytes: bytes, catalog: catalog, source: "t")
        #expect(split.cells == general.cells)
    }

    @Test func aLastLineWithoutNewlineIsRead() throws {
        let catalog = Fixture.catalog(Fixture.kpi("E.X"))
        let text = "city,kpi,period,value\n" + (0..<50).map { "C\($0),E.X,2023,\($0)" }.joined(separator: "\n")
        let input = try #require(CleanCellParser(catalog: catalog, workers: 4, minimumBytesPerWorker: 1).parse(Array(text.utf8)))
        #expect(input.cells.count == 50)
        #expect(input.cells.last?.value == 49)
    }

    /// A header and 200 clean rows of E.X, row `index` (0-based) replaced by `line`.
    static func twoHundredRows(replacing index: Int, with line: String) -> String {
        var lines = (0..<200).map { "C\($0),E.X,2023,\($0)" }
        lines[index] = line
        return "city,kpi,period,value\n" + lines.joined(separator: "\n") + "\n"
    }

    @Test func aBadRowInAnyPartHandsTheFileToTheGeneralReader() throws {
        let catalog = Fixture.catalog(Fixture.kpi("E.X"))
        let text = Self.twoHundredRows(replacing: 170, with: "C170,E.X,2023,12a")
        #expect(CleanCellParser(catalog: catalog, workers: 4, minimumBytesPerWorker: 1).parse(Array(text.utf8)) == nil)
        let error = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(text.utf8), catalog: catalog, source: "cells.csv") }
        #expect(error?.message.contains("line 172, column 4: value '12a' for E.X is not a number") == true)
    }

    @Test func anUnknownKPIInALaterPartIsListedWithItsLine() throws {
        let catalog = Fixture.catalog(Fixture.kpi("E.X"))
        let text = Self.twoHundredRows(replacing: 150, with: "C150,E.NEW,2023,1")
        #expect(CleanCellParser(catalog: catalog, workers: 3, minimumBytesPerWorker: 1).parse(Array(text.utf8)) == nil)
        let error = #expect(throws: RankingError.self) { try CellCSV.load(bytes: Array(text.utf8), catalog: catalog) }
        #expect(error?.code == .unknownKPI)
        #expect(error?.message.contains("E.NEW (line 152)") == true)
    }

    @Test func aByteOrderMarkAndBlankLinesAtPartBoundariesAreSkipped() throws {
        let catalog = Fixture.catalog(Fixture.kpi("E.X"))
        let lines = (0..<300).map { "C\($0 % 40),E.X,\(2000 + $0 / 40),\($0)\n" + ($0 % 7 == 0 ? "\n\n" : "") }
        let bytes = [0xEF, 0xBB, 0xBF] + Array(("city,kpi,period,value\n" + lines.joined()).utf8)
        let split = try #require(CleanCellParser(catalog: catalog, workers: 5, minimumBytesPerWorker: 1).parse(bytes))
        let general = try CellCSV.loadGeneral(bytes: bytes, catalog: catalog, source: "t")
        #expect(split.cells.count == 300)
        #expect(split.cells == general.cells)
    }

    @Test func shortLinesGetRoomForEveryCell() throws {
        let catalog = Fixture.catalog(Fixture.kpi("E"))
        // 9-byte lines, far below `expectedBytesPerLine`.
        let text = "city,kpi,period,value\n" + (0..<5000).map { "\($0 % 10),E,2023,\n" }.joined()
        let input = try #require(CleanCellParser(catalog: catalog, workers: 3, minimumBytesPerWorker: 1).parse(Array(text.utf8)))
        #expect(input.cells.count == 5000)
        #expect(input.columns.names.count == 10)
        #expect(input.cells.allSatisfy { $0.value == nil })
    }

    @Test(arguments: ["true", "TRUE", "Yes", "1", "false", "No", "0", "", "ture", "truee", "y", "\u{0}"])
    func scaledFlagsReadLikeTheGeneralReader(flag: String) {
        let bytes = Array(flag.utf8)
        let fast = bytes.withUnsafeBufferPointer { CleanCellParser.scaledFlag($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
        let expected: Bool? = switch flag.lowercased() {
        case "true", "1", "yes": true
        case "false", "0", "no", "": false
        default: nil
        }
        #expect(fast == expected)
    }
}
