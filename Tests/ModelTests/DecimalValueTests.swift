import Testing
@testable import Model

@Suite struct DecimalValueTests {
    @Test func canonicalisesPointStyle() throws {
        #expect(DecimalValue("1234.50")?.description == "1234.5")
        #expect(DecimalValue("-0.0")?.description == "0")
        #expect(DecimalValue("+7")?.description == "7")
        #expect(DecimalValue(".5")?.description == "0.5")
        #expect(DecimalValue("0.000001")?.description == "0.000001")
    }

    @Test func readsGermanNumbersWithGrouping() {
        #expect(DecimalValue("1.234,5", style: .comma)?.description == "1234.5")
        #expect(DecimalValue("1234,5", style: .comma)?.description == "1234.5")
        #expect(DecimalValue("12.345.678", style: .comma)?.description == "12345678")
        #expect(DecimalValue("1.23,5", style: .comma) == nil)
        #expect(DecimalValue("1,2,3", style: .comma) == nil)
    }

    @Test(arguments: ["", "abc", "1e5", "NaN", "Infinity", "1.2.3", "1,5", " 1", "1 ", "5.", "--1", "0x10", "١٢"])
    func rejectsNonDecimals(text: String) {
        #expect(DecimalValue(text) == nil)
    }

    @Test func rejectsMoreThan38SignificantDigits() {
        #expect(DecimalValue(String(repeating: "9", count: 38)) != nil)
        #expect(DecimalValue(String(repeating: "9", count: 39)) == nil)
    }

    @Test func roundsHalfEvenToSignificantDigits() throws {
        #expect(DecimalValue("248500")!.roundedHalfEven(significantDigits: 3).description == "248000")
        #expect(DecimalValue("249500")!.roundedHalfEven(significantDigits: 3).description == "250000")
        #expect(DecimalValue("0.0012345")!.roundedHalfEven(significantDigits: 3).description == "0.00123")
        #expect(DecimalValue("12.5")!.roundedHalfEven(toMultipleOf: DecimalValue("5")!).description == "10")
        #expect(DecimalValue("17.5")!.roundedHalfEven(toMultipleOf: DecimalValue("5")!).description == "20")
    }
}
