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

    /// Cities summed together: their SIMD sums (2 × 64 bytes each) stay in the L1 cache.
    static let cityTile = 128

    /// Weight sets aggregated side by side, one per SIMD lane.
    typealias Lanes = SIMD8<Double>

    /// The same for several weight sets at once (one per Monte Carlo run): the score matrix is
    /// read once per `Lanes.scalarCount` sets, which are summed side by side in SIMD lanes, and
    /// each set's arithmetic is exactly that of a lone call (the same operations in the same
    /// order, lane by lane).
    func aggregate(scores: [[Double]], kpiWeights: [[Double]], fieldWeights: [[Double]],
                   geometric: Bool) -> [(fields: [[Double]], overall: [Double])] {
        var out: [(fields: [[Double]], overall: [Double])] = []
        out.reserveCapacity(kpiWeights.count)
        for start in stride(from: 0, to: kpiWeights.count, by: Lanes.scalarCount) {
            let end = min(start + Lanes.scalarCount, kpiWeights.count)
            out += aggregateLanes(scores: scores, kpiWeights: kpiWeights[start..<end],
                                  fieldWeights: fieldWeights[start..<end], geometric: geometric)
        }
        return out
    }

    /// Up to `Lanes.scalarCount` weight sets; unused lanes carry weight 0 and are ignored.
    private func aggregateLanes(scores: [[Double]], kpiWeights: ArraySlice<[Double]>, fieldWeights: ArraySlice<[Double]>,
                                geometric: Bool) -> [(fields: [[Double]], overall: [Double])] {
        let runs = kpiWeights.count
        let first = kpiWeights.startIndex
        var fieldScores = [[[Double]]](repeating: [], count: runs)
        let tile = min(cityCount, CompositeFrame.cityTile)
        var num = [Lanes](repeating: .zero, count: tile)
        var den = [Lanes](repeating: .zero, count: tile)
        for (f, kpis) in kpisOfField.enumerated() {
            let weights: [Lanes] = kpis.map { k in
                var w = Lanes.zero
                for b in 0..<runs { w[b] = kpiWeights[first + b][k] }
                return w
            }
            let eligible = fieldEligible[f]
            var outs = [[Double]](repeating: [Double](repeating: .nan, count: cityCount), count: runs)
            // Cities in tiles whose sums stay in the L1 cache while every KPI of the field is
            // added; each city still sums its KPIs in the same order.
            for lower in stride(from: 0, to: cityCount, by: max(tile, 1)) {
                let upper = min(lower + tile, cityCount)
                num.withUnsafeMutableBufferPointer { num in
                    den.withUnsafeMutableBufferPointer { den in
                        for c in 0..<(upper - lower) { num[c] = .zero; den[c] = .zero }
                        for (i, k) in kpis.enumerated() {
                            let w = weights[i]
                            scores[k].withUnsafeBufferPointer { s in
                                for c in lower..<upper {
                                    let v = s[c]
                                    if v.isNaN { continue }
                                    num[c - lower] += w * v
                                    den[c - lower] += w
                                }
                            }
                        }
                    }
                }
                for b in 0..<runs {
                    outs[b].withUnsafeMutableBufferPointer { out in
                        for c in lower..<upper where eligible[c] {
                            let q = num[c - lower][b] / den[c - lower][b]
                            out[c] = geometric ? exp(q) : q
                        }
                    }
                }
            }
            for b in 0..<runs { fieldScores[b].append(outs[b]) }
        }
        return (0..<runs).map { b in
            let weights = fieldWeights[first + b]
            var overall = [Double](repeating: .nan, count: cityCount)
            for c in 0..<cityCount where overallEligible[c] {
                var n = 0.0, d = 0.0
                for f in activeFields where fieldEligible[f][c] {
                    let weight = weights[f]
                    n += weight * (geometric ? log(fieldScores[b][f][c]) : fieldScores[b][f][c])
                    d += weight
                }
                overall[c] = geometric ? exp(n / d) : n / d
            }
            return (fieldScores[b], overall)
        }
    }
}
