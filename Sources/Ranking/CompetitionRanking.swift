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

/// The ceiling of two thirds of `n`: the coverage a city needs (design §7 steps 4 and 5).
@inline(__always) func twoThirdsCeiling(_ n: Int) -> Int { (2 * n + 2) / 3 }
