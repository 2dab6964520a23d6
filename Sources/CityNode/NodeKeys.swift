import Crypto
import Foundation

/// The secrets `init` writes under `keys/`.
struct GeneratedKeys {
    var signingKeyPEM: String
    var publicKey: [UInt8]
    var tlsCertificatePEM: String
    var tlsKeyPEM: String
    var hmacSecret: [UInt8]
}

/// Key generation and the identity values derived from keys, through the Crypto module.
enum NodeKeys {
    /// Bytes of the HMAC secret for project pseudonyms.
    static let hmacSecretBytes = 32

    /// A fresh Ed25519 signing key, a self-signed P-256 certificate (`CN=citybench`) valid for
    /// the loopback names plus `hosts`, and a random HMAC secret.
    static func generate(hosts: [String]) throws(NodeError) -> GeneratedKeys {
        do {
            let signing = try Ed25519SigningKey.generate()
            var names = TLSIdentity.Configuration.defaultSubjectAltNames
            for host in hosts {
                let name: TLSIdentity.SubjectAltName = host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? .ip(host) : .dns(host)
                if !names.contains(name) { names.append(name) }
            }
            let tls = try TLSIdentity.generate(TLSIdentity.Configuration(subjectAltNames: names))
            return GeneratedKeys(signingKeyPEM: signing.pkcs8PEM, publicKey: signing.publicKey, tlsCertificatePEM: tls.certificatePEM,
                                 tlsKeyPEM: tls.privateKeyPEM, hmacSecret: try SecureRandom.bytes(hmacSecretBytes))
        } catch {
            throw NodeError(.crypto, "could not generate the node's keys: \(error.message)")
        }
    }

    /// The origin id: lowercase hex of the first 16 bytes of SHA-256 of the raw public key.
    static func origin(publicKey: [UInt8]) -> String { Array(SHA256.hash(publicKey).prefix(16)).hexString }

    /// `sha256//` + base64 SHA-256 of the certificate's SubjectPublicKeyInfo.
    static func tlsPin(certificatePEM: String) throws(NodeError) -> String {
        do { return try TLSPin.spkiPin(certificatePEM: certificatePEM) } catch {
            throw NodeError(.invalidKeys, "the TLS certificate cannot be read: \(error.message)")
        }
    }
}

extension NodeRandomness {
    /// The operating system's CSPRNG through OpenSSL (SecureRandom).
    public static let system = NodeRandomness(laplace: { try SecureRandom.laplace() }, bytes: { try SecureRandom.bytes($0) })
}
