@testable import Crypto
import Foundation
import Testing

/// OpenSSL keeps one error queue per thread. HTTPServer runs TLS on threads that also verify
/// signatures, and `SSL_get_error` misreports when a stale entry sits in the queue, so every
/// operation here, failed or not, must leave the queue empty.
@Suite("OpenSSL error queue")
struct OpenSSLErrorQueueTests {
    /// Runs `body` on a dedicated thread and reports whether that thread's queue was empty after it.
    private func queueIsEmptyAfter(_ body: @escaping @Sendable () -> Void) async -> Bool {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                body()
                continuation.resume(returning: OpenSSLErrorQueue.isEmpty)
            }
            thread.start()
        }
    }

    @Test func failedParsesLeaveTheQueueEmpty() async throws {
        let tls = try TLSIdentity.generate()
        let inputs = ["", "garbage", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", tls.privateKeyPEM]
        for input in inputs {
            #expect(await queueIsEmptyAfter { _ = try? Ed25519SigningKey(pkcs8PEM: input) }, "signing key from \(input.prefix(20))")
            #expect(await queueIsEmptyAfter { _ = try? TLSPin.spkiPin(certificatePEM: input) }, "pin of \(input.prefix(20))")
            #expect(await queueIsEmptyAfter { _ = try? TLSIdentity(certificatePEM: tls.certificatePEM, privateKeyPEM: input) })
        }
        let other = try TLSIdentity.generate()
        #expect(await queueIsEmptyAfter {
            _ = try? TLSIdentity(certificatePEM: tls.certificatePEM, privateKeyPEM: other.privateKeyPEM)
        })
        #expect(await queueIsEmptyAfter {
            _ = try? TLSIdentity.generate(TLSIdentity.Configuration(subjectAltNames: [.ip("not-an-ip")]))
        })
    }

    @Test func failedVerificationsLeaveTheQueueEmpty() async throws {
        let key = try Ed25519SigningKey.generate()
        let verifier = key.verifier
        var signature = key.sign([1, 2, 3])
        signature[0] ^= 1
        let forged = signature
        #expect(await queueIsEmptyAfter { _ = verifier.isValidSignature(forged, for: [1, 2, 3]) })
        let notAPoint = try Ed25519PublicKey(raw: [UInt8](repeating: 0xff, count: 32))
        #expect(await queueIsEmptyAfter { _ = notAPoint.isValidSignature(forged, for: [1, 2, 3]) })
    }

    @Test func successfulOperationsLeaveTheQueueEmpty() async throws {
        let key = try Ed25519SigningKey.generate()
        let pem = key.pkcs8PEM
        #expect(await queueIsEmptyAfter {
            guard let loaded = try? Ed25519SigningKey(pkcs8PEM: pem) else { return }
            _ = loaded.verifier.isValidSignature(loaded.sign([9]), for: [9])
            _ = SHA256.hash([UInt8](repeating: 1, count: 100))
            _ = HMACSHA256.authenticate(key: [UInt8](), message: [UInt8]())
            _ = try? SecureRandom.laplace()
        })
        #expect(await queueIsEmptyAfter {
            guard let identity = try? TLSIdentity.generate() else { return }
            _ = try? identity.spkiPin()
            _ = try? TLSIdentity(certificatePEM: identity.certificatePEM, privateKeyPEM: identity.privateKeyPEM)
        })
    }
}
