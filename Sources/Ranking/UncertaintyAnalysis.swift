import Foundation
import Dispatch

/// Seeded Monte Carlo uncertainty of composite ranks (design §7): each run perturbs every KPI
/// and field weight by × (1 + 0.25·U(−1,1)) and picks a normalisation method at random; the
/// ranks over all runs give a median, the raw 5th–95th percentiles and an interval widened to
/// contain the point rank. Run `i` draws from its own stream of the seed, so the result does
/// not depend on how runs are spread over threads.
enum UncertaintyAnalysis {
    /// Rank statistics per field (`[field][city]`) and overall (`[city]`); nil where no point rank.
    static func run(frame: CompositeFrame, matrices: [[[Double]]], kpiWeights: [Double], fieldWeights: [Double],
                    geometric: Bool, runs: Int, seed: UInt64,
                    pointFieldRanks: [[Int]], pointOverallRanks: [Int]) -> (fields: [[RankUncertainty?]], overall: [RankUncertainty?]) {
        let cities = frame.cityCount
        let composites = frame.fields.count + 1
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, runs))
        let collector = RankCollector(workers: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = runs * worker / workers, upper = runs * (worker + 1) / workers
            var ranks = [Int32](repeating: 0, count: (upper - lower) * composites * cities)
            var slot = 0
            for r in lower..<upper {
                var rng = SeededGenerator(seed: seed, stream: UInt64(r) &+ 1)
                let m = Int(rng.next() % UInt64(matrices.count))
                let kw = kpiWeights.map { $0 * (1 + RankingOptions.weightNoise * rng.symmetric()) }
                let fw = fieldWeights.map { $0 * (1 + RankingOptions.weightNoise * rng.symmetric()) }
                let result = frame.aggregate(scores: matrices[m], kpiWeights: kw, fieldWeights: fw, geometric: geometric)
                for f in 0..<frame.fields.count {
                    for (c, rank) in CompetitionRanking.ranks(result.fields[f]).enumerated() { ranks[slot + f * cities + c] = Int32(rank) }
                }
                for (c, rank) in CompetitionRanking.ranks(result.overall).enumerated() {
                    ranks[slot + (composites - 1) * cities + c] = Int32(rank)
                }
                slot += composites * cities
            }
            collector.store(ranks, worker: worker)
        }
        let all = collector.chunks
        func statistics(composite: Int, city: Int, point: Int) -> RankUncertainty? {
            guard point > 0 else { return nil }
            var values: [Int32] = []
            values.reserveCapacity(runs)
            for chunk in all {
                var i = composite * cities + city
                while i < chunk.count { values.append(chunk[i]); i += composites * cities }
            }
            values.sort()
            func quantile(_ p: Double) -> Int {
                let index = max(0, Int((p * Double(values.count)).rounded(.up)) - 1)
                return Int(values[min(index, values.count - 1)])
            }
            let q5 = quantile(0.05), q95 = quantile(0.95)
            return RankUncertainty(median: quantile(0.5), quantiles: q5...q95, interval: min(q5, point)...max(q95, point))
        }
        let fields = (0..<frame.fields.count).map { f in
            (0..<cities).map { c in statistics(composite: f, city: c, point: pointFieldRanks[f][c]) }
        }
        let overall = (0..<cities).map { c in statistics(composite: composites - 1, city: c, point: pointOverallRanks[c]) }
        return (fields, overall)
    }
}

/// Gathers each worker's ranks. `@unchecked Sendable`: every access to `storage` holds `lock`.
private final class RankCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[Int32]]

    init(workers: Int) { storage = Array(repeating: [], count: workers) }

    func store(_ ranks: [Int32], worker: Int) {
        lock.lock()
        storage[worker] = ranks
        lock.unlock()
    }

    var chunks: [[Int32]] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
