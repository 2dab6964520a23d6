import COpenSSL

/// An Ed25519 public key (RFC 8032), imported once into an OpenSSL `EVP_PKEY`
/// (`EVP_PKEY_new_raw_public_key`) and reused for any number of verifications.
///
/// Thread-safe: several threads may verify with one instance at the same time. The `EVP_PKEY`
/// is never modified after init (a provider-native key, so OpenSSL keeps no lazily filled
/// cache on it), and every verification creates its own `EVP_MD_CTX`.
// @unchecked Sendable: `key` is immutable after init and OpenSSL allows concurrent read-only use of an EVP_PKEY.
public final class Ed25519PublicKey: @unchecked Sendable {
    /// Length of a raw Ed25519 public key in bytes.
    public static let rawCount = 32
    /// Bytes of SHA-256(first public key) that form an origin id (design §4).
    public static let originIDByteCount = 16
    /// Bytes of SHA-256(public key) that form a key id, `kid` (design §4).
    public static let keyIDByteCount = 8

    private let key: OpaquePointer

    /// The 32 raw public-key bytes.
    public let raw: [UInt8]

    /// Imports 32 raw bytes. A string of the right length that is not a curve point is accepted
    /// here and simply never verifies a signature.
    public init(raw: [UInt8]) throws(CryptoError) {
        guard raw.count == Self.rawCount else {
            throw CryptoError(.invalidPublicKey, "an Ed25519 public key must be \(Self.rawCount) bytes, not \(raw.count)")
        }
        guard let key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nil, raw, raw.count) else {
            throw CryptoError(.invalidPublicKey, "the Ed25519 public key was rejected (\(OpenSSLErrorQueue.drain()))")
        }
        self.key = key
        self.raw = raw
    }

    deinit { EVP_PKEY_free(key) }

    /// Whether `signature` is a valid Ed25519 signature of `message` under this key
    /// (`EVP_DigestVerifyInit`, one-shot `EVP_DigestVerify`). Malformed or wrong-length
    /// signatures are simply invalid; OpenSSL's error queue is left empty either way.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        guard signature.count == Ed25519SigningKey.signatureCount else { return false }
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        defer { EVP_MD_CTX_free(context) }
        guard EVP_DigestVerifyInit(context, nil, nil, nil, key) == 1 else {
            OpenSSLErrorQueue.clear()
            return false
        }
        // An empty array may have no base address; hand OpenSSL a valid pointer regardless.
        var empty: UInt8 = 0
        let verified = message.isEmpty
            ? EVP_DigestVerify(context, signature, signature.count, &empty, 0)
            : message.withUnsafeBufferPointer { bytes in
                EVP_DigestVerify(context, signature, signature.count, bytes.baseAddress, bytes.count)
            }
        if verified != 1 { OpenSSLErrorQueue.clear() }
        return verified == 1
    }

    /// This key's id, `kid`: hex of the first 8 bytes of SHA-256 of the raw key.
    public var keyID: String { Self.keyID(raw: raw) }

    /// The origin id this key founds when it is an origin's first key: hex of the first 16
    /// bytes of SHA-256 of the raw key. It stays the origin's id across key rotation.
    public var originID: String { Self.originID(raw: raw) }

    /// `kid` of a raw public key: hex of the first 8 bytes of its SHA-256.
    public static func keyID(raw: [UInt8]) -> String {
        SHA256.hash(raw).prefix(keyIDByteCount).hexString
    }

    /// Origin id founded by a raw first public key: hex of the first 16 bytes of its SHA-256.
    public static func originID(raw: [UInt8]) -> String {
        SHA256.hash(raw).prefix(originIDByteCount).hexString
    }

    /// The raw public half of any Ed25519 `EVP_PKEY` (`EVP_PKEY_get_raw_public_key`).
    static func rawPublicKey(of key: OpaquePointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: rawCount) { buffer, initialized in
            var length = rawCount
            guard EVP_PKEY_get_raw_public_key(key, buffer.baseAddress, &length) == 1, length == rawCount else {
                fatalError("EVP_PKEY_get_raw_public_key(Ed25519) failed: \(OpenSSLErrorQueue.drain())")
            }
            initialized = rawCount
        }
    }
}
