import Glibc

/// A plain TCP connection over a non-blocking socket (`read`/`send` with `poll`).
final class PlainTransport: ConnectionTransport {
    private let fd: Int32

    /// Wraps the accepted, non-blocking socket `fd`; the caller keeps ownership and closes it.
    init(fd: Int32) {
        self.fd = fd
    }

    func handshake(until deadline: MonotonicInstant) -> Bool { true }

    func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: MonotonicInstant, wakeFD: Int32?, likelyEmpty: Bool) -> ReadOutcome {
        if likelyEmpty {
            switch SocketWait.wait(fd: fd, writable: false, until: deadline, wakeFD: wakeFD) {
            case .ready: break
            case .timedOut: return .timedOut
            case .woken: return .woken
            case .failed: return .failed
            }
        }
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR:
                continue
            case EAGAIN, EWOULDBLOCK:
                switch SocketWait.wait(fd: fd, writable: false, until: deadline, wakeFD: wakeFD) {
                case .ready: continue
                case .timedOut: return .timedOut
                case .woken: return .woken
                case .failed: return .failed
                }
            default:
                return .failed
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, idleTimeout: Double) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if count > 0 {
                offset += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            guard count < 0, errno == EAGAIN || errno == EWOULDBLOCK else { return false }
            let deadline = MonotonicInstant.now().advanced(bySeconds: idleTimeout)
            guard SocketWait.wait(fd: fd, writable: true, until: deadline) == .ready else { return false }
        }
        return true
    }

    func finishSending() {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
