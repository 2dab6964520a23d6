import Testing
import TestSupport
@testable import Formats

@Suite struct JSONReaderTests {
    func code(_ text: String, limits: JSONReader.Limits = .init()) -> JSONError.Code? {
        do { _ = try JSONReader.parse(text, limits: limits); return nil } catch { return error.code }
    }

    @Test func readsEveryValueKind() throws {
        let v = try JSONReader.parse(#" {"a":[1,-2.5e3,true,false,null],"b":"x\u00e9\ud83d\ude00\n","c":{}} "#)
        #expect(v["a"]?.arrayValue?.count == 5)
        #expect(v["a"]?.arrayValue?[1].numberValue?.doubleValue == -2500)
        #expect(v["b"]?.stringValue == "xé😀\n")
        #expect(v["c"]?.objectValue?.count == 0)
    }

    @Test func keepsMemberOrderAndNumberText() throws {
        let text = #"{"z":1,"a":9007199254740993,"m":0.10}"#
        let v = try JSONReader.parse(text)
        #expect(v.objectValue?.keys == ["z", "a", "m"])
        #expect(v["a"]?.numberValue?.text == "9007199254740993")
        #expect(JSONWriter.string(v) == text)
    }

    @Test func rejectsDuplicateKeysEvenWhenNested() {
        #expect(code(#"{"n":1,"n":2}"#) == .duplicateKey)
        #expect(code(#"{"a":{"x":1,"y":2,"x":3}}"#) == .duplicateKey)
        // Escapes decode before comparison: "\u006e" is "n".
        #expect(code(#"{"n":1,"\u006e":2}"#) == .duplicateKey)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONError.self) { try JSONReader.parse([0x22, 0xC3, 0x28, 0x22]) }
        #expect(throws: JSONError.self) { try JSONReader.parse([0x22, 0xED, 0xA0, 0x80, 0x22]) } // encoded surrogate
        #expect(throws: JSONError.self) { try JSONReader.parse([0x22, 0xC0, 0xAF, 0x22]) } // overlong
    }

    @Test func rejectsLoneSurrogateEscapes() {
        #expect(code(#""\ud800""#) == .invalidEscape)
        #expect(code(#""\udc00x""#) == .invalidEscape)
        #expect(code(#""\ud800\u0041""#) == .invalidEscape)
    }

    @Test func rejectsNestingBeyondTheLimit() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(code(deep) == .tooDeep)
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(code(ok) == nil)
        #expect(code(String(repeating: "[", count: 65) + String(repeating: "]", count: 65)) == .tooDeep)
    }

    @Test(arguments: ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "01", "1.", ".5", "+1", "1e", "0x10", "--1"])
    func rejectsNumbersThatAreNotFiniteJSON(text: String) {
        #expect(code(text) != nil)
    }

    @Test func rejectsOverlongNumberLiterals() {
        #expect(code(String(repeating: "1", count: 65)) == .invalidNumber)
        #expect(code("1" + String(repeating: "0", count: 63)) == nil)
    }

    @Test(arguments: ["", " ", "{", "[1,]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "'x'", "[1] [2]", "tru", "nul", "\"abc", "{\"a\":1}x"])
    func rejectsMalformedDocuments(text: String) {
        #expect(code(text) != nil)
    }

    @Test func rejectsRawControlCharactersInStrings() {
        #expect(code("\"a\u{01}b\"") == .controlCharacter)
        #expect(code("\"a\nb\"") == .controlCharacter)
    }

    @Test func limitsContainerSize() {
        let items = "[" + Array(repeating: "1", count: 11).joined(separator: ",") + "]"
        #expect(code(items, limits: .init(maxContainerCount: 10)) == .tooLarge)
        #expect(code(items, limits: .init(maxContainerCount: 11)) == nil)
    }

    @Test func roundTripsRandomDocumentsThroughTheWriter() throws {
        var rng = SeededGenerator(seed: 42)
        for _ in 0..<300 {
            let value = randomValue(depth: 0, rng: &rng)
            let bytes = JSONWriter.bytes(value)
            #expect(try JSONReader.parse(bytes) == value)
            #expect(try JSONReader.parse(JSONWriter.bytes(value, pretty: true)) == value)
        }
    }

    func randomValue(depth: Int, rng: inout SeededGenerator) -> JSONValue {
        switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &rng))
        case 2: return Bool.random(using: &rng) ? .int(Int.random(in: -1_000_000...1_000_000, using: &rng))
                                                : .double(Double.random(in: -1e6...1e6, using: &rng))
        case 3:
            let scalars = (0..<Int.random(in: 0..<8, using: &rng)).map { _ -> Character in
                let pool: [Character] = ["a", "\"", "\\", "\n", "\u{01}", "é", "😀", "/", " ", "\u{7f}"]
                return pool[Int.random(in: 0..<pool.count, using: &rng)]
            }
            return .string(String(scalars))
        case 4: return .array((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(depth: depth + 1, rng: &rng) })
        default:
            var o = JSONObject()
            for i in 0..<Int.random(in: 0..<4, using: &rng) { o["k\(i)"] = randomValue(depth: depth + 1, rng: &rng) }
            return .object(o)
        }
    }
}

