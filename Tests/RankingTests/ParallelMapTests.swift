import Testing
@testable import Ranking

/// Work spread over threads must come back in the items' order, whatever the thread count.
@Suite struct ParallelMapTests {
    @Test(arguments: [1, 2, 3, 8])
    func resultsKeepTheItemsOrder(workers: Int) {
        for count in [0, 1, 15, 16, 17, 100, 301] {
            let items = Array(0..<count)
            let mapped = ParallelMap.map(items, workers: workers) { $0 * 3 + 1 }
            #expect(mapped == items.map { $0 * 3 + 1 })
        }
    }
}
