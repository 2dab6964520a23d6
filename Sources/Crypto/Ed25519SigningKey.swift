import COpenSSL
import Foundation

/// An Ed25519 private key (RFC 8032) held in an OpenSSL `EVP_PKEY`: signs records, heads, key
/// records and request authorisations (design §4, §5).
///
/// Thread-safe: the key is never modified after init and every `sign` uses its own `EVP_MD_CTX`.
// @unchecked Sendable: `key` is immutable after init and OpenSSL allows concurrent read-only use of an EVP_PKEY.
public final class Ed25519SigningKey: @unchecked Sendable {
    /// Length of an Ed25519 signature in bytes.
    public static let signatureCount = 64
    /// Length of a raw Ed25519 private key (the RFC 8032 secret seed) in bytes.
    public static let privateKeyCount = 32

    private let key: OpaquePointer

    /// The 32-byte raw public key, as carried in key records and peer descriptors.
    public let publicKey: [UInt8]

    /// Takes ownership of an Ed25519 `EVP_PKEY`.
    private init(owning key: OpaquePointer) {
        self.key = key
        self.publicKey = Ed25519PublicKey.rawPublicKey(of: key)
    }

    deinit { EVP_PKEY_free(key) }

    /// A fresh key from OpenSSL's CSPRNG (`EVP_PKEY_CTX_new_from_name`, `EVP_PKEY_generate`).
    public static func generate() throws(CryptoError) -> Ed25519SigningKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "ED25519", nil) else {
            throw CryptoError(.generationFailed, "could not create an Ed25519 key (\(OpenSSLErrorQueue.drain()))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1, EVP_PKEY_generate(context, &generated) == 1, let key = generated else {
            throw CryptoError(.generationFailed, "could not create an Ed25519 key (\(OpenSSLErrorQueue.drain()))")
        }
        return Ed25519SigningKey(owning: key)
    }

    /// Loads the key from its 32-byte RFC 8032 secret (`EVP_PKEY_new_raw_private_key`).
    public convenience init(rawPrivateKey: [UInt8]) throws(CryptoError) {
        guard rawPrivateKey.count == Self.privateKeyCount else {
            throw CryptoError(.invalidSigningKey,
                              "an Ed25519 private key must be \(Self.privateKeyCount) bytes, not \(rawPrivateKey.count)")
        }
        guard let key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nil, rawPrivateKey, rawPrivateKey.count) else {
            throw CryptoError(.invalidSigningKey, "the Ed25519 private key was rejected (\(OpenSSLErrorQueue.drain()))")
        }
        self.init(owning: key)
    }

    /// Loads an unencrypted PKCS#8 PEM key (`-----BEGIN PRIVATE KEY-----`, as written by
    /// `openssl genpkey -algorithm ed25519`) through `PEM_read_bio_PrivateKey`. Encrypted keys and
    /// keys of other algorithms are refused; OpenSSL never prompts for a passphrase.
    public convenience init(pkcs8PEM: String) throws(CryptoError) {
        let key = PEMBuffer.read(pkcs8PEM) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)  // refuse passphrases, never prompt
        }
        guard let key else {
            throw CryptoError(.invalidSigningKey,
                              "the signing key is not an unencrypted PKCS#8 PEM private key (\(OpenSSLErrorQueue.drain()))")
        }
        guard EVP_PKEY_is_a(key, "ED25519") == 1 else {
            EVP_PKEY_free(key)
            throw CryptoError(.invalidSigningKey, "the signing key is not an Ed25519 key")
        }
        self.init(owning: key)
    }

    /// The key as unencrypted PKCS#8 PEM (`PEM_write_bio_PKCS8PrivateKey`), the format of
    /// `keys/signing.pem`. Store it with mode 0600.
    public var pkcs8PEM: String {
        guard let pem = PEMBuffer.write({ bio in PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil) }) else {
            fatalError("PEM_write_bio_PKCS8PrivateKey(Ed25519) failed: \(OpenSSLErrorQueue.drain())")
        }
        return pem
    }

    /// The 64-byte Ed25519 signature of `message` (one-shot `EVP_DigestSign`; Ed25519 hashes the
    /// message itself, so no digest is named).
    public func sign(_ message: [UInt8]) -> [UInt8] {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestSignInit(context, nil, nil, nil, key) == 1 else {
            fatalError("EVP_DigestSignInit(Ed25519) failed: \(OpenSSLErrorQueue.drain())")
        }
        return [UInt8](unsafeUninitializedCapacity: Self.signatureCount) { buffer, initialized in
            var length = Self.signatureCount
            // An empty array may have no base address; hand OpenSSL a valid pointer regardless.
            var empty: UInt8 = 0
            let signed = message.isEmpty
                ? EVP_DigestSign(context, buffer.baseAddress, &length, &empty, 0)
                : message.withUnsafeBufferPointer { bytes in
                    EVP_DigestSign(context, buffer.baseAddress, &length, bytes.baseAddress, bytes.count)
                }
            guard signed == 1, length == Self.signatureCount else {
                fatalError("EVP_DigestSign(Ed25519) failed: \(OpenSSLErrorQueue.drain())")
            }
            initialized = Self.signatureCount
        }
    }

    /// A verifier for this key's signatures.
    public var verifier: Ed25519PublicKey {
        // The raw bytes come from a valid key, so re-importing them cannot fail.
        try! Ed25519PublicKey(raw: publicKey)
    }
}
