/// One connection as its event loop drives it: what it waits for, the parser and deadlines of
/// the request under way, and response bytes not yet sent. Only the owning loop's thread touches
/// it, so it needs no lock.
final class LoopConnection {
    /// What the connection is doing.
    enum Mode {
        /// TLS handshake under way.
        case handshaking
        /// Receiving (or waiting for) a request.
        case reading
        /// A handler on the pool works on the request; the socket is not watched for input.
        case handling
        /// Sending `output`; then reading again, or lingering when `closeAfterOutput`.
        case writing
        /// After the final response: discarding what the client still sends, then closing.
        case lingering
        /// Closed and removed from its loop.
        case closed
    }

    /// The server's id for the connection.
    let id: UInt64
    /// The accepted, non-blocking socket.
    let fd: Int32
    /// The client's IP address as text.
    let peer: String
    /// Plain or TLS byte stream over `fd`.
    let transport: ConnectionTransport
    /// What the connection is doing, published for the accept thread's eviction choice.
    let activity: ConnectionActivity
    var mode: Mode
    var parser: HTTPRequestParser
    var deadline: ConnectionDeadline
    /// Index of this connection's entry in its loop's poll set.
    var slot = 0
    /// The poll events the connection waits for (0 while a handler works).
    var waitsFor: Int16 = 0
    /// When the loop must look at the connection again without an event.
    var wakeAt = MonotonicInstant(nanoseconds: .max)
    /// Response bytes being sent, from `outputOffset` on.
    var output: [UInt8] = []
    var outputOffset = 0
    /// Whether the connection closes (lingering first) once `output` is sent.
    var closeAfterOutput = false
    /// Whether sending `output` completes a request (false for `100 Continue`).
    var outputCompletesRequest = false
    /// Deadline of a blocked send; moves with every byte the client takes.
    var sendDeadline: MonotonicInstant?
    /// End of the lingering close and the bytes discarded so far.
    var lingerDeadline = MonotonicInstant(nanoseconds: 0)
    var lingerDiscarded = 0
    /// Bytes of the shared body budget held for the current request.
    var reservedBodyBytes = 0
    /// Whether the last read delivered data (for the body-idle deadline).
    var receivedBytes = false
    /// False once a read found the socket drained; poll says when more arrives, which saves a
    /// read that would only return `EAGAIN` after every response.
    var socketMayHaveInput = true

    init(
        id: UInt64, fd: Int32, peer: String, transport: ConnectionTransport, activity: ConnectionActivity,
        acceptedAt: MonotonicInstant, configuration: ServerConfiguration, handshakes: Bool
    ) {
        self.id = id
        self.fd = fd
        self.peer = peer
        self.transport = transport
        self.activity = activity
        self.mode = handshakes ? .handshaking : .reading
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
        self.deadline = ConnectionDeadline(timeouts: configuration.timeouts, acceptedAt: acceptedAt)
    }

    /// When the current wait ends, whatever the mode.
    var currentDeadline: MonotonicInstant {
        switch mode {
        case .handshaking, .reading: return deadline.current.deadline
        case .writing: return sendDeadline ?? MonotonicInstant(nanoseconds: .max)
        case .lingering: return lingerDeadline
        case .handling, .closed: return MonotonicInstant(nanoseconds: .max)
        }
    }
}
