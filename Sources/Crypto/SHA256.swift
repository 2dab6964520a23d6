import COpenSSL
import Foundation

/// SHA-256 (FIPS 180-4) through OpenSSL 3's EVP digest API.
///
/// Use `SHA256.hash(_:)` for one-shot hashing (it reuses one `EVP_MD_CTX` per thread), or an
/// instance as an incremental hasher: `update` any number of times, then `finalize`, after which
/// the instance is ready for a new message. An instance is not thread-safe; the one-shot
/// functions are.
public final class SHA256 {
    /// Length of a SHA-256 digest in bytes.
    public static let digestCount = 32

    private let context: OpaquePointer

    /// Starts an empty incremental hash (`EVP_MD_CTX_new`, `EVP_DigestInit_ex2`).
    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        self.context = context
        SHA256.start(context)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Appends bytes to the message (`EVP_DigestUpdate`).
    public func update(_ bytes: some ContiguousBytes) {
        bytes.withUnsafeBytes { SHA256.feed(context, $0) }
    }

    /// Appends a string's UTF-8 bytes to the message.
    public func update(utf8 text: String) {
        var text = text
        text.withUTF8 { SHA256.feed(context, UnsafeRawBufferPointer($0)) }
    }

    /// Returns the digest of everything appended since the last `finalize` (`EVP_DigestFinal_ex`)
    /// and resets the hasher for the next message.
    public func finalize() -> [UInt8] {
        let digest = SHA256.finish(context)
        SHA256.start(context)
        return digest
    }

    /// The SHA-256 digest (32 bytes) of `bytes`.
    public static func hash(_ bytes: some ContiguousBytes) -> [UInt8] {
        let context = threadContext()
        start(context)
        bytes.withUnsafeBytes { feed(context, $0) }
        return finish(context)
    }

    /// The SHA-256 digest (32 bytes) of a string's UTF-8 bytes.
    public static func hash(utf8 text: String) -> [UInt8] {
        let context = threadContext()
        start(context)
        var text = text
        text.withUTF8 { feed(context, UnsafeRawBufferPointer($0)) }
        return finish(context)
    }

    // MARK: - EVP plumbing

    /// The SHA-256 implementation, fetched once from the default provider (`EVP_MD_fetch`);
    /// passing it to `EVP_DigestInit_ex2` skips the per-call algorithm lookup that `EVP_sha256()`
    /// costs in OpenSSL 3.
    private static let algorithm = FetchedDigest()

    /// One reusable context per thread for the one-shot functions, freed when the thread exits
    /// (`pthread_key_create` with `EVP_MD_CTX_free` as destructor).
    private static let contextKey: pthread_key_t = {
        var key = pthread_key_t()
        let rc = pthread_key_create(&key) { pointer in
            if let pointer { EVP_MD_CTX_free(OpaquePointer(pointer)) }
        }
        precondition(rc == 0, "pthread_key_create failed: the process is out of thread-local keys")
        return key
    }()

    private static func threadContext() -> OpaquePointer {
        if let existing = pthread_getspecific(contextKey) { return OpaquePointer(existing) }
        guard let context = EVP_MD_CTX_new() else { fatalError("EVP_MD_CTX_new failed: out of memory") }
        pthread_setspecific(contextKey, UnsafeRawPointer(context))
        return context
    }

    private static func start(_ context: OpaquePointer) {
        guard EVP_DigestInit_ex2(context, algorithm.pointer, nil) == 1 else {
            fatalError("EVP_DigestInit_ex2(SHA256) failed: \(OpenSSLErrorQueue.drain())")
        }
    }

    private static func feed(_ context: OpaquePointer, _ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        guard EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1 else {
            fatalError("EVP_DigestUpdate(SHA256) failed: \(OpenSSLErrorQueue.drain())")
        }
    }

    private static func finish(_ context: OpaquePointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: digestCount) { buffer, initialized in
            var length: UInt32 = 0
            guard EVP_DigestFinal_ex(context, buffer.baseAddress, &length) == 1, length == digestCount else {
                fatalError("EVP_DigestFinal_ex(SHA256) failed: \(OpenSSLErrorQueue.drain())")
            }
            initialized = digestCount
        }
    }
}

/// The fetched SHA-256 `EVP_MD`, kept for the life of the process.
// @unchecked Sendable: a fetched EVP_MD is immutable and OpenSSL documents it as shareable across threads.
private final class FetchedDigest: @unchecked Sendable {
    let pointer: OpaquePointer

    init() {
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else {
            fatalError("EVP_MD_fetch(SHA256) failed: OpenSSL's default provider is unavailable")
        }
        pointer = md
    }
}
