/// How one non-blocking step on a connection's byte stream ended.
enum TransportResult: Equatable {
    /// This many bytes were read or written (0 for a completed handshake).
    case bytes(Int)
    /// Nothing can happen until the socket is readable.
    case wantRead
    /// Nothing can happen until the socket is writable.
    case wantWrite
    /// The peer closed the connection (or the TLS session) cleanly.
    case closed
    /// A socket or TLS error; the connection is unusable.
    case failed
}

/// The byte stream under one connection, plain or TLS, over a non-blocking socket. Only the event
/// loop that owns the connection calls it; every call returns at once, and the loop waits for
/// readiness with `poll` and enforces the deadlines.
protocol ConnectionTransport: AnyObject {
    /// Advances the handshake; `.bytes(0)` once it is complete.
    func handshake() -> TransportResult
    /// Reads at most `buffer.count` bytes.
    func read(into buffer: UnsafeMutableRawBufferPointer) -> TransportResult
    /// Writes a prefix of `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) -> TransportResult
    /// Whether input was already taken from the socket and is waiting inside the transport (TLS
    /// records read ahead), so a read can succeed although the socket is not readable.
    var hasBufferedInput: Bool { get }
    /// Ends the session and stops sending (TLS close_notify, then `shutdown(SHUT_WR)`), keeping the fd open for a lingering read.
    func finishSending()
}
