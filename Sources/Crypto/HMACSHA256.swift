import COpenSSL
import Foundation

/// HMAC-SHA256 (RFC 2104) through OpenSSL 3's `EVP_MAC` API: keyed pseudonyms for project ids
/// and other values that must not be reversible without the node's secret.
public enum HMACSHA256 {
    /// Length of an HMAC-SHA256 tag in bytes.
    public static let tagCount = 32

    /// The 32-byte HMAC-SHA256 tag of `message` under `key` (any length; an empty key is allowed).
    /// Each call duplicates a template context (`EVP_MAC_CTX_dup`), keys it (`EVP_MAC_init`),
    /// and runs `EVP_MAC_update` and `EVP_MAC_final`; safe to call from any thread.
    public static func authenticate(key: some ContiguousBytes, message: some ContiguousBytes) -> [UInt8] {
        guard let context = EVP_MAC_CTX_dup(template.pointer) else {
            fatalError("EVP_MAC_CTX_dup failed: out of memory")
        }
        defer { EVP_MAC_CTX_free(context) }
        // An empty buffer may have no base address; OpenSSL needs a non-null key pointer even
        // for a zero-length key, so point at a dummy byte then.
        var dummy: UInt8 = 0
        let keyed = key.withUnsafeBytes { keyBytes in
            if let base = keyBytes.baseAddress {
                return EVP_MAC_init(context, base.assumingMemoryBound(to: UInt8.self), keyBytes.count, nil)
            }
            return EVP_MAC_init(context, &dummy, 0, nil)
        }
        guard keyed == 1 else { fatalError("EVP_MAC_init(HMAC) failed: \(OpenSSLErrorQueue.drain())") }
        let updated = message.withUnsafeBytes { bytes in
            bytes.isEmpty ? 1 : EVP_MAC_update(context, bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), bytes.count)
        }
        guard updated == 1 else { fatalError("EVP_MAC_update(HMAC) failed: \(OpenSSLErrorQueue.drain())") }
        return [UInt8](unsafeUninitializedCapacity: tagCount) { buffer, initialized in
            var length = 0
            guard EVP_MAC_final(context, buffer.baseAddress, &length, tagCount) == 1, length == tagCount else {
                fatalError("EVP_MAC_final(HMAC) failed: \(OpenSSLErrorQueue.drain())")
            }
            initialized = tagCount
        }
    }

    /// A context of the HMAC algorithm (`EVP_MAC_fetch`) already set to SHA-256
    /// (`EVP_MAC_CTX_set_params`), so calls only duplicate it instead of fetching and configuring.
    private static let template = MACTemplate()
}

/// The unkeyed HMAC-SHA256 template context, kept for the life of the process.
// @unchecked Sendable: the template is configured once in init and afterwards only read by EVP_MAC_CTX_dup.
private final class MACTemplate: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        guard let mac = EVP_MAC_fetch(nil, "HMAC", nil) else {
            fatalError("EVP_MAC_fetch(HMAC) failed: OpenSSL's default provider is unavailable")
        }
        defer { EVP_MAC_free(mac) }  // the context keeps its own reference
        guard let context = EVP_MAC_CTX_new(mac) else { fatalError("EVP_MAC_CTX_new failed: out of memory") }
        let configured = OSSL_MAC_PARAM_DIGEST.withCString { name in
            "SHA256".withCString { digest in
                var params = [
                    OSSL_PARAM_construct_utf8_string(name, UnsafeMutablePointer(mutating: digest), 0),
                    OSSL_PARAM_construct_end(),
                ]
                return EVP_MAC_CTX_set_params(context, &params)
            }
        }
        guard configured == 1 else {
            fatalError("EVP_MAC_CTX_set_params(HMAC, SHA256) failed: \(OpenSSLErrorQueue.drain())")
        }
        pointer = context
    }
}
