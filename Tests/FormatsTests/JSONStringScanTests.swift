import Testing
import TestSupport
@testable import Formats

@Suite struct JSONStringScanTests {
    /// The definition the word-at-a-time scan must agree with.
    private func reference(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 || $0 >= 0x80 } ?? bytes.count
    }

    @Test func stopsAtTheFirstQuoteBackslashControlOrNonASCIIByteAtEveryOffset() {
        var rng = SeededGenerator(seed: 21)
        // Mostly plain bytes with the occasional special one, including the boundary values
        // 0x1F/0x20, 0x21/0x22/0x23, 0x5B/0x5C/0x5D and 0x7F/0x80.
        let specials: [UInt8] = [0x00, 0x1F, 0x22, 0x5C, 0x80, 0xC3, 0xFF]
        let plain: [UInt8] = [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x41, 0x7A, 0x30]
        for _ in 0..<2_000 {
            let length = Int.random(in: 0...40, using: &rng)
            let bytes = (0..<length).map { _ in
                Int.random(in: 0..<12, using: &rng) == 0 ? specials.randomElement(using: &rng)! : plain.randomElement(using: &rng)!
            }
            for start in 0...length {
                let found = bytes.withUnsafeBufferPointer { JSONStringScan.plainRunEnd($0, from: start) }
                #expect(found == reference(bytes, from: start), "bytes \(bytes) from \(start)")
            }
        }
    }

    @Test func readsStringsWithLongPlainRunsAndEscapesAfterThem() throws {
        let long = String(repeating: "abcdefgh", count: 100)
        let value = try JSONReader.parse(#"["\#(long)\n\#(long)", "\#(long)é\#(long)"]"#)
        #expect(value.arrayValue?[0].stringValue == long + "\n" + long)
        #expect(value.arrayValue?[1].stringValue == long + "é" + long)
        #expect(throws: JSONError.self) { try JSONReader.parse(Array("[\"\(long)".utf8) + [0x01] + Array("\"]".utf8)) }
        #expect(throws: JSONError.self) { try JSONReader.parse(Array("[\"\(long)".utf8) + [0xFF] + Array("\"]".utf8)) }
        #expect(throws: JSONError.self) { try JSONReader.parse("[\"\(long)") }
    }
}
