import Crypto
import Foundation
import Testing

@Suite("Secure random")
struct SecureRandomTests {
    @Test(arguments: [0, 1, 16, 32, 1000, 70_000])
    func bytesReturnsExactlyTheRequestedCount(_ count: Int) throws {
        #expect(try SecureRandom.bytes(count).count == count)
    }

    @Test func consecutiveNoncesDiffer() throws {
        let nonces = try (0..<1000).map { _ in try SecureRandom.bytes(16) }
        #expect(Set(nonces).count == nonces.count)
    }

    @Test func bytesAreRoughlyUniform() throws {
        // 256 KiB: each byte value is expected 1024 times; ±25 % is more than 8 standard deviations.
        var counts = [Int](repeating: 0, count: 256)
        for byte in try SecureRandom.bytes(256 * 1024) { counts[Int(byte)] += 1 }
        #expect(counts.min()! > 768)
        #expect(counts.max()! < 1280)
    }

    @Test func uniformDoublesLieStrictlyBetweenZeroAndOne() throws {
        var sum = 0.0
        for _ in 0..<20_000 {
            let u = try SecureRandom.uniformDouble()
            #expect(u > 0 && u < 1)
            sum += u
        }
        #expect(abs(sum / 20_000 - 0.5) < 0.02)
    }

    @Test func laplaceQuantileInvertsTheCDF() {
        #expect(SecureRandom.laplaceQuantile(0.5) == 0)
        #expect(SecureRandom.laplaceQuantile(0.5).sign == .plus)
        #expect(abs(SecureRandom.laplaceQuantile(0.75) - log(2)) < 1e-15)
        #expect(abs(SecureRandom.laplaceQuantile(0.25) + log(2)) < 1e-15)
        #expect(abs(SecureRandom.laplaceQuantile(0.05) - log(0.1)) < 1e-15)
        // The extremes reachable from uniformDouble stay finite.
        #expect(SecureRandom.laplaceQuantile(0x1p-53).isFinite)
        #expect(SecureRandom.laplaceQuantile(1 - 0x1p-53).isFinite)
        #expect(abs(SecureRandom.laplaceQuantile(1 - 0x1p-53) - 52 * log(2)) < 1e-9)
    }

    @Test func laplaceDrawsHaveMeanZeroAndMeanAbsoluteValueOne() throws {
        // Laplace(0, 1): mean 0 (σ of the sample mean 0.0045 for 100k draws), E|u| = 1 (σ 0.0032),
        // P(|u| > ln 20) = 5 %.
        let n = 100_000
        var sum = 0.0, sumAbs = 0.0, beyond = 0
        for _ in 0..<n {
            let u = try SecureRandom.laplace()
            sum += u
            sumAbs += abs(u)
            if abs(u) > log(20) { beyond += 1 }
        }
        #expect(abs(sum / Double(n)) < 0.05)
        #expect(abs(sumAbs / Double(n) - 1) < 0.05)
        #expect(abs(Double(beyond) / Double(n) - 0.05) < 0.005)
    }
}
