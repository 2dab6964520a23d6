import Foundation
import Testing
@testable import Formats

@Suite struct CSVReaderTests {
    func records(_ text: String, separator: UInt8? = nil) throws -> [CSVRecord] {
        try records(Array(text.utf8), separator: separator)
    }

    func records(_ bytes: [UInt8], separator: UInt8? = nil) throws -> [CSVRecord] {
        let reader = try CSVReader(bytes: bytes, separator: separator)
        var out: [CSVRecord] = []
        while let r = try reader.next() { out.append(r) }
        return out
    }

    @Test func readsQuotedFieldsWithSeparatorsQuotesAndNewlines() throws {
        let rows = try records("a,b,c\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,,\n")
        #expect(rows.map(\.fields) == [["a", "b", "c"], ["x,1", "say \"hi\"", "two\nlines"], ["last", "", ""]])
        #expect(rows.map(\.line) == [1, 2, 4])
    }

    @Test func stripsTheBOMAndAcceptsCRLF() throws {
        let rows = try records([0xEF, 0xBB, 0xBF] + Array("kpi,value\r\nA.B,1\r\n".utf8))
        #expect(rows.map(\.fields) == [["kpi", "value"], ["A.B", "1"]])
    }

    @Test func detectsSemicolonSeparatorsFromTheHeader() throws {
        let reader = try CSVReader(bytes: Array("kpi;period;value\nA.B;2024;1.234,5\n".utf8))
        #expect(reader.separator == UInt8(ascii: ";"))
        #expect(try reader.next()?.fields == ["kpi", "period", "value"])
        #expect(try reader.next()?.fields == ["A.B", "2024", "1.234,5"])
    }

    @Test func skipsBlankLinesButCountsThem() throws {
        let rows = try records("h\n\n\nx\n\r\ny")
        #expect(rows.map(\.fields) == [["h"], ["x"], ["y"]])
        #expect(rows.map(\.line) == [1, 4, 6])
    }

    @Test func refusesAnEmptyFile() {
        #expect(throws: CSVError.self) { try records("") }
        #expect(throws: CSVError.self) { try records("\n\r\n") }
        #expect(throws: CSVError.self) { try records([0xEF, 0xBB, 0xBF]) }
    }

    @Test func namesLineAndColumnOfInvalidUTF8() throws {
        do {
            _ = try records(Array("a,b\nok,fine\nx,".utf8) + [0xFF, 0xFE] + [10])
            Issue.record("accepted invalid UTF-8")
        } catch let error as CSVError {
            #expect(error.code == .invalidUTF8 && error.line == 3 && error.column == 2)
            #expect(error.message.contains("line 3, column 2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func refusesUnterminatedAndStrayQuotes() {
        #expect { try records("a\n\"open") } throws: { ($0 as? CSVError)?.code == .unterminatedQuote }
        #expect { try records("a\nab\"c\n") } throws: { ($0 as? CSVError)?.code == .strayQuote }
        #expect { try records("a\n\"ab\"c\n") } throws: { ($0 as? CSVError)?.code == .strayQuote }
    }

    @Test func streamsFromAFileAcrossChunkBoundaries() throws {
        // Rows long enough that quoted fields and CRLFs straddle the 64 KiB refill boundary.
        var text = "kpi,period,value,note\r\n"
        var expected: [[String]] = []
        for i in 0..<20_000 {
            let note = i % 7 == 0 ? "\"multi\r\nline, \"\"quoted\"\"\"" : "n\(i)"
            text += "K.X\(i % 50),2024,\(i).5,\(note)\r\n"
            expected.append(["K.X\(i % 50)", "2024", "\(i).5", i % 7 == 0 ? "multi\r\nline, \"quoted\"" : "n\(i)"])
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UInt64.random(in: 0...UInt64.max)).csv")
        try Data(text.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let reader = try CSVReader(path: url.path)
        #expect(try reader.next()?.fields == ["kpi", "period", "value", "note"])
        var got: [[String]] = []
        while let r = try reader.next() { got.append(r.fields) }
        #expect(got == expected)
    }

    @Test func resolvesHeaderColumnsCaseInsensitivelyWithAliases() throws {
        let header = CSVHeader(try records("Code, Period ,VALUE,value\n")[0])
        #expect(header.column("kpi", "code") == 0)
        #expect(header.column("period") == 1)
        #expect(header.column("value") == 2)
        #expect(header.duplicates == ["value"])
    }
}
