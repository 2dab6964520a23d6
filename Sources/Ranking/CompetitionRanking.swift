/// Competition ranking ("1224", design §7 step 3): scores sorted descending, a score within
/// `RankingOptions.tieTolerance` of the previous one takes the previous one's rank.
enum CompetitionRanking {
    /// Ranks of `scores`; NaN marks a city without a score and gets rank 0. Equal scores keep
    /// index order, and callers index cities in label order, so ties list by name.
    static func ranks(_ scores: [Double]) -> [Int] {
        var order: [(score: Double, index: Int)] = []
        order.reserveCapacity(scores.count)
        for i in scores.indices where !scores[i].isNaN { order.append((scores[i], i)) }
        order.sort { $0.score != $1.score ? $0.score > $1.score : $0.index < $1.index }
        var ranks = [Int](repeating: 0, count: scores.count)
        var previous = Double.nan
        var previousRank = 0
        for (position, entry) in order.enumerated() {
            let rank = (position > 0 && previous - entry.score <= RankingOptions.tieTolerance) ? previousRank : position + 1
            ranks[entry.index] = rank
            previous = entry.score
            previousRank = rank
        }
        return ranks
    }
}

extension CompetitionRanking {
    /// Reusable buffers for `fastRanks`, one per worker thread.
    struct Scratch {
        var keys: [UInt64] = []
        var cities: [Int32] = []
        var swapKeys: [UInt64] = []
        var swapCities: [Int32] = []
        var counts = [Int](repeating: 0, count: 8 * 256)
    }

    /// A key whose unsigned order is the descending order of the (non-NaN) score.
    @inline(__always) static func descendingKey(_ s: Double) -> UInt64 {
        let bits = s.bitPattern
        let ascending = bits >> 63 == 1 ? ~bits : bits | (1 << 63)
        return ~ascending
    }

    /// The same ranks as `ranks(_:)`, faster for the Monte Carlo loop: sorts the cities by an
    /// order-preserving integer key of their score with an LSD radix sort (bytes on which all
    /// keys agree are skipped) and walks them once; equal scores always share the rank of the
    /// first of them, so the order among equal scores does not matter.
    static func fastRanks(_ scores: [Double], into out: UnsafeMutableBufferPointer<Int32>, scratch: inout Scratch) {
        scratch.keys.removeAll(keepingCapacity: true)
        scratch.cities.removeAll(keepingCapacity: true)
        for (c, s) in scores.enumerated() {
            if s.isNaN { out[c] = 0 } else {
                scratch.keys.append(descendingKey(s))
                scratch.cities.append(Int32(c))
            }
        }
        let n = scratch.keys.count
        if n == 0 { return }
        if scratch.swapKeys.count < n {
            scratch.swapKeys = [UInt64](repeating: 0, count: n)
            scratch.swapCities = [Int32](repeating: 0, count: n)
        }
        scratch.keys.withUnsafeMutableBufferPointer { keys in
            scratch.cities.withUnsafeMutableBufferPointer { cities in
                scratch.swapKeys.withUnsafeMutableBufferPointer { swapKeys in
                    scratch.swapCities.withUnsafeMutableBufferPointer { swapCities in
                        scratch.counts.withUnsafeMutableBufferPointer { counts in
                            for i in 0..<counts.count { counts[i] = 0 }
                            for i in 0..<n {
                                let k = keys[i]
                                for d in 0..<8 { counts[d * 256 + Int((k >> UInt64(d * 8)) & 255)] += 1 }
                            }
                            var fromKeys = keys, fromCities = cities, toKeys = swapKeys, toCities = swapCities
                            for d in 0..<8 {
                                let base = d * 256
                                let shift = UInt64(d * 8)
                                if counts[base + Int((fromKeys[0] >> shift) & 255)] == n { continue }
                                var start = 0
                                for digit in 0..<256 {
                                    let count = counts[base + digit]
                                    counts[base + digit] = start
                                    start += count
                                }
                                for i in 0..<n {
                                    let k = fromKeys[i]
                                    let slot = base + Int((k >> shift) & 255)
                                    let to = counts[slot]
                                    counts[slot] = to + 1
                                    toKeys[to] = k
                                    toCities[to] = fromCities[i]
                                }
                                swap(&fromKeys, &toKeys)
                                swap(&fromCities, &toCities)
                            }
                            var previous = 0.0
                            var previousRank: Int32 = 0
                            for p in 0..<n {
                                let c = Int(fromCities[p])
                                let s = scores[c]
                                let rank = (p > 0 && previous - s <= RankingOptions.tieTolerance) ? previousRank : Int32(p + 1)
                                out[c] = rank
                                previous = s
                                previousRank = rank
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The ceiling of two thirds of `n`: the coverage a city needs (design §7 steps 4 and 5).
@inline(__always) func twoThirdsCeiling(_ n: Int) -> Int { (2 * n + 2) / 3 }
