import Foundation

// TEMPORARY until the Crypto module lands: key material made with the openssl command line.
// Replaced by calls into Crypto (Ed25519SigningKey, TLSIdentity, TLSPin, SHA256, SecureRandom).

/// The secrets `init` writes under `keys/`.
struct GeneratedKeys {
    var signingKeyPEM: String
    var publicKey: [UInt8]
    var tlsCertificatePEM: String
    var tlsKeyPEM: String
    var hmacSecret: [UInt8]
}

/// Key generation and the identity values derived from keys.
enum NodeKeys {
    /// Bytes of the HMAC secret for project pseudonyms.
    static let hmacSecretBytes = 32

    private static func openssl(_ args: [String], input: [UInt8] = []) throws(NodeError) -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        let inPipe = Pipe(), outPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { throw NodeError(.crypto, "could not run openssl") }
        inPipe.fileHandleForWriting.write(Data(input))
        try? inPipe.fileHandleForWriting.close()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw NodeError(.crypto, "openssl \(args.first ?? "") failed") }
        return Array(out)
    }

    static func generate(subjectAltNames: [String]) throws(NodeError) -> GeneratedKeys {
        let signing = String(decoding: try openssl(["genpkey", "-algorithm", "ed25519"]), as: UTF8.self)
        let tlsKey = String(decoding: try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]), as: UTF8.self)
        let dir = NSTemporaryDirectory() + "/cbkeys-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/k.pem", contents: Data(tlsKey.utf8))
        let san = subjectAltNames.map { $0.first!.isNumber || $0.contains(":") ? "IP:\($0)" : "DNS:\($0)" }.joined(separator: ",")
        let cert = String(decoding: try openssl(["req", "-x509", "-key", dir + "/k.pem", "-subj", "/CN=citybench", "-days", "3650",
                                                 "-addext", "subjectAltName=\(san)"]), as: UTF8.self)
        return GeneratedKeys(signingKeyPEM: signing, publicKey: try publicKey(signingKeyPEM: signing), tlsCertificatePEM: cert,
                             tlsKeyPEM: tlsKey, hmacSecret: try openssl(["rand", String(hmacSecretBytes)]))
    }

    static func publicKey(signingKeyPEM: String) throws(NodeError) -> [UInt8] {
        let der = try openssl(["pkey", "-pubout", "-outform", "DER"], input: Array(signingKeyPEM.utf8))
        return Array(der.suffix(32))
    }

    static func sha256(_ bytes: [UInt8]) throws(NodeError) -> [UInt8] {
        try openssl(["dgst", "-sha256", "-binary"], input: bytes)
    }

    static func tlsPin(certificatePEM: String) throws(NodeError) -> String {
        let pub = try openssl(["x509", "-pubkey", "-noout"], input: Array(certificatePEM.utf8))
        let der = try openssl(["pkey", "-pubin", "-outform", "DER"], input: pub)
        return "sha256//" + Data(try sha256(der)).base64EncodedString()
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
}
