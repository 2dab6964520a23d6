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
        var order: [(score: Double, city: Int32)] = []
    }

    /// The same ranks as `ranks(_:)`, faster for the Monte Carlo loop: sorts (score, city)
    /// pairs by score alone and walks them once; equal scores always share the rank of the
    /// first of them, so the order among equal scores does not matter.
    static func fastRanks(_ scores: [Double], into out: UnsafeMutableBufferPointer<Int32>, scratch: inout Scratch) {
        scratch.order.removeAll(keepingCapacity: true)
        for (c, s) in scores.enumerated() {
            if s.isNaN { out[c] = 0 } else { scratch.order.append((s, Int32(c))) }
        }
        scratch.order.withUnsafeMutableBufferPointer { order in
            order.sort { $0.score > $1.score }
            var previous = 0.0
            var previousRank: Int32 = 0
            for p in 0..<order.count {
                let s = order[p].score
                let rank = (p > 0 && previous - s <= RankingOptions.tieTolerance) ? previousRank : Int32(p + 1)
                out[Int(order[p].city)] = rank
                previous = s
                previousRank = rank
            }
        }
    }
}

/// The ceiling of two thirds of `n`: the coverage a city needs (design §7 steps 4 and 5).
@inline(__always) func twoThirdsCeiling(_ n: Int) -> Int { (2 * n + 2) / 3 }
