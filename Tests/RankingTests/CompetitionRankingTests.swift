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

    @Test func twoThirdsCeilingMatchesTheDefinition() {
        // ⌈2/3·m⌉ for m = 0…6: 0, 1, 2, 2, 3, 4, 4.
        #expect((0...6).map(twoThirdsCeiling) == [0, 1, 2, 2, 3, 4, 4])
    }
}
