import Crypto
import Foundation
import Testing
import TestSupport

@Suite("SHA-256")
struct SHA256Tests {
    @Test func hashesTheEmptyMessageToTheFIPSValue() {
        #expect(SHA256.hash([UInt8]()).hexString == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func hashesAbcToTheFIPSValue() {
        #expect(SHA256.hash(Array("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(utf8: "abc").hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(Data("abc".utf8)).hexString == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func integerArrayLiteralsAreHashedAsBytes() {
        // A literal must infer [UInt8], not [Int] (which would hash 8 bytes per element).
        #expect(SHA256.hash([0x61, 0x62, 0x63]) == SHA256.hash(utf8: "abc"))
        #expect(HMACSHA256.authenticate(key: [0x4a, 0x65, 0x66, 0x65], message: Array("what do ya want for nothing?".utf8)).hexString
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func hashesThe448BitNISTMessage() {
        let message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(SHA256.hash(utf8: message).hexString == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func hashesOneMillionAsIncrementally() {
        let hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.finalize().hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalHashOfAnySplitEqualsOneShotHash() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        for _ in 0..<200 {
            let message = (0..<Int(random.next() % 700)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let hasher = SHA256()
            var rest = message[...]
            while !rest.isEmpty {
                let take = Int(random.next() % UInt64(rest.count + 1))
                hasher.update(Array(rest.prefix(take)))
                rest = rest.dropFirst(take)
            }
            #expect(hasher.finalize() == SHA256.hash(message))
        }
    }

    @Test func finalizeResetsTheHasherForTheNextMessage() {
        let hasher = SHA256()
        hasher.update(utf8: "first message")
        _ = hasher.finalize()
        hasher.update(utf8: "abc")
        #expect(hasher.finalize() == SHA256.hash(utf8: "abc"))
        #expect(hasher.finalize() == SHA256.hash([UInt8]()))
    }

    @Test func oneShotHashingFromManyThreadsGivesTheSameDigests() async {
        let messages = (0..<64).map { Array("message \($0)".utf8) }
        let expected = messages.map { SHA256.hash($0) }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for worker in 0..<8 {
                group.addTask {
                    var ok = true
                    for round in 0..<500 {
                        let index = (worker * 7 + round) % messages.count
                        ok = ok && SHA256.hash(messages[index]) == expected[index]
                    }
                    return (worker, ok)
                }
            }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == 8)
        #expect(results.values.allSatisfy { $0 })
    }
}

