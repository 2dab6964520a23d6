import Foundation
import Glibc
import HTTPServer

/// Ctrl-C (SIGINT) and SIGTERM for the demo: once created, they no longer kill the process, so
/// the demo can stop between steps, shut its servers down and close its databases cleanly.
/// Wraps `HTTPServer.SignalWaiter` (the self-pipe), so the demo names no C signal API itself.
public final class DemoInterrupt: Sendable {
    private let waiter: SignalWaiter

    /// Catches SIGINT and SIGTERM and unblocks them on the calling thread (`pthread_sigmask`):
    /// a process started by a parent that blocks them (as test runners do) inherits that mask,
    /// and a blocked Ctrl-C would stay pending for ever.
    public init() {
        waiter = SignalWaiter()
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// True once a signal has arrived (checked without blocking; stays true afterwards).
    public var requested: Bool {
        if latch.value { return true }
        if waiter.wait(timeout: 0) != nil { latch.set() }
        return latch.value
    }

    /// Blocks until a signal arrives (returns at once if one already did).
    public func wait() {
        guard !requested else { return }
        _ = waiter.wait()
        latch.set()
    }

    private let latch = Latch()
}

/// A flag that goes from false to true once.
final class Latch: @unchecked Sendable {
    // Sendable because `flag` is only read and written while holding `lock`.
    private let lock = NSLock()
    private var flag = false

    var value: Bool { lock.withLock { flag } }
    func set() { lock.withLock { flag = true } }
}
