import COpenSSL
import Foundation

/// Cryptographically secure randomness from OpenSSL's DRBG (`RAND_bytes`), seeded by the
/// operating system: nonces, serial numbers, epochs and differential-privacy noise.
/// All functions are safe to call from any thread.
public enum SecureRandom {
    /// `count` random bytes (`RAND_bytes`); throws if the generator cannot be seeded.
    public static func bytes(_ count: Int) throws(CryptoError) -> [UInt8] {
        precondition(count >= 0, "SecureRandom.bytes needs a non-negative count")
        var failed = false
        let random = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            var offset = 0
            while offset < count {
                let chunk = min(count - offset, Int(Int32.max))
                guard RAND_bytes(buffer.baseAddress! + offset, Int32(chunk)) == 1 else {
                    failed = true
                    break
                }
                offset += chunk
            }
            initialized = failed ? 0 : count
        }
        guard !failed else {
            let detail = OpenSSLErrorQueue.drain()
            throw CryptoError(.randomUnavailable,
                              "the system random number generator failed (\(detail)); check that /dev/urandom is readable")
        }
        return random
    }

    /// A uniform random 64-bit integer.
    public static func uint64() throws(CryptoError) -> UInt64 {
        try bytes(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A uniform double in the open interval (0, 1): k · 2⁻⁵³ for a uniform 53-bit k ≠ 0, so
    /// every value is exactly representable and neither 0 nor 1 can occur.
    public static func uniformDouble() throws(CryptoError) -> Double {
        while true {
            let k = try uint64() >> 11
            if k != 0 { return Double(k) * 0x1p-53 }
        }
    }

    /// A draw u ~ Laplace(0, 1) (density ½·e^−|u|), by the inverse CDF of a CSPRNG uniform.
    /// Differential-privacy noise with scale 1/ε is this draw divided by ε (design §4).
    public static func laplace() throws(CryptoError) -> Double {
        laplaceQuantile(try uniformDouble())
    }

    /// The Laplace(0, 1) inverse CDF at `p` in (0, 1): ln(2p) below ½, −ln(2 − 2p) from ½ on.
    /// Both branches are exact in their arguments, so draws near 0 and 1 stay finite
    /// (|u| ≤ 53·ln 2 ≈ 36.7 for p from `uniformDouble`).
    public static func laplaceQuantile(_ p: Double) -> Double {
        precondition(p > 0 && p < 1, "the Laplace quantile needs p in (0, 1)")
        let u = p < 0.5 ? log(2 * p) : -log(2 - 2 * p)
        return u == 0 ? 0 : u  // no negative zero
    }
}
