/// How a read on a connection ended.
enum ReadOutcome: Equatable {
    /// This many bytes were placed at the start of the buffer.
    case bytes(Int)
    /// The peer closed the connection (or the TLS session) cleanly.
    case closed
    /// The deadline passed first.
    case timedOut
    /// The server began shutting down while the connection was idle.
    case woken
    /// A socket or TLS error; the connection is unusable.
    case failed
}

/// The byte stream under one connection, plain or TLS, used only by the connection's own thread.
/// Sockets are non-blocking; every wait goes through `SocketWait` so deadlines are exact.
protocol ConnectionTransport: AnyObject {
    /// Completes any handshake before `deadline`; false means drop the connection.
    func handshake(until deadline: MonotonicInstant) -> Bool
    /// Reads at most `buffer.count` bytes, waiting until `deadline`; with `wakeFD`, also stops at shutdown.
    /// `likelyEmpty` says that no input is expected yet (a kept-alive connection right after its
    /// response), so waiting first saves the read call that would only return `EAGAIN`.
    func read(into buffer: UnsafeMutableRawBufferPointer, until deadline: MonotonicInstant, wakeFD: Int32?, likelyEmpty: Bool) -> ReadOutcome
    /// Writes all of `bytes`, giving up when the peer reads nothing for `idleTimeout` seconds.
    func write(_ bytes: UnsafeRawBufferPointer, idleTimeout: Double) -> Bool
    /// Ends the session and stops sending (TLS close_notify, then `shutdown(SHUT_WR)`), keeping the fd open for a lingering read.
    func finishSending()
}
