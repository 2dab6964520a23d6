import Testing
import Model
@testable import Ranking

@Suite struct CompositeFrameTests {
    @Test func blockAggregationEqualsOneRunAtATimeExactly() {
        var rng = SeededGenerator(seed: 5)
        let cities = 23, kpis = 11
        let fields: [ActionField] = (0..<kpis).map { [.egov, .mobility, .energy][$0 % 3] }
        let scores: [[Double]] = (0..<kpis).map { _ in (0..<cities).map { _ in rng.next() % 6 == 0 ? .nan : 100 * rng.unit() } }
        let frame = CompositeFrame(scores: scores, kpiFields: fields, cityCount: cities)
        let kw: [[Double]] = (0..<5).map { _ in (0..<kpis).map { _ in 0.5 + rng.unit() } }
        let fw: [[Double]] = (0..<5).map { _ in (0..<frame.fields.count).map { _ in 0.5 + rng.unit() } }
        for geometric in [false, true] {
            let input = geometric ? RunState.geometricLogs(scores) : scores
            let block = frame.aggregate(scores: input, kpiWeights: kw, fieldWeights: fw, geometric: geometric)
            for b in 0..<5 {
                let lone = frame.aggregate(scores: input, kpiWeights: kw[b], fieldWeights: fw[b], geometric: geometric)
                #expect(block[b].overall.map(\.bitPattern) == lone.overall.map(\.bitPattern))
                #expect(block[b].fields.flatMap { $0 }.map(\.bitPattern) == lone.fields.flatMap { $0 }.map(\.bitPattern))
            }
        }
    }
}
