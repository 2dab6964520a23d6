import Glibc

/// A plain TCP connection over a non-blocking socket (`read` and `send`).
final class PlainTransport: ConnectionTransport {
    private let fd: Int32

    /// Wraps the accepted, non-blocking socket `fd`; the caller keeps ownership and closes it.
    init(fd: Int32) {
        self.fd = fd
    }

    func handshake() -> TransportResult { .bytes(0) }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { return .bytes(count) }
            if count == 0 { return .closed }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wantRead
            default: return .failed
            }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        while true {
            let count = send(fd, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
            if count >= 0 { return .bytes(count) }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return .wantWrite
            default: return .failed
            }
        }
    }

    var hasBufferedInput: Bool { false }

    func finishSending() {
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
