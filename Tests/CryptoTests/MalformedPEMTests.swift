import Crypto
import Foundation
import Testing
import TestSupport

/// Key and certificate files come from disk and operators; damaged ones must be refused with a
/// CryptoError, never crash the node or be half-read. Mutations are seeded so failures replay.
@Suite("Malformed PEM input")
struct MalformedPEMTests {
    /// Returns `pem` damaged in one of three ways: a flipped base64 character, a truncation, or
    /// random bytes spliced in.
    static func damage(_ pem: String, with random: inout SeededGenerator) -> String {
        var bytes = Array(pem.utf8)
        let position = Int(random.next() % UInt64(bytes.count))
        switch random.next() % 3 {
        case 0:
            let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-".utf8)
            bytes[position] = alphabet[Int(random.next() % UInt64(alphabet.count))]
        case 1:
            bytes = Array(bytes.prefix(position))
        default:
            let noise = (0..<Int(random.next() % 8 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            bytes.insert(contentsOf: noise, at: position)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func damagedSigningKeysAreRefusedOrLoadIntact() throws {
        let key = try Ed25519SigningKey.generate()
        let pem = key.pkcs8PEM
        var random = SeededGenerator(seed: 0xBAD_FEED)
        var refused = 0
        for _ in 0..<400 {
            let damaged = Self.damage(pem, with: &random)
            do {
                let loaded = try Ed25519SigningKey(pkcs8PEM: damaged)
                // Whatever loads must be a working key (a flipped secret bit gives another valid key).
                #expect(loaded.verifier.isValidSignature(loaded.sign([1]), for: [1]))
            } catch {
                #expect(error.code == .invalidSigningKey)
                refused += 1
            }
        }
        #expect(refused > 100)
    }

    @Test func damagedCertificatesAreRefusedOrPinnedConsistently() throws {
        let identity = try TLSIdentity.generate()
        var random = SeededGenerator(seed: 0xCE27_0001)
        var refused = 0
        for _ in 0..<400 {
            let damaged = Self.damage(identity.certificatePEM, with: &random)
            do {
                let pin = try TLSPin.spkiPin(certificatePEM: damaged)
                #expect(pin.hasPrefix(TLSPin.prefix) && pin.count == TLSPin.prefix.count + 44)
            } catch {
                #expect(error.code == .invalidCertificate)
                refused += 1
            }
        }
        #expect(refused > 100)
    }
}
