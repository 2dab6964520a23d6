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
        var sorted: [Double] = []
        var rankAt: [Int32] = []
    }

    /// The same ranks as `ranks(_:)`, faster for the Monte Carlo loop: sorts the bare scores
    /// and finds each city's rank at the first sorted position holding its score (equal
    /// scores always share a rank, so which of them comes first does not matter).
    static func fastRanks(_ scores: [Double], into out: UnsafeMutableBufferPointer<Int32>, scratch: inout Scratch) {
        scratch.sorted.removeAll(keepingCapacity: true)
        for s in scores where !s.isNaN { scratch.sorted.append(s) }
        scratch.sorted.sort(by: >)
        let n = scratch.sorted.count
        if scratch.rankAt.count < n { scratch.rankAt = [Int32](repeating: 0, count: n) }
        scratch.sorted.withUnsafeBufferPointer { sorted in
            scratch.rankAt.withUnsafeMutableBufferPointer { rankAt in
                for p in 0..<n {
                    rankAt[p] = (p > 0 && sorted[p - 1] - sorted[p] <= RankingOptions.tieTolerance) ? rankAt[p - 1] : Int32(p + 1)
                }
                for (c, s) in scores.enumerated() {
                    if s.isNaN { out[c] = 0; continue }
                    // First position p with sorted[p] <= s (descending order), branch-free halving.
                    var base = 0, length = n
                    while length > 1 {
                        let half = length / 2
                        base = sorted[base + half - 1] > s ? base + half : base
                        length -= half
                    }
                    if sorted[base] > s { base += 1 }
                    out[c] = rankAt[base]
                }
            }
        }
    }
}

/// The ceiling of two thirds of `n`: the coverage a city needs (design §7 steps 4 and 5).
@inline(__always) func twoThirdsCeiling(_ n: Int) -> Int { (2 * n + 2) / 3 }
