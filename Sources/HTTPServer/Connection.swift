import Glibc

/// Drives one connection on its own thread: read with deadlines, feed the parser, call the
/// handler, write the response, repeat while keep-alive lasts. All protocol decisions live in
/// `HTTPRequestParser` and `ConnectionDeadline`; this type only moves bytes and reads the clock.
struct Connection {
    let fd: Int32
    let transport: ConnectionTransport
    let peer: String
    let configuration: ServerConfiguration
    let handler: Handler
    let server: HTTPServer
    /// What this connection is doing, published for the accept thread's eviction choice.
    let activity: ConnectionActivity
    private var deadline: ConnectionDeadline
    private var parser: HTTPRequestParser
    private var date = HTTPDate()
    /// Bytes of the shared body budget this connection holds for its current request.
    private var reservedBodyBytes = 0

    init(
        fd: Int32, transport: ConnectionTransport, peer: String, acceptedAt: MonotonicInstant,
        configuration: ServerConfiguration, handler: @escaping Handler, server: HTTPServer, activity: ConnectionActivity
    ) {
        self.fd = fd
        self.transport = transport
        self.peer = peer
        self.configuration = configuration
        self.handler = handler
        self.server = server
        self.activity = activity
        self.deadline = ConnectionDeadline(timeouts: configuration.timeouts, acceptedAt: acceptedAt)
        self.parser = HTTPRequestParser(limits: configuration.parserLimits)
    }

    /// Metrics label for requests that failed framing or timed out before routing.
    static let invalidRequestLabel = "invalid"
    /// The interim response for `Expect: 100-continue`.
    private static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    mutating func run() {
        defer { releaseBody() }
        guard transport.handshake(until: deadline.current.deadline) else { return }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.readChunkBytes, alignment: 16)
        defer { buffer.deallocate() }
        var receivedBytes = false
        while true {
            switch parser.next() {
            case .request(var request):
                guard activity.beginHandling() else { return }  // evicted just before: the slot is gone
                request.peerAddress = peer
                guard respond(to: request) else { return }
                deadline.requestCompleted(now: .now())
                receivedBytes = false
            case .failure(let error):
                sendFinal(HTTPResponse.error(error))
                return
            case .needMoreData(let phase):
                if phase == .idle && server.isShuttingDown { return }
                if phase == .body && !reserveBody() {
                    sendFinal(.bodyBudgetExhausted)
                    return
                }
                deadline.observe(phase: phase, receivedBytes: receivedBytes, now: .now())
                if phase == .body, parser.takeContinueRequest() {
                    let sent = Connection.continueResponse.withUnsafeBytes {
                        transport.write($0, idleTimeout: configuration.sendIdleTimeout)
                    }
                    if !sent { return }
                }
                let (until, expiry) = deadline.current
                let wakeFD = phase == .idle ? server.shutdownSignalFD : nil
                let likelyEmpty = phase == .idle && deadline.hasServedRequests
                switch transport.read(into: buffer, until: until, wakeFD: wakeFD, likelyEmpty: likelyEmpty) {
                case .bytes(let count):
                    let now = MonotonicInstant.now()
                    if phase == .idle { deadline.observe(phase: .head, receivedBytes: true, now: now) }
                    deadline.received(bytes: count)
                    guard activity.received(count, now: now) else { return }
                    parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    receivedBytes = true
                case .timedOut:
                    if expiry == .requestTimeout && !activity.isEvicted { sendFinal(.requestTimeout) }
                    return
                case .closed, .woken, .failed:
                    return
                }
            }
        }
    }

    /// Grows this connection's share of the body budget to what the parser holds; false if refused.
    /// Checked before each further read, so a connection can be at most one read ahead of its share.
    private mutating func reserveBody() -> Bool {
        let needed = parser.bodyBytesReceived - reservedBodyBytes
        guard needed > 0 else { return true }
        guard server.reserveBodyBytes(needed) else { return false }
        reservedBodyBytes += needed
        return true
    }

    private mutating func releaseBody() {
        guard reservedBodyBytes > 0 else { return }
        server.releaseBodyBytes(reservedBodyBytes)
        reservedBodyBytes = 0
    }

    /// Answers one framed request; returns whether the connection stays open.
    private mutating func respond(to request: HTTPRequest) -> Bool {
        let started = MonotonicInstant.now()
        let response = handler(request)
        releaseBody()  // the handler is done with the body; release before the client can see the response
        let keepAlive = request.wantsKeepAlive && !server.isShuttingDown
        let bytes = response.encoded(
            keepAlive: keepAlive, requestVersion: request.version, omitBody: request.method == "HEAD", date: date.now())
        let sent = bytes.withUnsafeBytes { transport.write($0, idleTimeout: configuration.sendIdleTimeout) }
        let finished = MonotonicInstant.now()
        let seconds = finished.seconds(since: started)
        server.metrics.record(route: response.routeLabel ?? "other", status: response.status.code, seconds: seconds)
        server.accessLog.record(
            method: request.method, path: request.path, status: response.status.code, bytes: response.body.count,
            milliseconds: seconds * 1000, peer: peer)
        if sent && !keepAlive { lingeringClose() }
        return sent && keepAlive && activity.becameIdle(now: finished)
    }

    /// Sends a response generated by the server itself (framing error, timeout) and ends the connection.
    private mutating func sendFinal(_ response: HTTPResponse) {
        let started = MonotonicInstant.now()
        let bytes = response.encoded(keepAlive: false, requestVersion: .http11, omitBody: false, date: date.now())
        let sent = bytes.withUnsafeBytes { transport.write($0, idleTimeout: configuration.sendIdleTimeout) }
        let seconds = MonotonicInstant.now().seconds(since: started)
        server.metrics.record(route: Connection.invalidRequestLabel, status: response.status.code, seconds: seconds)
        server.accessLog.record(
            method: nil, path: nil, status: response.status.code, bytes: response.body.count,
            milliseconds: seconds * 1000, peer: peer)
        releaseBody()  // before lingering, which may take a while and holds no body
        if sent { lingeringClose() }
    }

    /// Stops sending, then reads and discards what the client still sends for a short while, so
    /// that closing with unread input does not make the kernel reset the connection and destroy
    /// the response before the client has read it.
    private func lingeringClose() {
        transport.finishSending()
        let until = MonotonicInstant.now().advanced(bySeconds: configuration.lingerTimeout)
        var discarded = 0
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        while discarded < configuration.lingerMaxBytes {
            let count = scratch.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                discarded += count
                continue
            }
            if count == 0 { return }
            if errno == EINTR { continue }
            guard errno == EAGAIN || errno == EWOULDBLOCK,
                SocketWait.wait(fd: fd, writable: false, until: until) == .ready
            else { return }
        }
    }
}
