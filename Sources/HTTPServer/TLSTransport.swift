import COpenSSL
import Glibc

/// A TLS connection: one `SSL*` over a non-blocking socket, driven with `SSL_accept`,
/// `SSL_read_ex` and `SSL_write_ex`, which report `SSL_ERROR_WANT_READ/WRITE` when the socket must
/// become ready first. The `SSL*` never leaves the event loop that owns the connection.
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

    /// Maps the `SSL_get_error` of a failed call that returned `result`.
    private func outcome(of result: Int32) -> TransportResult {
        switch SSL_get_error(ssl, result) {
        case SSL_ERROR_WANT_READ: return .wantRead
        case SSL_ERROR_WANT_WRITE: return .wantWrite
        case SSL_ERROR_ZERO_RETURN: return .closed
        default:
            broken = true
            ERR_clear_error()
            return .failed
        }
    }

    func handshake() -> TransportResult {
        ERR_clear_error()
        let result = SSL_accept(ssl)
        if result == 1 {
            established = true
            return .bytes(0)
        }
        let step = outcome(of: result)
        if step == .closed { broken = true }  // a half-done handshake cannot be closed politely
        return step == .closed ? .failed : step
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        var count = 0
        let result = SSL_read_ex(ssl, buffer.baseAddress, buffer.count, &count)
        return result == 1 ? .bytes(count) : outcome(of: result)
    }

    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult {
        ERR_clear_error()
        var count = 0
        let result = SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &count)
        return result == 1 ? .bytes(count) : outcome(of: result)
    }

    /// `SSL_has_pending`: read-ahead records already taken from the socket.
    var hasBufferedInput: Bool { SSL_has_pending(ssl) == 1 }

    func finishSending() {
        if established && !broken {
            ERR_clear_error()
            _ = SSL_shutdown(ssl)  // sends close_notify; the peer's reply is not awaited
            ERR_clear_error()
        }
        Glibc.shutdown(fd, Int32(SHUT_WR))
    }
}
