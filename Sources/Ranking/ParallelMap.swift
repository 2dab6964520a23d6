import Dispatch
import Foundation

/// `map` over the cores for independent, similar-sized items (KPIs): contiguous blocks, one
/// per core, results in the items' order, so the outcome does not depend on the threads.
enum ParallelMap {
    /// Items below which everything runs on the calling thread.
    static let minimumItems = 16

    static func map<T: Sendable, R: Sendable>(_ items: [T], workers requested: Int = ProcessInfo.processInfo.activeProcessorCount,
                                              _ transform: @Sendable (T) -> R) -> [R] {
        let workers = max(1, min(requested, items.count / max(1, minimumItems / 2)))
        if workers == 1 || items.count < minimumItems { return items.map(transform) }
        let blocks = SlotCollector<[R]>(count: workers, empty: [])
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let lower = items.count * w / workers, upper = items.count * (w + 1) / workers
            blocks.store(items[lower..<upper].map(transform), at: w)
        }
        return blocks.values.flatMap { $0 }
    }
}
