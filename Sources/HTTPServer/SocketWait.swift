import Glibc

/// Waits with `poll()` until a socket is readable or writable, a deadline passes, or the server's
/// shutdown pipe becomes readable. This is how every read and write gets a deadline that is total
/// rather than per call.
enum SocketWait {
    /// How a wait ended.
    enum Outcome: Equatable {
        case ready
        case timedOut
        /// The shutdown pipe became readable.
        case woken
        case failed
    }

    /// Waits for `fd` to become readable (or writable) until `deadline`; with `wakeFD`, also ends when that fd is readable.
    static func wait(fd: Int32, writable: Bool, until deadline: MonotonicInstant, wakeFD: Int32? = nil) -> Outcome {
        var fds = [pollfd(fd: fd, events: Int16(writable ? POLLOUT : POLLIN), revents: 0)]
        if let wakeFD { fds.append(pollfd(fd: wakeFD, events: Int16(POLLIN), revents: 0)) }
        while true {
            let now = MonotonicInstant.now()
            guard now < deadline else { return .timedOut }
            let remainingMilliseconds = (deadline.nanoseconds - now.nanoseconds + 999_999) / 1_000_000
            let timeout = Int32(min(remainingMilliseconds, UInt64(Int32.max)))
            let result = poll(&fds, nfds_t(fds.count), timeout)
            if result < 0 {
                if errno == EINTR { continue }
                return .failed
            }
            if result == 0 { continue }  // re-check the clock: poll may wake a little early
            if fds.count > 1, fds[1].revents != 0 { return .woken }
            if fds[0].revents != 0 { return .ready }
        }
    }
}
