import Testing
import Model
@testable import Ranking

/// The Monte Carlo runs give the same statistics however many threads share them.
@Suite struct UncertaintyWorkerTests {
    @Test(arguments: [2, 3, 7])
    func uncertaintyOnSeveralThreadsEqualsOneThread(workers: Int) {
        var rng = SeededGenerator(seed: 11)
        let cities = 37, kpis = 14
        let fields: [ActionField] = (0..<kpis).map { [.egov, .mobility, .energy][$0 % 3] }
        let matrices: [[[Double]]] = (0..<3).map { _ in
            (0..<kpis).map { _ in (0..<cities).map { _ in rng.next() % 7 == 0 ? .nan : Double(rng.next() % 40) } }
        }
        let frame = CompositeFrame(scores: matrices[0], kpiFields: fields, cityCount: cities)
        let point = frame.aggregate(scores: matrices[0], kpiWeights: Array(repeating: 1, count: kpis),
                                    fieldWeights: Array(repeating: 1, count: frame.fields.count), geometric: false)
        func run(_ workers: Int) -> (fields: [[RankUncertainty?]], overall: [RankUncertainty?]) {
            UncertaintyAnalysis.run(frame: frame, matrices: matrices, kpiWeights: Array(repeating: 1, count: kpis),
                                    fieldWeights: Array(repeating: 1, count: frame.fields.count), geometric: false,
                                    runs: 203, seed: 99, pointFieldRanks: point.fields.map(CompetitionRanking.ranks),
                                    pointOverallRanks: CompetitionRanking.ranks(point.overall), workers: workers)
        }
        let single = run(1)
        let several = run(workers)
        #expect(single.overall.contains { $0 != nil })
        #expect(several.overall == single.overall)
        #expect(several.fields == single.fields)
    }
}
