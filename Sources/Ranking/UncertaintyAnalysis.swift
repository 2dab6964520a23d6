import Foundation
import Dispatch

/// Seeded Monte Carlo uncertainty of composite ranks (design §7): each run perturbs every KPI
/// and field weight by × (1 + 0.25·U(−1,1)) and picks a normalisation method at random; the
/// ranks over all runs give a median, the raw 5th–95th percentiles and an interval widened to
/// contain the point rank. Run `i` draws from its own stream of the seed, so the result does
/// not depend on how runs are spread over threads.
enum UncertaintyAnalysis {
    /// Monte Carlo runs aggregated together over one pass of a score matrix.
    static let runsPerBlock = CompositeFrame.Lanes.scalarCount
    /// Cities whose rank histograms are filled together: 64 × 1,001 bins × 4 bytes stay in
    /// a core's L2 cache, where a histogram of all cities would not.
    static let histogramTileCities = 64

    /// Rank statistics per field (`[field][city]`) and overall (`[city]`); nil where no point
    /// rank. `workers` threads share the runs (by default one per core); the result is the same
    /// for any number of them.
    static func run(frame: CompositeFrame, matrices: [[[Double]]], kpiWeights: [Double], fieldWeights: [Double],
                    geometric: Bool, runs: Int, seed: UInt64,
                    pointFieldRanks: [[Int]], pointOverallRanks: [Int],
                    workers requested: Int = ProcessInfo.processInfo.activeProcessorCount) -> (fields: [[RankUncertainty?]], overall: [RankUncertainty?]) {
        let cities = frame.cityCount
        let composites = frame.fields.count + 1
        let workers = max(1, min(requested, runs))
        let collector = SlotCollector<[Int32]>(count: workers, empty: [])
        let regrouped = matrices.map(frame.fieldMajor)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = runs * worker / workers, upper = runs * (worker + 1) / workers
            var ranks = [Int32](repeating: 0, count: (upper - lower) * composites * cities)
            var scratch = CompetitionRanking.Scratch()
            var sums: [CompositeFrame.Lanes] = []
            // Draw every run's choices from its own stream, then aggregate runs that share a
            // normalisation method in blocks, reading each score matrix once per block.
            var draws: [(method: Int, kw: [Double], fw: [Double])] = []
            for r in lower..<upper {
                var rng = SeededGenerator(seed: seed, stream: UInt64(r) &+ 1)
                let m = Int(rng.next() % UInt64(matrices.count))
                let kw = kpiWeights.map { $0 * (1 + RankingOptions.weightNoise * rng.symmetric()) }
                let fw = fieldWeights.map { $0 * (1 + RankingOptions.weightNoise * rng.symmetric()) }
                draws.append((m, kw, fw))
            }
            for m in matrices.indices {
                let members = draws.indices.filter { draws[$0].method == m }
                for start in stride(from: 0, to: members.count, by: runsPerBlock) {
                    let block = Array(members[start..<min(start + runsPerBlock, members.count)])
                    let results = frame.aggregate(scores: regrouped[m], kpiWeights: block.map { draws[$0].kw },
                                                  fieldWeights: block.map { draws[$0].fw }, geometric: geometric, scratch: &sums)
                    for (j, offset) in block.enumerated() {
                        let slot = offset * composites * cities
                        ranks.withUnsafeMutableBufferPointer { all in
                            for f in 0..<composites {
                                let out = UnsafeMutableBufferPointer(rebasing: all[(slot + f * cities)..<(slot + (f + 1) * cities)])
                                CompetitionRanking.fastRanks(f < composites - 1 ? results[j].fields[f] : results[j].overall,
                                                             into: out, scratch: &scratch)
                            }
                        }
                    }
                }
            }
            collector.store(ranks, at: worker)
        }
        let all = collector.values
        // Quantiles by counting: a histogram of ranks per city, composites spread over the
        // cores, cities in tiles whose histograms stay in cache.
        let bins = cities + 1
        let tile = max(1, min(cities, histogramTileCities))
        let statistics = SlotCollector<[RankUncertainty?]>(count: composites, empty: [])
        DispatchQueue.concurrentPerform(iterations: composites) { composite in
            let point = composite < composites - 1 ? pointFieldRanks[composite] : pointOverallRanks
            var result = [RankUncertainty?](repeating: nil, count: cities)
            var histogram = [Int32](repeating: 0, count: tile * bins)
            // Nearest-rank percentiles: the value at position ⌈p·N⌉ (1-based).
            func position(_ p: Double) -> Int { max(1, Int((p * Double(runs)).rounded(.up))) }
            let targets = [position(0.05), position(0.5), position(0.95)]
            for lower in stride(from: 0, to: cities, by: tile) {
                let upper = min(lower + tile, cities)
                histogram.withUnsafeMutableBufferPointer { h in
                    for i in 0..<h.count { h[i] = 0 }
                    for chunk in all {
                        chunk.withUnsafeBufferPointer { ranks in
                            var base = composite * cities
                            while base < ranks.count {
                                for c in lower..<upper { h[(c - lower) * bins + Int(ranks[base + c])] += 1 }
                                base += composites * cities
                            }
                        }
                    }
                    for c in lower..<upper where point[c] > 0 {
                        var found = [0, 0, 0]
                        var cumulative = 0
                        var t = 0
                        for rank in 1..<bins where t < 3 {
                            cumulative += Int(h[(c - lower) * bins + rank])
                            while t < 3 && cumulative >= targets[t] { found[t] = rank; t += 1 }
                        }
                        let q5 = found[0], median = found[1], q95 = found[2]
                        result[c] = RankUncertainty(median: median, quantiles: q5...q95,
                                                    interval: min(q5, point[c])...max(q95, point[c]))
                    }
                }
            }
            statistics.store(result, at: composite)
        }
        let stats = statistics.values
        return (Array(stats.dropLast()), stats.last!)
    }
}
