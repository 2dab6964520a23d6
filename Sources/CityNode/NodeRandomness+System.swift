import Foundation

// TEMPORARY until the Crypto module lands: replaced by SecureRandom from Crypto.
extension NodeRandomness {
    /// The operating system's CSPRNG.
    public static let system = NodeRandomness(
        laplace: {
            var g = SystemRandomNumberGenerator()
            let p = Double.random(in: Double.ulpOfOne..<1, using: &g) - 0.5
            return p < 0 ? log(1 + 2 * p) : -log(1 - 2 * p)
        },
        bytes: { count in
            var g = SystemRandomNumberGenerator()
            return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
        })
}
