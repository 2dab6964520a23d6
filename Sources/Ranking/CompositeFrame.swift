import Foundation
import Model

/// The shape of the field and overall composites over dense score matrices: which KPIs feed
/// which field, and which cities have enough coverage (design §7 steps 4 and 5). Presence of a
/// score does not depend on the normalisation method or the weights, so one frame serves the
/// point ranking and every uncertainty run.
struct CompositeFrame: Sendable {
    let cityCount: Int
    /// Fields that have at least one ranked KPI, sorted.
    let fields: [ActionField]
    /// KPI indexes (into the score matrix) per field.
    let kpisOfField: [[Int]]
    /// Number of KPI scores each city has per field.
    let presentCount: [[Int]]
    /// Whether each city gets a field score.
    let fieldEligible: [[Bool]]
    /// Fields in which at least one city gets a score (the `f` of step 5).
    let activeFields: [Int]
    /// Number of active fields each city has a score in.
    let overallCount: [Int]
    let overallEligible: [Bool]

    init(scores: [[Double]], kpiFields: [ActionField], cityCount: Int) {
        self.cityCount = cityCount
        let fields = Array(Set(kpiFields)).sorted()
        self.fields = fields
        kpisOfField = fields.map { f in kpiFields.indices.filter { kpiFields[$0] == f } }
        var present: [[Int]] = []
        var eligible: [[Bool]] = []
        for kpis in kpisOfField {
            var count = [Int](repeating: 0, count: cityCount)
            for k in kpis { for c in 0..<cityCount where !scores[k][c].isNaN { count[c] += 1 } }
            let need = twoThirdsCeiling(kpis.count)
            present.append(count)
            eligible.append(count.map { $0 > 0 && $0 >= need })
        }
        presentCount = present
        fieldEligible = eligible
        activeFields = fields.indices.filter { eligible[$0].contains(true) }
        var overall = [Int](repeating: 0, count: cityCount)
        for f in activeFields { for c in 0..<cityCount where eligible[f][c] { overall[c] += 1 } }
        overallCount = overall
        let need = twoThirdsCeiling(activeFields.count)
        overallEligible = overall.map { $0 > 0 && $0 >= need }
    }

    /// Field scores (`[field][city]`, NaN where none) and overall scores (NaN where none).
    /// For geometric aggregation `scores` must hold the natural logs of scores in [1, 100].
    func aggregate(scores: [[Double]], kpiWeights: [Double], fieldWeights: [Double],
                   geometric: Bool) -> (fields: [[Double]], overall: [Double]) {
        aggregate(scores: scores, kpiWeights: [kpiWeights], fieldWeights: [fieldWeights], geometric: geometric)[0]
    }

    /// The same for several weight sets at once (one per Monte Carlo run): the score matrix is
    /// read once for all of them, and each set's arithmetic is exactly that of a lone call.
    func aggregate(scores: [[Double]], kpiWeights: [[Double]], fieldWeights: [[Double]],
                   geometric: Bool) -> [(fields: [[Double]], overall: [Double])] {
        let runs = kpiWeights.count
        var fieldScores = [[[Double]]](repeating: [], count: runs)
        // Sums laid out city-major (`c * runs + b`), so the inner loop walks contiguous memory.
        var num = [Double](repeating: 0, count: runs * cityCount)
        var den = [Double](repeating: 0, count: runs * cityCount)
        var w = [Double](repeating: 0, count: runs)
        for (f, kpis) in kpisOfField.enumerated() {
            num.withUnsafeMutableBufferPointer { num in
                den.withUnsafeMutableBufferPointer { den in
                    for i in 0..<(runs * cityCount) { num[i] = 0; den[i] = 0 }
                    for k in kpis {
                        for b in 0..<runs { w[b] = kpiWeights[b][k] }
                        w.withUnsafeBufferPointer { w in
                            scores[k].withUnsafeBufferPointer { s in
                                for c in 0..<cityCount {
                                    let v = s[c]
                                    if v.isNaN { continue }
                                    let base = c * runs
                                    for b in 0..<runs { num[base + b] += w[b] * v; den[base + b] += w[b] }
                                }
                            }
                        }
                    }
                }
            }
            let eligible = fieldEligible[f]
            for b in 0..<runs {
                var out = [Double](repeating: .nan, count: cityCount)
                for c in 0..<cityCount where eligible[c] {
                    let q = num[c * runs + b] / den[c * runs + b]
                    out[c] = geometric ? exp(q) : q
                }
                fieldScores[b].append(out)
            }
        }
        return (0..<runs).map { b in
            var overall = [Double](repeating: .nan, count: cityCount)
            for c in 0..<cityCount where overallEligible[c] {
                var n = 0.0, d = 0.0
                for f in activeFields where fieldEligible[f][c] {
                    let weight = fieldWeights[b][f]
                    n += weight * (geometric ? log(fieldScores[b][f][c]) : fieldScores[b][f][c])
                    d += weight
                }
                overall[c] = geometric ? exp(n / d) : n / d
            }
            return (fieldScores[b], overall)
        }
    }
}
