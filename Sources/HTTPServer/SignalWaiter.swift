import Dispatch
import Foundation
import Glibc

/// Lets an executable block until SIGTERM or SIGINT and then shut the server down gracefully:
///
/// ```swift
/// let waiter = SignalWaiter()           // before starting threads
/// try server.start()
/// _ = waiter.wait()
/// server.shutdown(gracePeriod: 10)
/// ```
///
/// The default action of each signal is set to ignore (`signal(_, SIG_IGN)`) so it no longer kills
/// the process, and a `DispatchSource.makeSignalSource` reports it instead.
///
/// `@unchecked Sendable`: `sources` is immutable after init; `received` is only touched under `lock`.
public final class SignalWaiter: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var received: [Int32] = []

    /// Starts listening for `signals` (SIGTERM and SIGINT by default).
    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        let queue = DispatchQueue(label: "citybench.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in signals {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            sources.append(source)
        }
        self.sources = sources
        for (source, number) in zip(sources, signals) {
            source.setEventHandler { [weak self] in self?.deliver(number) }
            source.resume()
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// Blocks until one of the signals arrives and returns its number.
    public func wait() -> Int32 {
        semaphore.wait()
        return takeReceived()
    }

    /// Blocks at most `seconds`; returns the signal number, or nil if none arrived in time.
    public func wait(timeout seconds: Double) -> Int32? {
        guard semaphore.wait(timeout: .now() + seconds) == .success else { return nil }
        return takeReceived()
    }

    private func deliver(_ number: Int32) {
        lock.lock()
        received.append(number)
        lock.unlock()
        semaphore.signal()
    }

    private func takeReceived() -> Int32 {
        lock.lock()
        defer { lock.unlock() }
        return received.isEmpty ? 0 : received.removeFirst()
    }
}
