import Glibc

/// Write end of the self-pipe the signal handler writes to; set once, before any handler is
/// installed, and only read afterwards (the handler may run on any thread at any time).
private nonisolated(unsafe) var signalPipeWriteEnd: Int32 = -1

/// The C signal handler: writes the signal number to the self-pipe (`write` is async-signal-safe).
private let forwardSignal: @convention(c) (Int32) -> Void = { number in
    var byte = UInt8(truncatingIfNeeded: number)
    _ = write(signalPipeWriteEnd, &byte, 1)
}

/// Lets an executable block until SIGTERM or SIGINT and then shut the server down gracefully:
///
/// ```swift
/// let waiter = SignalWaiter()
/// try server.start()
/// _ = waiter.wait()
/// server.shutdown(gracePeriod: 10)
/// ```
///
/// It installs a handler with `signal()` that writes the signal number to a pipe (the self-pipe
/// trick), so the signal is reported whichever thread receives it. Measured on this platform:
/// a `DispatchSource.makeSignalSource` with the signal set to `SIG_IGN` never fires on Linux,
/// because the kernel discards ignored signals before libdispatch's signalfd can see them.
/// Use one waiter per process; waiters share the pipe.
public final class SignalWaiter: Sendable {
    private let readEnd: Int32

    /// The pipe, created once per process.
    private static let pipeEnds: (read: Int32, write: Int32) = {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)  // a full pipe must never block the handler
        signalPipeWriteEnd = fds[1]
        return (fds[0], fds[1])
    }()

    /// Starts catching `signals` (SIGTERM and SIGINT by default, unblocked if the process inherited
    /// them blocked); they no longer terminate the process.
    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        readEnd = SignalWaiter.pipeEnds.read
        for number in signals { signal(number, forwardSignal) }
        // A process may inherit a mask blocking these signals (measured: children spawned by the
        // Swift test runner's Foundation.Process block nearly all), which would leave them pending
        // forever; unblock them on this thread (pthread_sigmask), whose mask later threads inherit.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Blocks until one of the signals arrives and returns its number.
    public func wait() -> Int32 {
        while true {
            if let number = wait(timeout: 3600) { return number }
        }
    }

    /// Blocks at most `seconds`; returns the signal number, or nil if none arrived in time.
    public func wait(timeout seconds: Double) -> Int32? {
        let deadline = MonotonicInstant.now().advanced(bySeconds: seconds)
        while true {
            guard SocketWait.wait(fd: readEnd, writable: false, until: deadline) == .ready else { return nil }
            var byte: UInt8 = 0
            let count = read(readEnd, &byte, 1)
            if count == 1 { return Int32(byte) }
            if count < 0 && errno != EINTR && errno != EAGAIN { return nil }
        }
    }
}
