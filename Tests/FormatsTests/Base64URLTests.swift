import Foundation
import Testing
import TestSupport
@testable import Formats

@Suite struct Base64URLTests {
    @Test func encodesRFC4648VectorsWithoutPadding() {
        let vectors = ["": "", "f": "Zg", "fo": "Zm8", "foo": "Zm9v", "foob": "Zm9vYg", "fooba": "Zm9vYmE", "foobar": "Zm9vYmFy"]
        for (plain, encoded) in vectors {
            #expect(Base64URL.encode(Array(plain.utf8)) == encoded)
            #expect(Base64URL.decode(encoded) == Array(plain.utf8))
        }
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
    }

    @Test(arguments: ["Zg==", "Zm9v YmFy", "Z", "Zm+v", "Zm/v", "Zh", "Zm9"])
    func rejectsNonCanonicalText(text: String) {
        // Padding, whitespace, the standard alphabet, impossible lengths and non-zero spare bits.
        #expect(Base64URL.decode(text) == nil)
    }

    @Test func roundTripsRandomBytes() {
        var rng = SeededGenerator(seed: 7)
        for n in 0..<100 {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            // An independent reference: Foundation's base64 with the URL alphabet and no padding.
            let reference = Data(bytes).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            #expect(Base64URL.encode(bytes) == reference)
            #expect(Base64URL.encode(bytes[...]) == reference)
        }
    }

    @Test func decodesOnlyCanonicalTextsAndTheirBytesExactly() {
        // Every decodable text is the one encoding of its bytes, and every encoding decodes:
        // checked over random texts from the alphabet plus characters that must be refused.
        let characters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/ ".utf8)
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<5_000 {
            let length = Int.random(in: 0...12, using: &rng)
            let text = String(decoding: (0..<length).map { _ in characters.randomElement(using: &rng)! }, as: UTF8.self)
            if let bytes = Base64URL.decode(text) {
                #expect(Base64URL.encode(bytes) == text)
            } else {
                #expect(!text.isEmpty)
            }
        }
    }

    @Test func decodesASubstringLikeItsString() {
        let text = "xxZm9vYmFyxx"
        let inner = text.dropFirst(2).dropLast(2)
        #expect(Base64URL.decode(inner) == Array("foobar".utf8))
    }
}
