import Crypto
import Testing

@Suite("Hex encoding")
struct HexEncodingTests {
    @Test func encodesLowercaseTwoDigitsPerByte() {
        #expect([UInt8]().hexString == "")
        #expect([0x00, 0x0f, 0xa0, 0xff].hexString == "000fa0ff")
        #expect(Array(0...255 as ClosedRange<UInt8>).hexString.count == 512)
    }

    @Test func decodesEitherCaseAndRoundTrips() {
        #expect([UInt8](hexString: "000FA0ff") == [0x00, 0x0f, 0xa0, 0xff])
        let all = Array(0...255 as ClosedRange<UInt8>)
        #expect([UInt8](hexString: all.hexString) == all)
        #expect([UInt8](hexString: "") == [])
    }

    @Test func rejectsOddLengthsAndNonHexCharacters() {
        #expect([UInt8](hexString: "abc") == nil)
        #expect([UInt8](hexString: "zz") == nil)
        #expect([UInt8](hexString: "0x00") == nil)
        #expect([UInt8](hexString: "a ") == nil)
        #expect([UInt8](hexString: "éé") == nil)
    }
}
