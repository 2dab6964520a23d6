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
        }
    }
}
