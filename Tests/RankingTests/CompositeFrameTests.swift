import Foundation
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

    /// The SIMD block arithmetic must be bit for bit the plain per-city weighted mean of
    /// design §7 steps 4 and 5, written here the obvious way.
    @Test func blockAggregationEqualsThePlainWeightedMeanBitForBit() {
        var rng = SeededGenerator(seed: 31)
        let cities = 37, kpis = 14
        let fields: [ActionField] = (0..<kpis).map { [.egov, .mobility, .energy, .living][$0 % 4] }
        let scores: [[Double]] = (0..<kpis).map { _ in (0..<cities).map { _ in rng.next() % 4 == 0 ? .nan : 100 * rng.unit() } }
        let frame = CompositeFrame(scores: scores, kpiFields: fields, cityCount: cities)
        let kw: [[Double]] = (0..<11).map { _ in (0..<kpis).map { _ in 0.75 + 0.5 * rng.unit() } }
        let fw: [[Double]] = (0..<11).map { _ in (0..<frame.fields.count).map { _ in 0.75 + 0.5 * rng.unit() } }
        for geometric in [false, true] {
            let input = geometric ? RunState.geometricLogs(scores) : scores
            let block = frame.aggregate(scores: input, kpiWeights: kw, fieldWeights: fw, geometric: geometric)
            for b in 0..<kw.count {
                var fieldScores: [[Double]] = []
                for (f, members) in frame.kpisOfField.enumerated() {
                    fieldScores.append((0..<cities).map { c in
                        guard frame.fieldEligible[f][c] else { return .nan }
                        var num = 0.0, den = 0.0
                        for k in members where !input[k][c].isNaN {
                            num += kw[b][k] * input[k][c]
                            den += kw[b][k]
                        }
                        return geometric ? exp(num / den) : num / den
                    })
                }
                let overall: [Double] = (0..<cities).map { c in
                    guard frame.overallEligible[c] else { return .nan }
                    var num = 0.0, den = 0.0
                    for f in frame.activeFields where frame.fieldEligible[f][c] {
                        num += fw[b][f] * (geometric ? log(fieldScores[f][c]) : fieldScores[f][c])
                        den += fw[b][f]
                    }
                    return geometric ? exp(num / den) : num / den
                }
                #expect(block[b].fields.flatMap { $0 }.map(\.bitPattern) == fieldScores.flatMap { $0 }.map(\.bitPattern))
                #expect(block[b].overall.map(\.bitPattern) == overall.map(\.bitPattern))
            }
            #expect(block.contains { $0.overall.contains { !$0.isNaN } })
        }
    }
}
