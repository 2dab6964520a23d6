import COpenSSL
import Glibc

/// A TLS connection: one `SSL*` over a non-blocking socket, driven with `SSL_accept`,
/// `SSL_read_ex` and `SSL_write_ex`, waiting with `poll` on `SSL_ERROR_WANT_READ/WRITE`.
/// The `SSL*` never leaves the connection's thread.
final class TLSTransport: ConnectionTransport {
    private let fd: Int32
    private let ssl: OpaquePointer
    /// Set after a fatal TLS or socket error, when `SSL_shutdown` must not be called.
    private var broken = false
    private var established = false

    /// Creates the session with `SSL_new` and binds it to `fd` with `SSL_set_fd`; nil if OpenSSL refuses.
    init?(context: TLSContext, fd: Int32) {
        guard let ssl = SSL_new(context.context) else { return nil }
        guard SSL_set_fd(ssl, fd) == 1 else {
            SSL_free(ssl)
            return nil
        }
        self.fd = fd
        self.ssl = ssl
    }

    deinit { SSL_free(ssl) }

    /// Waits as OpenSSL asks after a call that returned `result`; nil means retry, otherwise the final outcome.
    private func waitAfter(_ result: Int32, until deadline: MonotonicInstant, wakeFD: Int32?) -> ReadOutcome? {
        let error = SSL_get_error(ssl, result)
        let outcome: SocketWait.Outcome
        switch error {
        case SSL_ERROR_WANT_READ:
            outcome = SocketWait.wait(fd: fd, writable: false, until: deadline, wakeFD: wakeFD)
        case SSL_ERROR_WANT_WRITE:
            outcome = SocketWait.wait(fd: fd, writable: true, until: deadline, wakeFD: wakeFD)
        case SSL_ERROR_ZERO_RETURN:
            return .closed
        default:
            broken = true
            ERR_clear_error()
            return .failed
        }
        switch outcome {
        case .ready: return nil
        case .timedOut: return .timedOut
        case .woken: return .woken
        case .failed:
            broken = true
            return .failed
        }
    }

    func handshake(until deadline: MonotonicInstant) -> Bool {
        while true {
            ERR_clear_error()
            let result = SSL_accept(ssl)
            if result == 1 {
                established = true
                return true
            }
            if let outcome = waitAfter(result, until: deadline, wakeFD: nil) {
                if outcome != .failed { broken = true }  // a half-done handshake cannot be closed politely
                return false
            }
        }
    }

    func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: MonotonicInstant, wakeFD: Int32?, likelyEmpty: Bool) -> ReadOutcome {
        if likelyEmpty && SSL_has_pending(ssl) == 0 {
            switch SocketWait.wait(fd: fd, writable: false, until: deadline, wakeFD: wakeFD) {
            case .ready: break
            case .timedOut: return .timedOut
            case .woken: return .woken
            case .failed: return .failed
            }
        }
        while true {
            ERR_clear_error()
            var count = 0
            let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
            if result == 1 { return .bytes(count) }
            if let outcome = waitAfter(result, until: deadline, wakeFD: wakeFD) { return outcome }
        }
    }

    func write(_ bytes: UnsafeRawBufferPointer, idleTimeout: Double) -> Bool {
        var offset = 0
        var deadline = MonotonicInstant.now().advanced(bySeconds: idleTimeout)
        while offset < bytes.count {
            ERR_clear_error()
            var count = 0
            let result = SSL_write_ex(ssl, bytes.baseAddress! + offset, bytes.count - offset, &count)
            if result == 1 {
                offset += count
                deadline = MonotonicInstant.now().advanced(bySeconds: idleTimeout)
                continue
            }
            if waitAfter(result, until: deadline, wakeFD: nil) != nil { return false }
        }
        return true
    }

    func finishSending() {
        if established && !broken {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)  // sends close_notify; the peer's reply is not awaited
            ERR_clear_error()
        }
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
