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
    /// Bits of the 32-bit key sorted per radix pass: three passes of 11, 11 and 10 bits.
    static let radixBits = 11
    static let radixBuckets = 1 << radixBits
    static let radixPasses = 3

    /// Reusable buffers for `fastRanks`, one per worker thread.
    struct Scratch {
        var keys: [UInt32] = []
        var cities: [Int32] = []
        var swapKeys: [UInt32] = []
        var swapCities: [Int32] = []
        var counts = [Int32](repeating: 0, count: CompetitionRanking.radixPasses * CompetitionRanking.radixBuckets)
    }

    /// A key whose unsigned order is the descending order of the score rounded to `Float`:
    /// rounding never reverses two scores, it can only make close ones equal.
    @inline(__always) static func descendingKey(_ s: Double) -> UInt32 {
        let bits = Float(s).bitPattern
        let ascending = bits >> 31 == 1 ? ~bits : bits | (1 << 31)
        return ~ascending
    }

    /// The same ranks as `ranks(_:)`, faster for the Monte Carlo loop: sorts the cities by a
    /// 32-bit order-preserving key of their score with an LSD radix sort (digits on which all
    /// keys agree are skipped), puts scores that share a key in exact order with an insertion
    /// pass, and walks them once; equal scores always share the rank of the first of them, so
    /// the order among equal scores does not matter.
    static func fastRanks(_ scores: [Double], into out: UnsafeMutableBufferPointer<Int32>, scratch: inout Scratch) {
        let total = scores.count
        if scratch.keys.count < total {
            scratch.keys = [UInt32](repeating: 0, count: total)
            scratch.cities = [Int32](repeating: 0, count: total)
            scratch.swapKeys = [UInt32](repeating: 0, count: total)
            scratch.swapCities = [Int32](repeating: 0, count: total)
        }
        scores.withUnsafeBufferPointer { scores in
            scratch.keys.withUnsafeMutableBufferPointer { keys in
                scratch.cities.withUnsafeMutableBufferPointer { cities in
                    scratch.swapKeys.withUnsafeMutableBufferPointer { swapKeys in
                        scratch.swapCities.withUnsafeMutableBufferPointer { swapCities in
                            scratch.counts.withUnsafeMutableBufferPointer { counts in
                                var n = 0
                                for c in 0..<total {
                                    let s = scores[c]
                                    if s.isNaN { out[c] = 0; continue }
                                    keys[n] = descendingKey(s)
                                    cities[n] = Int32(c)
                                    n += 1
                                }
                                if n == 0 { return }
                                let buckets = CompetitionRanking.radixBuckets, mask = UInt32(buckets - 1)
                                let bits = UInt32(CompetitionRanking.radixBits)
                                counts.update(repeating: 0)
                                for i in 0..<n {
                                    let k = keys[i]
                                    counts[Int(k & mask)] += 1
                                    counts[buckets + Int((k >> bits) & mask)] += 1
                                    counts[2 * buckets + Int(k >> (2 * bits))] += 1
                                }
                                var fromKeys = keys, fromCities = cities, toKeys = swapKeys, toCities = swapCities
                                for d in 0..<CompetitionRanking.radixPasses {
                                    let base = d * buckets
                                    let shift = UInt32(d) * bits
                                    if Int(counts[base + Int((fromKeys[0] >> shift) & mask)]) == n { continue }
                                    var start: Int32 = 0
                                    for digit in 0..<buckets {
                                        let count = counts[base + digit]
                                        counts[base + digit] = start
                                        start += count
                                    }
                                    for i in 0..<n {
                                        let k = fromKeys[i]
                                        let slot = base + Int((k >> shift) & mask)
                                        let to = Int(counts[slot])
                                        counts[slot] = Int32(to + 1)
                                        toKeys[to] = k
                                        toCities[to] = fromCities[i]
                                    }
                                    swap(&fromKeys, &toKeys)
                                    swap(&fromCities, &toCities)
                                }
                                // Exact order within runs of equal keys (scores a Float cannot tell apart).
                                for i in 1..<n where fromKeys[i] == fromKeys[i - 1] {
                                    var j = i
                                    let city = fromCities[j]
                                    let s = scores[Int(city)]
                                    while j > 0 && fromKeys[j - 1] == fromKeys[i] && scores[Int(fromCities[j - 1])] < s {
                                        fromCities[j] = fromCities[j - 1]
                                        j -= 1
                                    }
                                    fromCities[j] = city
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
}

extension CompetitionRanking {
    /// Positions of `entries` (rank, city index) in listing order: by rank, ties by label.
    /// City indexes follow label order (`CityTable`), so sorting by (rank, index) — plain
    /// integers — gives the order a stable sort by (rank, label) gives.
    static func listingOrder(_ entries: [(rank: Int, city: Int)]) -> [Int] {
        let bound = 1 << 21
        if entries.count >= bound || entries.contains(where: { $0.rank >= bound || $0.city >= bound }) {
            return entries.indices.sorted { (entries[$0].rank, entries[$0].city) < (entries[$1].rank, entries[$1].city) }
        }
        // One integer per entry: rank, city index and position in 21 bits each.
        var keys = entries.enumerated().map { j, e in (e.rank << 42) | (e.city << 21) | j }
        keys.sort()
        return keys.map { $0 & (1 << 21 - 1) }
    }
}

/// The ceiling of two thirds of `n`: the coverage a city needs (design §7 steps 4 and 5).
@inline(__always) func twoThirdsCeiling(_ n: Int) -> Int { (2 * n + 2) / 3 }
