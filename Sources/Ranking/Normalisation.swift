import Foundation
import Model

/// Turns one KPI's values into scores by a `NormalisationMethod`, honouring its direction.
enum Normalisation {
    /// Scores for `x` (all present values of one KPI, one per city).
    static func scores(_ x: [Double], method: NormalisationMethod, direction: Direction, target: Double?) -> [Double] {
        switch method {
        case .minmax: return minmax(x, direction: direction)
        case .zscore: return zscore(x, direction: direction)
        case .rank: return percentileRank(x, direction: direction)
        case .target:
            guard let target else { return minmax(x, direction: direction) }
            return distanceToTarget(x, direction: direction, target: target)
        }
    }

    static func minmax(_ x: [Double], direction: Direction) -> [Double] {
        guard let lo = x.min(), let hi = x.max() else { return [] }
        let range = hi - lo
        if range == 0 { return [Double](repeating: 100, count: x.count) }
        switch direction {
        case .higher: return x.map { 100 * ($0 - lo) / range }
        case .lower: return x.map { 100 * (hi - $0) / range }
        }
    }

    static func zscore(_ x: [Double], direction: Direction) -> [Double] {
        guard !x.isEmpty else { return [] }
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
        let sigma = variance.squareRoot()
        if sigma == 0 { return [Double](repeating: 0, count: x.count) }
        let sign: Double = direction == .higher ? 1 : -1
        return x.map { sign * ($0 - mean) / sigma }
    }

    /// `100 · (cities with a strictly worse value) / (n − 1)`; all 100 when every value is equal.
    static func percentileRank(_ x: [Double], direction: Direction) -> [Double] {
        let n = x.count
        guard n > 1 else { return [Double](repeating: 100, count: n) }
        // Oriented so that larger is better.
        let v = direction == .higher ? x : x.map { -$0 }
        let order = v.indices.sorted { v[$0] < v[$1] }
        if v[order[0]] == v[order[n - 1]] { return [Double](repeating: 100, count: n) }
        var out = [Double](repeating: 0, count: n)
        var worse = 0
        var i = 0
        while i < n {
            var j = i
            while j + 1 < n && v[order[j + 1]] == v[order[i]] { j += 1 }
            for k in i...j { out[order[k]] = 100 * Double(worse) / Double(n - 1) }
            worse = j + 1
            i = j + 1
        }
        return out
    }

    /// Distance to a target, capped at 100 (COINr `n_dist2targ`); 100 for all when the target is
    /// no better than the worst value.
    static func distanceToTarget(_ x: [Double], direction: Direction, target: Double) -> [Double] {
        guard let lo = x.min(), let hi = x.max() else { return [] }
        switch direction {
        case .higher:
            let span = target - lo
            if span <= 0 { return [Double](repeating: 100, count: x.count) }
            return x.map { 100 * min(1, ($0 - lo) / span) }
        case .lower:
            let span = hi - target
            if span <= 0 { return [Double](repeating: 100, count: x.count) }
            return x.map { 100 * min(1, (hi - $0) / span) }
        }
    }

    /// Maps scores linearly onto [`RankingOptions.geometricFloor`, 100] for geometric
    /// aggregation; all 100 when they are equal.
    static func toGeometricRange(_ s: [Double]) -> [Double] {
        guard let lo = s.min(), let hi = s.max() else { return [] }
        let floor = RankingOptions.geometricFloor
        if hi - lo == 0 { return [Double](repeating: 100, count: s.count) }
        return s.map { floor + (100 - floor) * ($0 - lo) / (hi - lo) }
    }
}

/// JRC outlier treatment: winsorise while the distribution is both skewed and heavy-tailed.
enum Winsorisation {
    /// Population skewness and excess kurtosis; nil when all values are equal.
    static func shape(_ x: [Double]) -> (skew: Double, kurtosis: Double)? {
        let n = Double(x.count)
        guard x.count > 2 else { return nil }
        let mean = x.reduce(0, +) / n
        var m2 = 0.0, m3 = 0.0, m4 = 0.0
        for v in x {
            let d = v - mean
            m2 += d * d
            m3 += d * d * d
            m4 += d * d * d * d
        }
        m2 /= n; m3 /= n; m4 /= n
        guard m2 > 0 else { return nil }
        return (m3 / pow(m2, 1.5), m4 / (m2 * m2) - 3)
    }

    /// `x` with its most extreme values pulled in to the next value, on the side of the skew,
    /// until |skew| ≤ 2 or excess kurtosis ≤ 3.5 or `RankingOptions.maxWinsorisedPoints` points
    /// have been moved; also returns how many points moved.
    static func treat(_ x: [Double]) -> (values: [Double], moved: Int) {
        var v = x
        var moved = 0
        while moved < RankingOptions.maxWinsorisedPoints, let s = shape(v),
              abs(s.skew) > RankingOptions.skewLimit, s.kurtosis > RankingOptions.kurtosisLimit {
            let high = s.skew > 0
            let extreme = high ? v.max()! : v.min()!
            let rest = v.filter { $0 != extreme }
            guard let next = high ? rest.max() : rest.min() else { break }
            let count = v.reduce(0) { $0 + ($1 == extreme ? 1 : 0) }
            if moved + count > RankingOptions.maxWinsorisedPoints { break }
            for i in v.indices where v[i] == extreme { v[i] = next }
            moved += count
        }
        return (v, moved)
    }
}
