import Crypto
import Testing

/// RFC 4231 §4 test cases for HMAC-SHA-256.
@Suite("HMAC-SHA256")
struct HMACSHA256Tests {
    struct Case: Sendable, CustomTestStringConvertible {
        let number: Int
        let key: [UInt8]
        let data: [UInt8]
        let tag: String
        var testDescription: String { "RFC 4231 test case \(number)" }
    }

    static let largeKey = [UInt8](repeating: 0xaa, count: 131)

    static let rfc4231: [Case] = [
        Case(number: 1, key: [UInt8](repeating: 0x0b, count: 20), data: Array("Hi There".utf8),
             tag: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        Case(number: 2, key: Array("Jefe".utf8), data: Array("what do ya want for nothing?".utf8),
             tag: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        Case(number: 3, key: [UInt8](repeating: 0xaa, count: 20), data: [UInt8](repeating: 0xdd, count: 50),
             tag: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        Case(number: 4, key: Array(1...25), data: [UInt8](repeating: 0xcd, count: 50),
             tag: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        // Case 5 is specified truncated to 128 bits.
        Case(number: 5, key: [UInt8](repeating: 0x0c, count: 20), data: Array("Test With Truncation".utf8),
             tag: "a3b6167473100ee06e0c796c2955552b"),
        Case(number: 6, key: largeKey, data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
             tag: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        Case(number: 7, key: largeKey,
             data: Array(("This is a test using a larger than block-size key and a larger than block-size data. "
                          + "The key needs to be hashed before being used by the HMAC algorithm.").utf8),
             tag: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test(arguments: rfc4231)
    func matchesRFC4231(_ testCase: Case) {
        let tag = HMACSHA256.authenticate(key: testCase.key, message: testCase.data)
        #expect(tag.count == 32)
        #expect(tag.prefix(testCase.tag.count / 2).hexString == testCase.tag)
    }

    @Test func acceptsAnEmptyKeyAndMessage() {
        #expect(HMACSHA256.authenticate(key: [UInt8](), message: [UInt8]()).hexString
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad")
    }

    @Test func differentKeysGiveDifferentPseudonyms() {
        let message = Array("project-42".utf8)
        #expect(HMACSHA256.authenticate(key: [1, 2, 3], message: message)
                != HMACSHA256.authenticate(key: [1, 2, 4], message: message))
    }
}
