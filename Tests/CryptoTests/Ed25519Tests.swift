import Crypto
import Foundation
import Testing

@Suite("Ed25519")
struct Ed25519Tests {
    @Test(arguments: RFC8032Vectors.all)
    func derivesThePublicKeyAndSignatureOfRFC8032(_ vector: RFC8032Vectors.Vector) throws {
        let key = try Ed25519SigningKey(rawPrivateKey: try #require([UInt8](hexString: vector.secretKey)))
        let message = try #require([UInt8](hexString: vector.message))
        #expect(key.publicKey.hexString == vector.publicKey)
        #expect(key.sign(message).hexString == vector.signature)
    }

    @Test(arguments: RFC8032Vectors.all)
    func verifiesTheSignatureOfRFC8032(_ vector: RFC8032Vectors.Vector) throws {
        let publicKey = try Ed25519PublicKey(raw: try #require([UInt8](hexString: vector.publicKey)))
        let message = try #require([UInt8](hexString: vector.message))
        let signature = try #require([UInt8](hexString: vector.signature))
        #expect(publicKey.isValidSignature(signature, for: message))
    }

    @Test func rejectsASignatureWithAnyFlippedBit() throws {
        let key = try Ed25519SigningKey.generate()
        let message = Array("citybench/v1/record\0{\"v\":1}".utf8)
        let signature = key.sign(message)
        let verifier = key.verifier
        #expect(verifier.isValidSignature(signature, for: message))
        for bit in stride(from: 0, to: signature.count * 8, by: 7) {
            var tampered = signature
            tampered[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(!verifier.isValidSignature(tampered, for: message), "bit \(bit) flipped still verifies")
        }
    }

    @Test func rejectsATamperedMessage() throws {
        let key = try Ed25519SigningKey.generate()
        var message = Array("{\"n\":7,\"sub\":\"kpi/2024\"}".utf8)
        let signature = key.sign(message)
        message[5] = UInt8(ascii: "8")
        #expect(!key.verifier.isValidSignature(signature, for: message))
    }

    @Test func rejectsASignatureFromAnotherKey() throws {
        let signer = try Ed25519SigningKey.generate()
        let other = try Ed25519SigningKey.generate()
        let message = Array("head".utf8)
        #expect(!other.verifier.isValidSignature(signer.sign(message), for: message))
    }

    @Test func rejectsSignaturesOfTheWrongLength() throws {
        let key = try Ed25519SigningKey.generate()
        let message = Array("x".utf8)
        let signature = key.sign(message)
        #expect(!key.verifier.isValidSignature(Array(signature.dropLast()), for: message))
        #expect(!key.verifier.isValidSignature(signature + [0], for: message))
        #expect(!key.verifier.isValidSignature([], for: message))
    }

    @Test func rejectsANonCanonicalSignatureScalar() throws {
        // S + L (the group order) is a second encoding of the same scalar; RFC 8032 §5.1.7 requires rejecting it.
        let vector = RFC8032Vectors.all[1]
        let publicKey = try Ed25519PublicKey(raw: try #require([UInt8](hexString: vector.publicKey)))
        let message = try #require([UInt8](hexString: vector.message))
        var signature = try #require([UInt8](hexString: vector.signature))
        let order: [UInt8] = try #require([UInt8](hexString: "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010"))
        var carry = 0
        for i in 0..<32 {
            let sum = Int(signature[32 + i]) + Int(order[i]) + carry
            signature[32 + i] = UInt8(sum & 0xff)
            carry = sum >> 8
        }
        #expect(carry == 0)
        #expect(!publicKey.isValidSignature(signature, for: message))
    }

    @Test func signsAndVerifiesTheEmptyMessage() throws {
        let key = try Ed25519SigningKey.generate()
        let signature = key.sign([])
        #expect(signature.count == 64)
        #expect(key.verifier.isValidSignature(signature, for: []))
        #expect(!key.verifier.isValidSignature(signature, for: [0]))
    }

    @Test func generatedKeysDiffer() throws {
        let a = try Ed25519SigningKey.generate()
        let b = try Ed25519SigningKey.generate()
        #expect(a.publicKey.count == 32)
        #expect(a.publicKey != b.publicKey)
    }

    @Test func pkcs8PEMRoundTripsToTheSameKey() throws {
        let key = try Ed25519SigningKey.generate()
        let pem = key.pkcs8PEM
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        #expect(pem.hasSuffix("-----END PRIVATE KEY-----\n"))
        let loaded = try Ed25519SigningKey(pkcs8PEM: pem)
        #expect(loaded.publicKey == key.publicKey)
        let message = Array("same key".utf8)
        #expect(loaded.sign(message) == key.sign(message))  // Ed25519 signatures are deterministic
    }

    @Test func rejectsPublicKeysOfTheWrongLength() {
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(raw: [UInt8](repeating: 1, count: 31)) }
        #expect(throws: CryptoError.self) { try Ed25519PublicKey(raw: [UInt8](repeating: 1, count: 33)) }
        let error = #expect(throws: CryptoError.self) { try Ed25519PublicKey(raw: []) }
        #expect(error?.code == .invalidPublicKey)
    }

    @Test func rejectsRawPrivateKeysOfTheWrongLength() {
        let error = #expect(throws: CryptoError.self) { try Ed25519SigningKey(rawPrivateKey: [UInt8](repeating: 7, count: 64)) }
        #expect(error?.code == .invalidSigningKey)
    }

    @Test func rejectsGarbageInsteadOfAPEMKey() {
        for text in ["", "hello", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"] {
            let error = #expect(throws: CryptoError.self) { try Ed25519SigningKey(pkcs8PEM: text) }
            #expect(error?.code == .invalidSigningKey)
        }
    }

    @Test func rejectsAPEMKeyOfAnotherAlgorithm() throws {
        let tls = try TLSIdentity.generate()
        let error = #expect(throws: CryptoError.self) { try Ed25519SigningKey(pkcs8PEM: tls.privateKeyPEM) }
        #expect(error?.code == .invalidSigningKey)
        #expect(error?.message.contains("not an Ed25519 key") == true)
    }

    @Test func errorMessagesNeverContainTheKeyText() throws {
        let pem = try Ed25519SigningKey.generate().pkcs8PEM
        let body = pem.split(separator: "\n")[1]
        let broken = pem.replacingOccurrences(of: String(body.prefix(8)), with: "!!!!!!!!")
        let error = #expect(throws: CryptoError.self) { try Ed25519SigningKey(pkcs8PEM: broken) }
        #expect(error?.message.contains(String(body.suffix(16))) == false)
    }

    @Test func oneVerifierIsCorrectWhenSharedByManyThreads() async throws {
        let key = try Ed25519SigningKey.generate()
        let verifier = key.verifier
        let messages = (0..<32).map { Array("record \($0)".utf8) }
        let signatures = messages.map { key.sign($0) }
        let outcomes = await withTaskGroup(of: (valid: Int, forged: Int).self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var valid = 0, forged = 0
                    for round in 0..<100 {
                        let i = (worker + round) % messages.count
                        if verifier.isValidSignature(signatures[i], for: messages[i]) { valid += 1 }
                        // A signature of another message must fail even while other threads verify.
                        if verifier.isValidSignature(signatures[(i + 1) % messages.count], for: messages[i]) { forged += 1 }
                    }
                    return (valid, forged)
                }
            }
            return await group.reduce(into: [(valid: Int, forged: Int)]()) { $0.append($1) }
        }
        #expect(outcomes.map(\.valid) == [100, 100, 100, 100])
        #expect(outcomes.map(\.forged) == [0, 0, 0, 0])
    }

    @Test func oneSigningKeyIsCorrectWhenSharedByManyThreads() async throws {
        let key = try Ed25519SigningKey.generate()
        let messages = (0..<16).map { Array("head \($0)".utf8) }
        let expected = messages.map { key.sign($0) }
        let mismatches = await withTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    var mismatches = 0
                    for round in 0..<50 {
                        let i = (worker * 3 + round) % messages.count
                        if key.sign(messages[i]) != expected[i] { mismatches += 1 }
                    }
                    return mismatches
                }
            }
            return await group.reduce(0, +)
        }
        #expect(mismatches == 0)
    }

    @Test func loadsAPEMKeyWithWindowsLineEndings() throws {
        let key = try Ed25519SigningKey.generate()
        let crlf = key.pkcs8PEM.replacingOccurrences(of: "\n", with: "\r\n")
        #expect(try Ed25519SigningKey(pkcs8PEM: crlf).publicKey == key.publicKey)
    }

    @Test func originIDAndKeyIDAreHexPrefixesOfTheKeysSHA256() throws {
        // Expected values from `xxd -r -p | openssl dgst -sha256` of RFC 8032 TEST 1's public key.
        let raw = try #require([UInt8](hexString: RFC8032Vectors.all[0].publicKey))
        let key = try Ed25519PublicKey(raw: raw)
        #expect(key.originID == "21fe31dfa154a261626bf854046fd227")
        #expect(key.keyID == "21fe31dfa154a261")
        #expect(Ed25519PublicKey.originID(raw: raw) == key.originID)
        #expect(Ed25519PublicKey.keyID(raw: raw) == key.keyID)
    }
}
