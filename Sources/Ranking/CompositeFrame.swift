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

    /// Weight sets aggregated side by side, one per SIMD lane.
    typealias Lanes = SIMD8<Double>

    /// A score matrix regrouped for aggregation: per field, each city's scores of the field's
    /// KPIs side by side (`[field][city · m + i]` for the field's `m` KPIs), so one city's
    /// sums are built in registers from one contiguous run of memory.
    struct FieldMajorScores: Sendable {
        let fields: [[Double]]
    }

    /// `scores` (`[kpi][city]`) regrouped by field.
    func fieldMajor(_ scores: [[Double]]) -> FieldMajorScores {
        FieldMajorScores(fields: kpisOfField.map { kpis in
            let m = kpis.count
            var out = [Double](repeating: .nan, count: cityCount * m)
            out.withUnsafeMutableBufferPointer { out in
                for (i, k) in kpis.enumerated() {
                    scores[k].withUnsafeBufferPointer { row in
                        for c in 0..<cityCount { out[c * m + i] = row[c] }
                    }
                }
            }
            return out
        })
    }

    /// The same for several weight sets at once (one per Monte Carlo run).
    func aggregate(scores: [[Double]], kpiWeights: [[Double]], fieldWeights: [[Double]],
                   geometric: Bool) -> [(fields: [[Double]], overall: [Double])] {
        aggregate(scores: fieldMajor(scores), kpiWeights: kpiWeights, fieldWeights: fieldWeights, geometric: geometric)
    }

    /// Several weight sets over regrouped scores: `Lanes.scalarCount` sets are summed side by
    /// side in SIMD lanes, and each set's arithmetic is exactly that of a lone call (the same
    /// operations in the same order, lane by lane).
    func aggregate(scores: FieldMajorScores, kpiWeights: [[Double]], fieldWeights: [[Double]],
                   geometric: Bool) -> [(fields: [[Double]], overall: [Double])] {
        var scratch: [Lanes] = []
        return aggregate(scores: scores, kpiWeights: kpiWeights, fieldWeights: fieldWeights, geometric: geometric, scratch: &scratch)
    }

    /// The same with a buffer kept by the caller across calls (the Monte Carlo loop), so the
    /// per-field sums do not take fresh memory each time.
    func aggregate(scores: FieldMajorScores, kpiWeights: [[Double]], fieldWeights: [[Double]],
                   geometric: Bool, scratch: inout [Lanes]) -> [(fields: [[Double]], overall: [Double])] {
        var out: [(fields: [[Double]], overall: [Double])] = []
        out.reserveCapacity(kpiWeights.count)
        for start in stride(from: 0, to: kpiWeights.count, by: Lanes.scalarCount) {
            let end = min(start + Lanes.scalarCount, kpiWeights.count)
            out += aggregateLanes(scores: scores, kpiWeights: kpiWeights[start..<end],
                                  fieldWeights: fieldWeights[start..<end], geometric: geometric, quotients: &scratch)
        }
        return out
    }

    /// Up to `Lanes.scalarCount` weight sets; unused lanes carry weight 0 and are ignored.
    /// Per city and field: `num += w·score; den += w` over the field's KPIs in order (missing
    /// scores skipped), field score `num / den` (`exp` of it when geometric); overall: the
    /// same over the city's eligible fields with field weights (of the logs when geometric).
    private func aggregateLanes(scores: FieldMajorScores, kpiWeights: ArraySlice<[Double]>, fieldWeights: ArraySlice<[Double]>,
                                geometric: Bool, quotients: inout [Lanes]) -> [(fields: [[Double]], overall: [Double])] {
        let runs = kpiWeights.count
        let first = kpiWeights.startIndex
        let fieldCount = kpisOfField.count
        // Field quotients per field and city, all lanes; NaN where the city is not eligible.
        if quotients.count != fieldCount * cityCount {
            quotients = [Lanes](repeating: Lanes(repeating: .nan), count: fieldCount * cityCount)
        } else {
            quotients.withUnsafeMutableBufferPointer { $0.update(repeating: Lanes(repeating: .nan)) }
        }
        quotients.withUnsafeMutableBufferPointer { quotients in
            for (f, kpis) in kpisOfField.enumerated() {
                let m = kpis.count
                let weights: [Lanes] = kpis.map { k in
                    var w = Lanes.zero
                    for b in 0..<runs { w[b] = kpiWeights[first + b][k] }
                    return w
                }
                let eligible = fieldEligible[f]
                weights.withUnsafeBufferPointer { w in
                    scores.fields[f].withUnsafeBufferPointer { rows in
                        for c in 0..<cityCount where eligible[c] {
                            var num = Lanes.zero, den = Lanes.zero
                            let base = c * m
                            for i in 0..<m {
                                let v = rows[base + i]
                                if v.isNaN { continue }
                                num += w[i] * v
                                den += w[i]
                            }
                            quotients[f * cityCount + c] = num / den
                        }
                    }
                }
            }
        }
        var fieldWeightLanes = [Lanes](repeating: .zero, count: fieldCount)
        for f in 0..<fieldCount { for b in 0..<runs { fieldWeightLanes[f][b] = fieldWeights[first + b][f] } }
        var overallLanes = [Lanes](repeating: Lanes(repeating: .nan), count: cityCount)
        for c in 0..<cityCount where overallEligible[c] {
            var n = Lanes.zero, d = Lanes.zero
            for f in activeFields where fieldEligible[f][c] {
                var q = quotients[f * cityCount + c]
                // The overall mean reads the field scores as stored: exp(q), and its log.
                if geometric { for b in 0..<runs { q[b] = log(exp(q[b])) } }
                n += fieldWeightLanes[f] * q
                d += fieldWeightLanes[f]
            }
            overallLanes[c] = n / d
        }
        return (0..<runs).map { b in
            let fields: [[Double]] = (0..<fieldCount).map { f in
                (0..<cityCount).map { c in
                    let q = quotients[f * cityCount + c][b]
                    return geometric && !q.isNaN ? exp(q) : q
                }
            }
            let overall: [Double] = (0..<cityCount).map { c in
                let q = overallLanes[c][b]
                return geometric && overallEligible[c] ? exp(q) : q
            }
            return (fields, overall)
        }
    }
}
