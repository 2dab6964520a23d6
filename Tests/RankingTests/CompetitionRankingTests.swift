import Testing
@testable import Ranking

@Suite struct CompetitionRankingTests {
    @Test func fastRanksAgreeWithTheReferenceOnRandomScoresWithTiesAndGaps() {
        var rng = SeededGenerator(seed: 21)
        for _ in 0..<300 {
            let n = 1 + Int(rng.next() % 40)
            let scores: [Double] = (0..<n).map { _ in
                switch rng.next() % 5 {
                case 0: return .nan
                case 1: return 50 + Double(rng.next() % 3) * 4e-10  // chains within the tolerance
                default: return Double(rng.next() % 10)
                }
            }
            var fast = [Int32](repeating: -1, count: n)
            var scratch = CompetitionRanking.Scratch()
            fast.withUnsafeMutableBufferPointer { CompetitionRanking.fastRanks(scores, into: $0, scratch: &scratch) }
            #expect(fast.map(Int.init) == CompetitionRanking.ranks(scores), "\(scores)")
        }
    }

    @Test func listingOrderIsByRankThenCityIndexWhateverTheInputOrder() {
        var rng = SeededGenerator(seed: 12)
        for _ in 0..<200 {
            let n = Int(rng.next() % 30)
            var cities = Array(0..<(n * 2))
            for i in cities.indices.reversed() { cities.swapAt(i, Int(rng.next() % UInt64(i + 1))) }
            let entries = (0..<n).map { (rank: 1 + Int(rng.next() % 5), city: cities[$0]) }
            let expected = entries.indices.sorted { (entries[$0].rank, entries[$0].city) < (entries[$1].rank, entries[$1].city) }
            #expect(CompetitionRanking.listingOrder(entries) == expected)
        }
    }

    @Test func twoThirdsCeilingMatchesTheDefinition() {
        // ⌈2/3·m⌉ for m = 0…6: 0, 1, 2, 2, 3, 4, 4.
        #expect((0...6).map(twoThirdsCeiling) == [0, 1, 2, 2, 3, 4, 4])
    }
}

@Suite struct FastRanksEdgeTests {
    @Test func fastRanksOfOnlyMissingScoresAreAllZero() {
        var scratch = CompetitionRanking.Scratch()
        var out = [Int32](repeating: 9, count: 4)
        out.withUnsafeMutableBufferPointer { CompetitionRanking.fastRanks([.nan, .nan, .nan, .nan], into: $0, scratch: &scratch) }
        #expect(out == [0, 0, 0, 0])
    }

    @Test func fastRanksOrderNegativeZeroAndSignsLikeTheReference() {
        let scores: [Double] = [-0.0, 0.0, -3.5, 1e-300, -1e-300, 100, .nan, -100, 3.5, 3.5 + 1e-10]
        var scratch = CompetitionRanking.Scratch()
        var out = [Int32](repeating: 0, count: scores.count)
        out.withUnsafeMutableBufferPointer { CompetitionRanking.fastRanks(scores, into: $0, scratch: &scratch) }
        #expect(out.map(Int.init) == CompetitionRanking.ranks(scores))
    }
}

@Suite struct FastRanksPrecisionTests {
    @Test func fastRanksSeparateScoresThatAFloatCannotTellApart() {
        // 1 + 5e-8 and 1 + 2.5e-8 round to the same Float as 1, yet differ by more than the
        // tie tolerance, so they must get different ranks.
        let scores: [Double] = [1.0, 1.0 + 5e-8, 7, 1.0 + 2.5e-8, 1.0 - 3e-8, 1.0 + 5e-8 + 1e-12, .nan]
        var scratch = CompetitionRanking.Scratch()
        var out = [Int32](repeating: 0, count: scores.count)
        out.withUnsafeMutableBufferPointer { CompetitionRanking.fastRanks(scores, into: $0, scratch: &scratch) }
        #expect(out.map(Int.init) == CompetitionRanking.ranks(scores))
        #expect(out.map(Int.init) == [5, 2, 1, 4, 6, 2, 0])
    }
}
