import Crypto
import Foundation
import Testing

/// Everything this module writes must be readable by stock OpenSSL, and its pins and
/// signatures must agree with what the `openssl` command line computes (design §4, §5).
@Suite("Interop with the openssl command line")
struct OpenSSLInteropTests {
    @Test func opensslLoadsOurPKCS8SigningKeyWithTheSamePublicKey() throws {
        let cli = try OpenSSLCommandLine()
        let key = try Ed25519SigningKey.generate()
        try cli.write("signing.pem", Data(key.pkcs8PEM.utf8))
        let check = try cli.run(["pkey", "-in", "signing.pem", "-noout", "-text"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.text.contains("ED25519 Private-Key"))
        // The DER public key ends with the 32 raw bytes.
        let der = try cli.run(["pkey", "-in", "signing.pem", "-pubout", "-outform", "der"])
        #expect(der.status == 0)
        #expect(Array(der.stdout.suffix(32)) == key.publicKey)
    }

    @Test func weLoadAKeyWrittenByOpensslGenpkey() throws {
        let cli = try OpenSSLCommandLine()
        let generated = try cli.run(["genpkey", "-algorithm", "ed25519", "-out", "theirs.pem"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let pem = try String(contentsOfFile: cli.path("theirs.pem"), encoding: .utf8)
        let key = try Ed25519SigningKey(pkcs8PEM: pem)
        let der = try cli.run(["pkey", "-in", "theirs.pem", "-pubout", "-outform", "der"])
        #expect(Array(der.stdout.suffix(32)) == key.publicKey)
    }

    @Test func refusesAnEncryptedKeyWithoutPromptingForAPassphrase() throws {
        let cli = try OpenSSLCommandLine()
        let generated = try cli.run(["genpkey", "-algorithm", "ed25519", "-aes-256-cbc", "-pass", "pass:secret", "-out", "locked.pem"])
        #expect(generated.status == 0, "\(generated.stderr)")
        let pem = try String(contentsOfFile: cli.path("locked.pem"), encoding: .utf8)
        #expect(pem.contains("ENCRYPTED PRIVATE KEY"))
        let error = #expect(throws: CryptoError.self) { try Ed25519SigningKey(pkcs8PEM: pem) }
        #expect(error?.code == .invalidSigningKey)
    }

    @Test func opensslVerifiesOurSignatureAndRejectsTamperedOnes() throws {
        let cli = try OpenSSLCommandLine()
        let key = try Ed25519SigningKey.generate()
        let message = Array("citybench/v1/head\0{\"v\":1,\"t\":\"head\",\"n\":3}".utf8)
        let signature = key.sign(message)
        try cli.write("signing.pem", Data(key.pkcs8PEM.utf8))
        #expect(try cli.run(["pkey", "-in", "signing.pem", "-pubout", "-out", "pub.pem"]).status == 0)
        try cli.write("msg", message)
        try cli.write("sig", signature)
        let verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-rawin", "-in", "msg", "-sigfile", "sig"]
        let good = try cli.run(verify)
        #expect(good.status == 0, "\(good.stderr)")
        #expect(good.text.contains("Signature Verified Successfully"))

        var badSignature = signature
        badSignature[10] ^= 0x40
        try cli.write("sig", badSignature)
        #expect(try cli.run(verify).status != 0)

        try cli.write("sig", signature)
        var badMessage = message
        badMessage[badMessage.count - 2] = UInt8(ascii: "4")
        try cli.write("msg", badMessage)
        #expect(try cli.run(verify).status != 0)
    }

    @Test func weVerifyASignatureMadeByOpenssl() throws {
        let cli = try OpenSSLCommandLine()
        #expect(try cli.run(["genpkey", "-algorithm", "ed25519", "-out", "theirs.pem"]).status == 0)
        let message = Array("request line\nPOST /v1/push\n".utf8)
        try cli.write("msg", message)
        let signed = try cli.run(["pkeyutl", "-sign", "-inkey", "theirs.pem", "-rawin", "-in", "msg"])
        #expect(signed.status == 0, "\(signed.stderr)")
        let der = try cli.run(["pkey", "-in", "theirs.pem", "-pubout", "-outform", "der"])
        let publicKey = try Ed25519PublicKey(raw: Array(der.stdout.suffix(32)))
        #expect(publicKey.isValidSignature(Array(signed.stdout), for: message))
        #expect(!publicKey.isValidSignature(Array(signed.stdout), for: message + [0]))
    }

    @Test func certificateHasTheFixedSubjectAndTheRequestedNames() throws {
        let cli = try OpenSSLCommandLine()
        let identity = try TLSIdentity.generate(TLSIdentity.Configuration(
            subjectAltNames: [.dns("localhost"), .dns("node.wolfsburg.example"), .ip("127.0.0.1"), .ip("::1"), .ip("10.1.2.3")]))
        try cli.write("cert.pem", Data(identity.certificatePEM.utf8))
        let shown = try cli.run(["x509", "-in", "cert.pem", "-noout", "-subject", "-issuer", "-ext", "subjectAltName"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.text.contains("subject=CN = citybench\n"))
        #expect(shown.text.contains("issuer=CN = citybench\n"))
        #expect(shown.text.contains("DNS:localhost, DNS:node.wolfsburg.example, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, IP Address:10.1.2.3"))
    }

    @Test func certificateIsAnECDSAP256LeafForServerAndClientAuth() throws {
        let cli = try OpenSSLCommandLine()
        let identity = try TLSIdentity.generate()
        try cli.write("cert.pem", Data(identity.certificatePEM.utf8))
        let text = try cli.run(["x509", "-in", "cert.pem", "-noout", "-text"]).text
        #expect(text.contains("Version: 3 (0x2)"))
        #expect(text.contains("Signature Algorithm: ecdsa-with-SHA256"))
        #expect(text.contains("ASN1 OID: prime256v1"))
        #expect(text.contains("X509v3 Basic Constraints: critical\n                CA:FALSE"))
        #expect(text.contains("X509v3 Key Usage: critical\n                Digital Signature\n"))
        #expect(text.contains("X509v3 Extended Key Usage: \n                TLS Web Server Authentication, TLS Web Client Authentication"))
        #expect(text.contains("DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"))
        // Self-signed: it verifies against itself, for the default names, as server and as client.
        for check in [["-purpose", "sslserver", "-verify_hostname", "localhost"],
                      ["-purpose", "sslserver", "-verify_ip", "127.0.0.1"],
                      ["-purpose", "sslserver", "-verify_ip", "::1"],
                      ["-purpose", "sslclient"]] {
            let verified = try cli.run(["verify", "-CAfile", "cert.pem"] + check + ["cert.pem"])
            #expect(verified.status == 0, "\(check): \(verified.text) \(verified.stderr)")
        }
        let wrongHost = try cli.run(["verify", "-CAfile", "cert.pem", "-verify_hostname", "braunschweig.de", "cert.pem"])
        #expect(wrongHost.status != 0)
        // The key file is PKCS#8 and matches the certificate's public key.
        try cli.write("key.pem", Data(identity.privateKeyPEM.utf8))
        let keyPublic = try cli.run(["pkey", "-in", "key.pem", "-pubout"])
        let certPublic = try cli.run(["x509", "-in", "cert.pem", "-noout", "-pubkey"])
        #expect(keyPublic.status == 0)
        #expect(keyPublic.stdout == certPublic.stdout)
    }

    @Test func serialIsRandomAndUpTo128Bits() throws {
        let cli = try OpenSSLCommandLine()
        var serials = Set<String>()
        for i in 0..<3 {
            try cli.write("cert\(i).pem", Data(try TLSIdentity.generate().certificatePEM.utf8))
            let serial = try cli.run(["x509", "-in", "cert\(i).pem", "-noout", "-serial"]).text
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(serial.hasPrefix("serial="))
            let hex = serial.dropFirst("serial=".count)
            #expect(hex.count <= 32 && hex.count >= 24)
            serials.insert(String(hex))
        }
        #expect(serials.count == 3)
    }

    @Test func validityRunsFromOneHourBeforeToTenYearsAfterGeneration() throws {
        let cli = try OpenSSLCommandLine()
        let now = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
        let identity = try TLSIdentity.generate(now: now)
        try cli.write("cert.pem", Data(identity.certificatePEM.utf8))
        let dates = try cli.run(["x509", "-in", "cert.pem", "-noout", "-startdate", "-enddate"]).text
        #expect(dates == "notBefore=Dec 31 23:00:00 2025 GMT\nnotAfter=Jan  1 00:00:00 2036 GMT\n")

        let custom = try TLSIdentity.generate(TLSIdentity.Configuration(backdate: 0, lifetimeYears: 30), now: now)
        try cli.write("custom.pem", Data(custom.certificatePEM.utf8))
        let customDates = try cli.run(["x509", "-in", "custom.pem", "-noout", "-startdate", "-enddate"]).text
        #expect(customDates == "notBefore=Jan  1 00:00:00 2026 GMT\nnotAfter=Jan  1 00:00:00 2056 GMT\n")
    }

    @Test func ourPinEqualsTheOpensslPipelineForOurCertificate() throws {
        let identity = try TLSIdentity.generate()
        #expect(try identity.spkiPin() == opensslPin(of: identity.certificatePEM))
    }

    @Test func ourPinEqualsTheOpensslPipelineForAPublicCACertificate() throws {
        // An RSA root from the system store stands in for a certificate from a public CA.
        let directory = "/etc/ssl/certs"
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".pem") }.sorted()
        let name = try #require(names.first { $0.contains("ISRG_Root_X1") } ?? names.first)
        let pem = try String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8)
        let pin = try TLSPin.spkiPin(certificatePEM: pem)
        #expect(pin.hasPrefix("sha256//"))
        #expect(pin == (try opensslPin(of: pem)))
    }

    @Test func acceptsAnExternallyIssuedRSACertificateAndKey() throws {
        // Stands in for a certificate from a public CA, configured by path in node.json.
        let cli = try OpenSSLCommandLine()
        let made = try cli.run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-out", "cert.pem",
                                "-subj", "/CN=node.example", "-days", "30"])
        #expect(made.status == 0, "\(made.stderr)")
        let certificatePEM = try String(contentsOfFile: cli.path("cert.pem"), encoding: .utf8)
        let keyPEM = try String(contentsOfFile: cli.path("key.pem"), encoding: .utf8)
        let identity = try TLSIdentity(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
        #expect(try identity.spkiPin() == opensslPin(of: certificatePEM))
        let mismatched = #expect(throws: CryptoError.self) {
            try TLSIdentity(certificatePEM: certificatePEM, privateKeyPEM: try TLSIdentity.generate().privateKeyPEM)
        }
        #expect(mismatched?.code == .invalidTLSKey)
    }

    @Test func pinOfAChainIsThePinOfItsFirstCertificate() throws {
        let leaf = try TLSIdentity.generate()
        let other = try TLSIdentity.generate()
        let chain = leaf.certificatePEM + other.certificatePEM
        #expect(try TLSPin.spkiPin(certificatePEM: chain) == leaf.spkiPin())
    }

    @Test func pinRejectsTextThatIsNotACertificate() throws {
        let key = try Ed25519SigningKey.generate()
        for text in ["", "hello", key.pkcs8PEM] {
            let error = #expect(throws: CryptoError.self) { try TLSPin.spkiPin(certificatePEM: text) }
            #expect(error?.code == .invalidCertificate)
        }
    }

    /// `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
    /// one stage at a time.
    private func opensslPin(of certificatePEM: String) throws -> String {
        let cli = try OpenSSLCommandLine()
        let publicKey = try cli.run(["x509", "-pubkey", "-noout"], input: Data(certificatePEM.utf8))
        #expect(publicKey.status == 0, "\(publicKey.stderr)")
        let der = try cli.run(["pkey", "-pubin", "-outform", "der"], input: publicKey.stdout)
        let digest = try cli.run(["dgst", "-sha256", "-binary"], input: der.stdout)
        #expect(digest.stdout.count == 32)
        let base64 = try cli.run(["base64"], input: digest.stdout)
        return "sha256//" + base64.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
