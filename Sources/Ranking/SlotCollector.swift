import Foundation

/// One result slot per concurrent iteration. `@unchecked Sendable`: every access to
/// `storage` holds `lock`.
final class SlotCollector<Element: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [Element]

    init(count: Int, empty: Element) { storage = Array(repeating: empty, count: count) }

    func store(_ value: Element, at slot: Int) {
        lock.lock()
        storage[slot] = value
        lock.unlock()
    }

    var values: [Element] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
