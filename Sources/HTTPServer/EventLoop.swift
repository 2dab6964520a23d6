import Foundation
import Glibc

/// One thread that serves many connections over non-blocking sockets: a `poll` over all of them
/// returns every ready socket at once, requests are parsed inline, cheap handlers run inline and
/// others go to the `HandlerPool`. This replaces a thread per connection, whose wake-up per
/// request cost more CPU than the request itself (measured with perf: the scheduler dominated).
///
/// `poll` rather than epoll because Glibc's Swift module does not export `sys/epoll.h`; the poll
/// set is kept as an array that changes in place, so changing what a connection waits for costs no
/// system call, and a loop holds at most `maxConnections / loops` sockets.
///
/// Deadlines are checked in a sweep at the earliest deadline of any connection, so a connection's
/// wait costs no timer system call.
///
/// `@unchecked Sendable`: `inbox`, `completions`, `wakePending` and `stopRequested` are only
/// touched under `lock`; everything else only on the loop's own thread.
final class EventLoop: @unchecked Sendable {
    /// A connection handed over by the accept thread.
    struct Arrival {
        let id: UInt64
        let fd: Int32
        let peer: String
        let acceptedAt: MonotonicInstant
        let activity: ConnectionActivity
    }

    /// A request framed in this pass of the loop, decided at its end.
    private struct FramedRequest {
        let connection: LoopConnection
        let request: HTTPRequest
        let started: MonotonicInstant
    }

    /// A response produced on the handler pool.
    private struct Completion {
        let id: UInt64
        let request: HTTPRequest
        let response: HTTPResponse
        let started: MonotonicInstant
    }

    // Unowned(unsafe), which skips a reference-count check per use: the loop's thread keeps the
    // server alive while it runs, and the calls from other threads (adopt, wake, stop, complete) never touch it.
    private unowned(unsafe) let server: HTTPServer
    private let configuration: ServerConfiguration
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let lock = NSLock()
    private var inbox: [Arrival] = []
    private var completions: [Completion] = []
    private var wakePending = false
    private var stopRequested = false

    // Loop-thread state.
    private var pollSet: [pollfd] = []
    private var members: [LoopConnection?] = []
    private var connections: [UInt64: LoopConnection] = [:]
    private var nextSweep = MonotonicInstant(nanoseconds: .max)
    private var date = HTTPDate()
    private var shutdownSeen = false
    /// The clock read once per pass of the loop; deadlines and data rates use it, so a request
    /// costs no clock read of its own except for its latency measurement.
    private var now = MonotonicInstant.now()
    /// Access-log lines of this pass, handed to the `AccessLog` at its end (one lock per pass).
    private var logLines: [UInt8] = []
    /// Requests framed in this pass; their routes decide after every ready socket has been read.
    private var framed: [FramedRequest] = []
    private var deciding: [FramedRequest] = []
    private var outcomes: [RouteOutcome] = []
    private let buffer: UnsafeMutableRawBufferPointer

    /// The interim response for `Expect: 100-continue`.
    private static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    /// Metrics label for requests that failed framing or timed out before routing.
    static let invalidRequestLabel = "invalid"

