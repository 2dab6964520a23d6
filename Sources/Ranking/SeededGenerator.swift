/// A small, fast, seedable generator (xoshiro256**, seeded through SplitMix64), so that the
/// same seed gives the same uncertainty on every platform and Swift version.
struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var s: (UInt64, UInt64, UInt64, UInt64)

    /// A generator for one stream (e.g. one Monte Carlo run) of a seed.
    init(seed: UInt64, stream: UInt64 = 0) {
        var x = seed ^ (stream &* 0x9E37_79B9_7F4A_7C15)
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s = (splitmix(), splitmix(), splitmix(), splitmix())
    }

    mutating func next() -> UInt64 {
        let result = ((s.1 &* 5) << 7 | (s.1 &* 5) >> 57) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = s.3 << 45 | s.3 >> 19
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
    /// Uniform in [−1, 1).
    mutating func symmetric() -> Double { 2 * unit() - 1 }
}
