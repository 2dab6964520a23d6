import Foundation

/// A mutex with a closure-scoped critical section (Foundation's `NSLock`).
final class NSLockLike: @unchecked Sendable {
    // NSLock is thread-safe by construction.
    private let lock = NSLock()

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}
