import Foundation
import Glibc
import Synchronization

/// A small, hardened HTTP/1.1 server: event loops over non-blocking sockets (one per core, capped
/// at `maxConnections` in all), strict framing, deadlines on every wait, optional TLS, graceful shutdown.
///
/// ```swift
/// let server = try HTTPServer(configuration: ServerConfiguration(port: 0), router: router)
/// try server.start()          // binds and returns; server.port is the bound port
/// server.shutdown(gracePeriod: 10)
/// ```
///
/// Concurrency (design §5, platform notes §2): an `EventLoop` thread per usable core parses
/// requests and runs handlers marked inline (cheap ones such as `/v1/health`) and the loop part of
/// staged ones (a signed no-change `/v1/changes`); every other handler runs on a bounded
/// `HandlerPool`, because the node's handlers block on SQLite. Idle keep-alive connections
/// hold only a poll entry, so they never starve other clients (Dispatch's pool and the Swift
/// concurrency pool do, when handlers block). Header and handshake deadlines are totals (a slowloris
/// trickle or a half-sent TLS record cannot stretch them), and idle connections close when
/// shutdown begins. The loops replaced a thread per connection, whose scheduler wake-up per
/// request cost about as much CPU as the request (Benchmarks/HTTPBench).
///
/// At the connection limit a newcomer takes the slot of an idle keep-alive connection or of a
/// request far below the minimum data rate (`ConnectionEviction`), so slow attacks cannot lock out
/// a normal client; only when every slot does legitimate work is the newcomer refused.
///
/// `@unchecked Sendable`: `state`, `listenFD`, `connections`, `evicted`, `connectionsByAddress`,
/// `nextConnectionID`, `boundPort` and `acceptThreadRunning` are only touched under `condition`, the body budget under `bodyBudgetLock`;
/// `loops` and `pool` are set in `start` before the accept thread starts and never change after, `nextLoop` is the accept thread's;
/// `stopping` is atomic and the rest is immutable after init.
public final class HTTPServer: @unchecked Sendable {
    /// The configuration the server was created with.
    public let configuration: ServerConfiguration
    /// Request counters and latency histograms, for a `/metrics` route.
    public let metrics: ServerMetrics
    /// The access log; flushed at least once a second and at shutdown.
    public let accessLog: AccessLog

    /// Decides each request on its event loop: answered there, or blocking work for the handler pool.
    let dispatch: @Sendable (HTTPRequest) -> RouteOutcome
    /// The TLS settings shared by all connections; nil for plain HTTP.
    let tlsContext: TLSContext?
    /// Event loops, created at `start`; round-robin over them for new connections.
    private var loops: [EventLoop] = []
    private var nextLoop = 0
    /// Threads for handlers that may block; created at `start`.
    private var pool: HandlerPool?
    private let condition = NSCondition()
    private var state = State.created
    /// Mirrors `state != .running` for connection threads, which check it twice per request
    /// without taking `condition`.
    private let stopping = Atomic<Bool>(false)
    private var listenFD: Int32 = -1
    private var boundPort: UInt16 = 0
    private var connections: [UInt64: ConnectionActivity] = [:]
    /// Ids of connections whose slot was taken away and whose thread has not finished yet; they
    /// no longer count against the limits.
    private var evicted: Set<UInt64> = []
    /// Connections per client address, evicted ones excluded.
    private var connectionsByAddress: [String: Int] = [:]
    private var nextConnectionID: UInt64 = 0
    private var acceptThreadRunning = false
    /// Read end and write end of the shutdown pipe; one byte written makes it readable forever,
    /// which wakes the accept loop and every idle keep-alive connection at once.
    private let wakeRead: Int32
    private let wakeWrite: Int32
    /// Guards `bufferedBodyBytes`, kept apart from `condition` so uploads do not contend with accepts.
    private let bodyBudgetLock = NSLock()
    private var bufferedBodyBytes = 0

    private enum State {
        case created, running, shuttingDown, stopped
    }

    /// Creates a server answering with `router`: its inline and staged routes on the event loops,
    /// the rest on the handler pool.
    public convenience init(
        configuration: ServerConfiguration, router: Router, metrics: ServerMetrics = ServerMetrics(),
        accessLog: AccessLog = AccessLog()
    ) throws {
        try self.init(configuration: configuration, dispatch: router.dispatch, metrics: metrics, accessLog: accessLog)
    }