    /// A loop for `server`; call `start` to run it.
    init(server: HTTPServer) throws {
        self.server = server
        self.configuration = server.configuration
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HTTPServerError.socketFailed("create a pipe", errno: errno) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds { HTTPServer.makeNonBlockingAndCloseOnExec(fd) }
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: configuration.readChunkBytes, alignment: 16)
        pollSet.append(pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0))
        members.append(nil)
    }

    deinit {
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
        buffer.deallocate()
    }

    /// Starts the loop's thread; it holds the server until the loop stops.
    func start(name: String) {
        let thread = Thread { [server, self] in
            withExtendedLifetime(server) { run() }
        }
        thread.name = name
        thread.stackSize = configuration.connectionThreadStackBytes
        thread.start()
    }

    // MARK: - Called from other threads

    /// Hands an accepted connection to this loop.
    func adopt(_ arrival: Arrival) {
        lock.lock()
        inbox.append(arrival)
        lock.unlock()
        wake()
    }

    /// Makes the loop look at shutdown state (idle connections close when shutdown has begun).
    func wake() {
        lock.lock()
        let needed = !wakePending
        wakePending = true
        lock.unlock()
        if needed {
            var byte: UInt8 = 1
            _ = write(wakeWrite, &byte, 1)
        }
    }

    /// Closes every connection left and ends the loop's thread.
    func stop() {
        lock.lock()
        stopRequested = true
        lock.unlock()
        wake()
    }

    private func complete(_ completion: Completion) {
        lock.lock()
        completions.append(completion)
        lock.unlock()
        wake()
    }

    // MARK: - The loop

    private func run() {
        while true {
            now = MonotonicInstant.now()
            var timeout: Int32 = -1
            if !framed.isEmpty {
                timeout = 0  // requests pipelined behind answered ones wait for this pass's decisions
            } else if nextSweep.nanoseconds != .max {
                let remaining = nextSweep > now ? (nextSweep.nanoseconds - now.nanoseconds + 999_999) / 1_000_000 : 0
                timeout = Int32(min(remaining, UInt64(Int32.max)))
            }
            let ready = poll(&pollSet, nfds_t(pollSet.count), timeout)
            if ready < 0 && errno != EINTR { usleep(1000) }
            now = MonotonicInstant.now()
            if ready > 0 {
                if pollSet[0].revents != 0 {
                    pollSet[0].revents = 0
                    if !takeMessages() { return }
                }
                var index = 1
                while index < pollSet.count {
                    let revents = pollSet[index].revents
                    guard revents != 0, let connection = members[index] else {
                        index += 1
                        continue
                    }
                    pollSet[index].revents = 0
                    handle(connection, revents: revents)
                    // A closed connection's slot now holds the last one, not yet looked at.
                    if connection.mode != .closed { index += 1 }
                }
            }
            if !framed.isEmpty { decideFramed() }
            if now >= nextSweep { sweep() }
            handOverLogLines()
        }
    }

    /// Runs the route decisions of the requests framed in this pass back to back, then answers
    /// them or hands their blocking work to the pool. Deciding in one run keeps the signature
    /// checks of a busy pass together, apart from the socket work that would evict the crypto
    /// tables from the cache between them.
    private func decideFramed() {
        // Answering may frame a pipelined request: it joins `framed` for the next pass, so a
        // client pipelining without end cannot keep this loop from its other sockets.
        swap(&framed, &deciding)
        // A connection that hung up since its request was framed (POLLHUP/POLLERR close it in
        // `.handling`) is skipped before its route runs: no nonce, rate token or work is spent on it.
        deciding.removeAll { $0.connection.mode != .handling }
        for item in deciding { outcomes.append(server.dispatch(item.request)) }
        for (item, outcome) in zip(deciding, outcomes) {
            let connection = item.connection
            switch outcome {
            case .respond(let response):
                respond(connection, to: item.request, with: response, started: item.started)
                drive(connection)
            case .block(let work):
                let id = connection.id, request = item.request, started = item.started
                server.handlerPool.submit { [self] in
                    complete(Completion(id: id, request: request, response: work(), started: started))
                }
            }
        }
        deciding.removeAll(keepingCapacity: true)
        outcomes.removeAll(keepingCapacity: true)
    }

    private func handOverLogLines() {
        guard !logLines.isEmpty else { return }
        server.accessLog.append(lines: logLines)
        logLines.removeAll(keepingCapacity: true)
    }

    /// Takes arrivals and completions; false when the loop must end.
    private func takeMessages() -> Bool {
        var scratch: UInt8 = 0
        while read(wakeRead, &scratch, 1) > 0 {}
        lock.lock()
        wakePending = false
        let arrivals = inbox
        let done = completions
        let stop = stopRequested
        inbox.removeAll(keepingCapacity: true)
        completions.removeAll(keepingCapacity: true)
        lock.unlock()
        if stop {
            for connection in Array(connections.values) { close(connection) }
            for arrival in arrivals { abandon(arrival) }
            handOverLogLines()
            return false
        }
        for arrival in arrivals { admit(arrival) }
        for completion in done {
            guard let connection = connections[completion.id], connection.mode == .handling else { continue }
            respond(connection, to: completion.request, with: completion.response, started: completion.started)
            drive(connection)
        }
        if server.isShuttingDown && !shutdownSeen {
            shutdownSeen = true
            // Idle connections close now; ones receiving a request finish it first.
            for connection in Array(connections.values) where connection.mode == .reading { drive(connection) }
        }
        return true
    }

    private func admit(_ arrival: Arrival) {
        let transport: ConnectionTransport
        if let context = server.tlsContext {
            guard let tls = TLSTransport(context: context, fd: arrival.fd) else { return abandon(arrival) }
            transport = tls
        } else {
            transport = PlainTransport(fd: arrival.fd)
        }
        let connection = LoopConnection(
            id: arrival.id, fd: arrival.fd, peer: arrival.peer, transport: transport, activity: arrival.activity,
            acceptedAt: arrival.acceptedAt, configuration: configuration, handshakes: server.tlsContext != nil)
        connection.slot = pollSet.count
        pollSet.append(pollfd(fd: arrival.fd, events: 0, revents: 0))
        members.append(connection)
        connections[arrival.id] = connection
        drive(connection)
    }

    /// Gives up a connection that never became a `LoopConnection`.
    private func abandon(_ arrival: Arrival) {
        server.connectionFinished(id: arrival.id, peer: arrival.peer)
        Glibc.close(arrival.fd)
    }

    private func handle(_ connection: LoopConnection, revents: Int16) {
        if connection.mode == .handling {
            // Not watched for input while a handler works; only a hang-up or error arrives here.
            if revents & Int16(POLLHUP | POLLERR) != 0 { close(connection) }
            return
        }
        connection.socketMayHaveInput = true
        drive(connection)
    }

    /// Advances the connection, then records what it waits for and until when.
    private func drive(_ connection: LoopConnection) {
        advance(connection)
        guard connection.mode != .closed else { return }
        pollSet[connection.slot].events = connection.waitsFor
        connection.wakeAt = connection.currentDeadline
        if connection.wakeAt < nextSweep { nextSweep = connection.wakeAt }
    }

    /// Expires connections whose deadline has passed and finds the next deadline.
    private func sweep() {
        now = MonotonicInstant.now()
        nextSweep = MonotonicInstant(nanoseconds: .max)
        for connection in Array(connections.values) {
            if connection.currentDeadline <= now {
                expire(connection)
                guard connection.mode != .closed else { continue }
            }
            connection.wakeAt = connection.currentDeadline
            if connection.wakeAt < nextSweep { nextSweep = connection.wakeAt }
        }
    }

    private func expire(_ connection: LoopConnection) {
        switch connection.mode {
        case .reading where connection.deadline.current.expiry == .requestTimeout && !connection.activity.isEvicted:
            sendFinal(connection, .requestTimeout)
            drive(connection)
        default:
            close(connection)
        }
    }

    // MARK: - One connection

    /// Moves the connection on until it must wait for its socket or a handler, or is closed.
    private func advance(_ connection: LoopConnection) {
        while true {
            switch connection.mode {
            case .closed:
                return
            case .handshaking:
                switch connection.transport.handshake() {
                case .bytes: connection.mode = .reading
                case .wantRead: return wait(connection, for: POLLIN)
                case .wantWrite: return wait(connection, for: POLLOUT)
                case .closed, .failed: return close(connection)
                }
            case .handling:
                return wait(connection, for: 0)
            case .writing:
                guard flush(connection) else { return }
                if connection.closeAfterOutput {
                    beginLingering(connection)
                } else {
                    if connection.outputCompletesRequest {
                        connection.deadline.requestCompleted(now: now)
                        guard connection.activity.becameIdle(now: now) else { return close(connection) }
                    }
                    connection.mode = .reading
                }
            case .lingering:
                return linger(connection)
            case .reading:
                guard readStep(connection) else { return }
            }
        }
    }

    private func wait(_ connection: LoopConnection, for events: Int32) {
        connection.waitsFor = Int16(events)
    }

    /// One step of receiving: hand out a parsed request, answer a framing error, or read; false
    /// when the connection must wait or was closed.
    private func readStep(_ connection: LoopConnection) -> Bool {
        switch connection.parser.next() {
        case .request(var request):
            guard connection.activity.beginHandling() else {  // evicted just before: the slot is gone
                close(connection)
                return false
            }
            request.peerAddress = connection.peer
            connection.mode = .handling
            framed.append(FramedRequest(connection: connection, request: request, started: MonotonicInstant.now()))
            return true
        case .failure(let error):
            sendFinal(connection, HTTPResponse.error(error))
            return true
        case .needMoreData(let phase):
            if phase == .idle && server.isShuttingDown {
                close(connection)
                return false
            }
            if phase == .body && !reserveBody(connection) {
                sendFinal(connection, .bodyBudgetExhausted)
                return true
            }
            connection.deadline.observe(phase: phase, receivedBytes: connection.receivedBytes, now: now)
            connection.receivedBytes = false
            if phase == .body, connection.parser.takeContinueRequest() {
                connection.output = EventLoop.continueResponse
                connection.outputOffset = 0
                connection.closeAfterOutput = false
                connection.outputCompletesRequest = false
                connection.mode = .writing
                return true
            }
            guard connection.socketMayHaveInput || connection.transport.hasBufferedInput else {
                wait(connection, for: POLLIN)
                return false
            }
            switch connection.transport.read(into: buffer) {
            case .bytes(let count):
                if count < buffer.count && !connection.transport.hasBufferedInput { connection.socketMayHaveInput = false }
                if phase == .idle { connection.deadline.observe(phase: .head, receivedBytes: true, now: now) }
                connection.deadline.received(bytes: count)
                guard connection.activity.received(count, now: now) else {
                    close(connection)
                    return false
                }
                connection.parser.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                connection.receivedBytes = true
                return true
            case .wantRead:
                connection.socketMayHaveInput = false
                wait(connection, for: POLLIN)
                return false
            case .wantWrite:
                wait(connection, for: POLLOUT)
                return false
            case .closed, .failed:
                close(connection)
                return false
            }
        }
    }

    /// Grows the connection's share of the body budget to what the parser holds; false if refused.
    /// Checked before each further read, so a connection can be at most one read ahead of its share.
    private func reserveBody(_ connection: LoopConnection) -> Bool {
        let needed = connection.parser.bodyBytesReceived - connection.reservedBodyBytes
        guard needed > 0 else { return true }
        guard server.reserveBodyBytes(needed) else { return false }
        connection.reservedBodyBytes += needed
        return true
    }

    private func releaseBody(_ connection: LoopConnection) {
        guard connection.reservedBodyBytes > 0 else { return }
        server.releaseBodyBytes(connection.reservedBodyBytes)
        connection.reservedBodyBytes = 0
    }

    /// Queues the answer to a handled request, records it, and switches to sending.
    private func respond(_ connection: LoopConnection, to request: HTTPRequest, with response: HTTPResponse, started: MonotonicInstant) {
        releaseBody(connection)  // the handler is done with the body; release before the client can see the response
        let keepAlive = request.wantsKeepAlive && !server.isShuttingDown
        connection.output = response.encoded(
            keepAlive: keepAlive, requestVersion: request.version, omitBody: request.method == "HEAD", date: date.now())
        connection.outputOffset = 0
        connection.closeAfterOutput = !keepAlive
        connection.outputCompletesRequest = true
        connection.mode = .writing
        let seconds = MonotonicInstant.now().seconds(since: started)
        server.metrics.record(route: response.routeLabel ?? "other", status: response.status.code, seconds: seconds)
        AccessLog.format(
            method: request.method, path: request.path, status: response.status.code, bytes: response.body.count,
            milliseconds: seconds * 1000, peer: connection.peer, into: &logLines)
    }

    /// Queues a response generated by the server itself (framing error, timeout); the connection closes after it.
    private func sendFinal(_ connection: LoopConnection, _ response: HTTPResponse) {
        connection.output = response.encoded(keepAlive: false, requestVersion: .http11, omitBody: false, date: date.now())
        connection.outputOffset = 0
        connection.closeAfterOutput = true
        connection.outputCompletesRequest = false
        connection.mode = .writing
        server.metrics.record(route: EventLoop.invalidRequestLabel, status: response.status.code, seconds: 0)
        AccessLog.format(
            method: nil, path: nil, status: response.status.code, bytes: response.body.count, milliseconds: 0,
            peer: connection.peer, into: &logLines)
        releaseBody(connection)
    }

    /// Sends what is left of the output; true when all of it is out.
    private func flush(_ connection: LoopConnection) -> Bool {
        while connection.outputOffset < connection.output.count {
            let offset = connection.outputOffset
            let result = connection.output.withUnsafeBytes {
                connection.transport.write(UnsafeRawBufferPointer(rebasing: $0[offset...]))
            }
            switch result {
            case .bytes(let count) where count > 0:
                connection.outputOffset += count
                connection.sendDeadline = nil
            case .bytes, .wantWrite:
                blockedSending(connection, waitingFor: POLLOUT)
                return false
            case .wantRead:
                blockedSending(connection, waitingFor: POLLIN)
                return false
            case .closed, .failed:
                close(connection)
                return false
            }
        }
        connection.output.removeAll(keepingCapacity: true)
        connection.outputOffset = 0
        connection.sendDeadline = nil
        return true
    }

    private func blockedSending(_ connection: LoopConnection, waitingFor events: Int32) {
        if connection.sendDeadline == nil {
            connection.sendDeadline = now.advanced(bySeconds: configuration.sendIdleTimeout)
        }
        wait(connection, for: events)
    }

    /// Stops sending, then reads and discards what the client still sends for a short while, so
    /// that closing with unread input does not make the kernel reset the connection and destroy
    /// the response before the client has read it.
    private func beginLingering(_ connection: LoopConnection) {
        connection.transport.finishSending()
        connection.lingerDeadline = now.advanced(bySeconds: configuration.lingerTimeout)
        connection.lingerDiscarded = 0
        connection.mode = .lingering
    }

    private func linger(_ connection: LoopConnection) {
        while connection.lingerDiscarded < configuration.lingerMaxBytes {
            let count = Glibc.read(connection.fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                connection.lingerDiscarded += count
                continue
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return wait(connection, for: POLLIN) }
            break
        }
        close(connection)
    }

    /// Closes the socket and forgets the connection; a handler still working on it has its answer dropped.
    private func close(_ connection: LoopConnection) {
        guard connection.mode != .closed else { return }
        connection.mode = .closed
        releaseBody(connection)
        let slot = connection.slot
        let last = pollSet.count - 1
        if slot != last {
            pollSet[slot] = pollSet[last]
            members[slot] = members[last]
            members[slot]?.slot = slot
        }
        pollSet.removeLast()
        members.removeLast()
        connections[connection.id] = nil
        handOverLogLines()  // its lines reach the log before shutdown can see the connection gone
        server.connectionFinished(id: connection.id, peer: connection.peer)
        Glibc.close(connection.fd)
    }
}
