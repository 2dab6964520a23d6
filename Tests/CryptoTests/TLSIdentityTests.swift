import Crypto
import Foundation
import Testing

@Suite("TLS identity")
struct TLSIdentityTests {
    @Test func generatesPEMCertificateAndPKCS8Key() throws {
        let identity = try TLSIdentity.generate()
        #expect(identity.certificatePEM.hasPrefix("-----BEGIN CERTIFICATE-----\n"))
        #expect(identity.privateKeyPEM.hasPrefix("-----BEGIN PRIVATE KEY-----\n"))
        // The pair is consistent: re-wrapping checks the key against the certificate.
        let reloaded = try TLSIdentity(certificatePEM: identity.certificatePEM, privateKeyPEM: identity.privateKeyPEM)
        #expect(reloaded == identity)
    }

    @Test func rejectsAKeyThatBelongsToAnotherCertificate() throws {
        let a = try TLSIdentity.generate()
        let b = try TLSIdentity.generate()
        let error = #expect(throws: CryptoError.self) {
            try TLSIdentity(certificatePEM: a.certificatePEM, privateKeyPEM: b.privateKeyPEM)
        }
        #expect(error?.code == .invalidTLSKey)
    }

    @Test func rejectsGarbageCertificatesAndKeys() throws {
        let identity = try TLSIdentity.generate()
        let certificateError = #expect(throws: CryptoError.self) {
            try TLSIdentity(certificatePEM: "not a certificate", privateKeyPEM: identity.privateKeyPEM)
        }
        #expect(certificateError?.code == .invalidCertificate)
        let keyError = #expect(throws: CryptoError.self) {
            try TLSIdentity(certificatePEM: identity.certificatePEM, privateKeyPEM: "")
        }
        #expect(keyError?.code == .invalidTLSKey)
    }

    @Test func freshIdentitiesHaveDifferentKeysAndPins() throws {
        let a = try TLSIdentity.generate()
        let b = try TLSIdentity.generate()
        #expect(a.privateKeyPEM != b.privateKeyPEM)
        #expect(try a.spkiPin() != b.spkiPin())
    }

    @Test(arguments: [
        TLSIdentity.SubjectAltName.dns(""), .dns("bad name"), .dns("a,DNS:evil.example"), .dns("-x.example"),
        .dns("x..example"), .dns(String(repeating: "a", count: 64) + ".example"), .ip("256.1.1.1"), .ip("localhost"),
        .ip("1.2.3.4,IP:5.6.7.8"),
    ])
    func rejectsInvalidSubjectAltNames(_ name: TLSIdentity.SubjectAltName) {
        let error = #expect(throws: CryptoError.self) {
            try TLSIdentity.generate(TLSIdentity.Configuration(subjectAltNames: [name]))
        }
        #expect(error?.code == .invalidSubjectAltName)
    }

    @Test func rejectsAnEmptySubjectAltNameList() {
        let error = #expect(throws: CryptoError.self) {
            try TLSIdentity.generate(TLSIdentity.Configuration(subjectAltNames: []))
        }
        #expect(error?.code == .invalidSubjectAltName)
    }

    @Test func rejectsANegativeBackdateOrAnEmptyLifetime() {
        let negative = #expect(throws: CryptoError.self) {
            try TLSIdentity.generate(TLSIdentity.Configuration(backdate: -1))
        }
        #expect(negative?.code == .invalidValidity)
        let empty = #expect(throws: CryptoError.self) {
            try TLSIdentity.generate(TLSIdentity.Configuration(lifetimeYears: 0))
        }
        #expect(empty?.code == .invalidValidity)
    }

    @Test func printingOrDumpingNeverRevealsPrivateKeys() throws {
        let identity = try TLSIdentity.generate()
        let signingKey = try Ed25519SigningKey.generate()
        let tlsSecret = String(identity.privateKeyPEM.split(separator: "\n")[2].prefix(24))
        let signingSecret = String(signingKey.pkcs8PEM.split(separator: "\n")[1].suffix(24))
        var dumped = ""
        dump(identity, to: &dumped)
        dump(signingKey, to: &dumped)
        for text in [String(describing: identity), String(reflecting: identity), "\(identity)", dumped,
                     String(describing: signingKey), String(reflecting: signingKey)] {
            #expect(!text.contains(tlsSecret))
            #expect(!text.contains(signingSecret))
        }
        #expect(String(describing: signingKey).contains(signingKey.verifier.keyID))
    }
}