    /// Creates a server; TLS files are loaded here so a bad certificate fails before binding.
    /// `dispatch` runs on an event loop for every framed request and must not block.
    public init(
        configuration: ServerConfiguration, dispatch: @escaping @Sendable (HTTPRequest) -> RouteOutcome,
        metrics: ServerMetrics = ServerMetrics(), accessLog: AccessLog = AccessLog()
    ) throws {
        guard configuration.maxConnections > 0, configuration.maxConnectionsPerAddress > 0, configuration.readChunkBytes > 0,
            configuration.connectionThreadStackBytes >= 64 * 1024, configuration.eventLoopThreads >= 0,
            configuration.handlerThreads > 0
        else { throw HTTPServerError.invalidConfiguration("connections, read size, threads and thread stack must be positive") }
        self.configuration = configuration
        self.dispatch = dispatch
        self.metrics = metrics
        self.accessLog = accessLog
        self.tlsContext = try configuration.tls.map { try TLSContext(configuration: $0) }
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw HTTPServerError.socketFailed("create a pipe", errno: errno) }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        for fd in fds { HTTPServer.makeNonBlockingAndCloseOnExec(fd) }
    }

    deinit {
        if listenFD >= 0 { close(listenFD) }
        close(wakeRead)
        close(wakeWrite)
    }

    /// The bound TCP port (the kernel's choice when configured with port 0); 0 before `start`.
    public var port: UInt16 {
        condition.lock()
        defer { condition.unlock() }
        return boundPort
    }

    /// Whether TLS is served.
    public var usesTLS: Bool { tlsContext != nil }

    /// Binds, listens and starts the accept thread, then returns. Ignores `SIGPIPE` process-wide,
    /// because OpenSSL writes to sockets without `MSG_NOSIGNAL`.
    public func start() throws {
        condition.lock()
        defer { condition.unlock() }
        guard state == .created else { throw HTTPServerError.alreadyStarted }
        signal(SIGPIPE, SIG_IGN)
        let (fd, port) = try ListeningSocket.open(configuration: configuration, requireLoopback: tlsContext == nil && !configuration.allowPlainHTTPOnNonLoopback)
        listenFD = fd
        boundPort = port
        state = .running
        acceptThreadRunning = true
        accessLog.start()
        pool = HandlerPool(threads: configuration.handlerThreads, stackSize: configuration.connectionThreadStackBytes)
        let loopCount = configuration.eventLoopThreads > 0
            ? configuration.eventLoopThreads
            : max(1, ProcessorAffinity.usableCores() ?? ProcessInfo.processInfo.activeProcessorCount)
        loops = try (0..<loopCount).map { _ in try EventLoop(server: self) }
        for (index, loop) in loops.enumerated() { loop.start(name: "http-loop-\(index)") }
        let thread = Thread { [self] in acceptLoop() }
        thread.name = "http-accept"
        thread.stackSize = 256 * 1024
        thread.start()
    }

    /// Stops accepting (the listening socket is closed, so new connections are refused), lets
    /// in-flight requests finish and answers them with `Connection: close`, closes idle keep-alive
    /// connections at once, waits up to `gracePeriod` seconds for the rest, then cuts what remains
    /// and returns. The access log is flushed before returning. Safe to call more than once.
    public func shutdown(gracePeriod: Double = 10) {
        condition.lock()
        guard state == .running else {
            condition.unlock()
            return
        }
        state = .shuttingDown
        stopping.store(true, ordering: .sequentiallyConsistent)
        condition.unlock()

        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
        let deadline = Date(timeIntervalSinceNow: gracePeriod)
        condition.lock()
        let running = loops
        condition.unlock()
        for loop in running { loop.wake() }  // idle keep-alive connections close at once

        condition.lock()
        while acceptThreadRunning || !connections.isEmpty {
            if !condition.wait(until: deadline) { break }
        }
        // Past the grace period: unblock whatever is left; its thread closes its own socket.
        for activity in connections.values { Glibc.shutdown(activity.fd, Int32(SHUT_RDWR)) }
        state = .stopped
        condition.unlock()
        for loop in running { loop.stop() }
        pool?.stop()
        accessLog.stop()
    }

    /// Reserves `count` bytes of the shared body budget; false when that would exceed `maxBufferedBodyBytesTotal`.
    func reserveBodyBytes(_ count: Int) -> Bool {
        bodyBudgetLock.lock()
        defer { bodyBudgetLock.unlock() }
        guard bufferedBodyBytes + count <= configuration.maxBufferedBodyBytesTotal else { return false }
        bufferedBodyBytes += count
        return true
    }

    /// Returns `count` reserved bytes to the shared body budget.
    func releaseBodyBytes(_ count: Int) {
        bodyBudgetLock.lock()
        bufferedBodyBytes -= count
        bodyBudgetLock.unlock()
    }

    /// Request-body bytes all connections hold right now.
    var heldBodyBytes: Int {
        bodyBudgetLock.lock()
        defer { bodyBudgetLock.unlock() }
        return bufferedBodyBytes
    }

    /// Whether shutdown has begun (responses then carry `Connection: close`).
    var isShuttingDown: Bool {
        stopping.load(ordering: .sequentiallyConsistent)
    }

    // MARK: - Accepting

    private func acceptLoop() {
        while true {
            let outcome = SocketWait.wait(fd: listenFD, writable: false, until: MonotonicInstant(nanoseconds: UInt64.max), wakeFD: wakeRead)
            if outcome == .woken || outcome == .failed { break }
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let fd = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    accept(listenFD, $0, &length)
                }
            }
            if fd < 0 {
                if errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM {
                    usleep(10_000)  // out of descriptors: back off instead of spinning on the pending connection
                }
                continue
            }
            HTTPServer.makeNonBlockingAndCloseOnExec(fd)
            admit(fd: fd, peer: PeerAddress.text(of: address), acceptedAt: MonotonicInstant.now())
        }
        condition.lock()
        close(listenFD)
        listenFD = -1
        acceptThreadRunning = false
        condition.broadcast()
        condition.unlock()
    }

    /// Registers a connection and hands it to an event loop. At a limit it first evicts a connection that does
    /// no legitimate work (`ConnectionEviction`); without one it closes the new socket at once.
    private func admit(fd: Int32, peer: String, acceptedAt: MonotonicInstant) {
        condition.lock()
        guard state == .running, makeRoom(for: peer, now: acceptedAt) else {
            condition.unlock()
            metrics.connectionRefused()
            close(fd)
            return
        }
        nextConnectionID += 1
        let id = nextConnectionID
        let activity = ConnectionActivity(fd: fd, address: peer, acceptedAt: acceptedAt)
        connections[id] = activity
        connectionsByAddress[peer, default: 0] += 1
        condition.unlock()
        metrics.connectionOpened()

        var noDelay: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
        nextLoop = (nextLoop + 1) % loops.count
        loops[nextLoop].adopt(EventLoop.Arrival(id: id, fd: fd, peer: peer, acceptedAt: acceptedAt, activity: activity))
    }

    /// Forgets a connection its loop has finished with, just before the loop closes its socket.
    func connectionFinished(id: UInt64, peer: String) {
        condition.lock()
        connections[id] = nil
        if evicted.remove(id) == nil { releaseAddressSlot(peer) }
        condition.broadcast()
        condition.unlock()
        metrics.connectionClosed()
    }

    /// The pool running handlers that are not inline; exists once started.
    var handlerPool: HandlerPool { pool! }

    /// Whether a connection from `peer` fits under both limits, evicting one if needed; under `condition`.
    private func makeRoom(for peer: String, now: MonotonicInstant) -> Bool {
        let perAddress = connectionsByAddress[peer] ?? 0
        if perAddress >= configuration.maxConnectionsPerAddress {
            return evictOne(now: now) { $0.address == peer }
        }
        if connections.count - evicted.count >= configuration.maxConnections {
            return evictOne(now: now) { _ in true }
        }
        return true
    }

    /// Evicts the `ConnectionEviction` victim among the connections passing `filter`; under `condition`.
    /// Shutting the socket down wakes the connection's thread, which then closes it.
    private func evictOne(now: MonotonicInstant, where filter: (ConnectionActivity) -> Bool) -> Bool {
        var candidates: [ConnectionEviction.Candidate] = []
        candidates.reserveCapacity(connections.count)
        for (id, activity) in connections where !evicted.contains(id) && filter(activity) {
            candidates.append(activity.snapshot(id: id))
        }
        // A candidate that moved on since its snapshot fails the compare-and-swap; try the next best.
        while let victim = ConnectionEviction.victim(
            among: candidates, now: now, minimumDataRate: configuration.minimumRequestDataRate,
            silenceAllowance: configuration.requestSilenceAllowance)
        {
            candidates.removeAll { $0.id == victim.id }
            guard let activity = connections[victim.id], activity.evict(expected: victim.state) else { continue }
            evicted.insert(victim.id)
            releaseAddressSlot(activity.address)
            Glibc.shutdown(activity.fd, Int32(SHUT_RDWR))
            metrics.connectionEvicted()
            return true
        }
        return false
    }

    private func releaseAddressSlot(_ peer: String) {
        let remaining = (connectionsByAddress[peer] ?? 1) - 1
        connectionsByAddress[peer] = remaining > 0 ? remaining : nil
    }

    /// Sets `O_NONBLOCK` and `FD_CLOEXEC` with `fcntl` (Glibc's module does not export `accept4`/`pipe2`).
    static func makeNonBlockingAndCloseOnExec(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
    }

    /// The read end of the shutdown pipe, polled by idle connections.
    var shutdownSignalFD: Int32 { wakeRead }
}
