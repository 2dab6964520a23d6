import Testing
import Formats
import Model
@testable import Ranking
@testable import Report

/// `JSONOutput` writes numbers itself for speed; its bytes must stay those of `JSONNumber`
/// (Swift's shortest round-trip `description`), and KPI sections written in parts must join
/// to the bytes of one pass.
@Suite struct JSONOutputTests {
    static func written(_ write: (inout JSONOutput) -> Void) -> String {
        var j = JSONOutput()
        write(&j)
        return String(decoding: j.bytes, as: UTF8.self)
    }

    @Test func doublesAreWrittenAsTheirShortestRoundTripDescription() {
        var rng = SeededGenerator(seed: 17)
        var values: [Double] = [0, -0.0, 1, -1, 100, 0.1, 0.001, 0.000999, 1e-3, 8_589_934_591.999999, 8_589_934_592,
                                1e15, 1e16, 123_456.789, 0.5, 2.5e-7, .ulpOfOne, .leastNonzeroMagnitude, .greatestFiniteMagnitude]
        for _ in 0..<200_000 {
            switch rng.next() % 4 {
            case 0: values.append(Double(rng.next() % 10_000_000) / [1, 10, 100, 1000, 1e4, 1e5, 1e6, 1e7][Int(rng.next() % 8)])
            case 1: values.append(Double(bitPattern: rng.next()))
            case 2: values.append(rng.symmetric() * 1e10)
            default: values.append(Double(Int64(bitPattern: rng.next()) >> Int(rng.next() % 64)))
            }
        }
        var mismatches: [String] = []
        for v in values where v.isFinite {
            let fast = JSONOutputTests.written { $0.double(v) }
            if fast != JSONNumber(double: v).text { mismatches.append("\(v.bitPattern): \(fast)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        #expect(JSONOutputTests.written { $0.double(.nan) } == "null")
        #expect(JSONOutputTests.written { $0.double(-.infinity) } == "null")
    }

    @Test func integersAreWrittenAsTheirDescription() {
        var rng = SeededGenerator(seed: 4)
        let values = [0, 1, -1, 9, 10, -10, Int.max, Int.min] + (0..<1000).map { _ in Int(bitPattern: UInt(rng.next())) >> Int(rng.next() % 64) }
        for v in values { #expect(JSONOutputTests.written { $0.int(v) } == String(v)) }
        #expect(JSONOutputTests.written { $0.beginArray(); $0.int(-5); $0.double(2.5); $0.int(7); $0.endArray() } == "[-5,2.5,7]")
    }

    @Test(arguments: [1, 2, 3, 5, 40])
    func kpiSectionsWrittenInPartsJoinToTheBytesOfOnePass(parts: Int) throws {
        let (cells, catalog) = Fixture.random(seed: 8, cities: 15, kpis: 9)
        let result = try Ranker.rank(RankingInput(cells: cells), catalog: catalog, options: Fixture.plain)
        func joined(_ sections: [[UInt8]]) -> [UInt8] {
            var j = JSONOutput()
            j.beginArray()
            for s in sections { j.fragment(s) }
            j.endArray()
            return j.bytes
        }
        let one = joined(RankingJSON.kpiSections(result.kpis, parts: 1))
        #expect(joined(RankingJSON.kpiSections(result.kpis, parts: parts)) == one)
        #expect(result.kpis.count > 3)
        let whole = RankingJSON.value(result)
        #expect(try JSONReader.parse(one) == whole["kpis"])
    }
}
