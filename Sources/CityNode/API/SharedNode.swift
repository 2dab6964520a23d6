import Foundation

/// The node the server's connection threads share. A `Node` owns one SQLite connection, which
/// must not be used by two threads at once, so every use goes through `withNode` under a lock;
/// CPU-heavy work that needs no database (request signature checks) happens outside it.
///
/// `@unchecked Sendable`: `node` is only touched under `lock`.
final class SharedNode: @unchecked Sendable {
    private let lock = NSLock()
    private let node: Node

    init(node: Node) { self.node = node }

    /// Runs `body` with exclusive use of the node.
    func withNode<T, E: Error>(_ body: (Node) throws(E) -> T) throws(E) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(node)
    }

    /// Runs `body` with exclusive use of the node if nobody else uses it now; nil otherwise, so
    /// an event loop never waits behind a handler's long write.
    func withNodeIfFree<T>(_ body: (Node) -> T) -> T? {
        guard lock.try() else { return nil }
        defer { lock.unlock() }
        return body(node)
    }
}
