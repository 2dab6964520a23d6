import Foundation
import Glibc
@testable import HTTPServer

/// A minimal blocking TCP client for talking raw HTTP to a test server on 127.0.0.1.
final class RawClient {
    let fd: Int32
    private var pending: [UInt8] = []

    /// Connects to 127.0.0.1:`port`, from `sourceAddress` (another loopback address) if given; nil when the connection is refused.
    init?(port: UInt16, receiveTimeout: Double = 10, sourceAddress: String? = nil) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        if let sourceAddress {
            var source = sockaddr_in()
            source.sin_family = sa_family_t(AF_INET)
            source.sin_addr.s_addr = inet_addr(sourceAddress)
            let bound = withUnsafePointer(to: &source) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else {
                close(fd)
                return nil
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
        setReceiveTimeout(receiveTimeout)
    }

    deinit { close(fd) }

    func setReceiveTimeout(_ seconds: Double) {
        var value = timeval(tv_sec: Int(seconds), tv_usec: Int((seconds - seconds.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, socklen_t(MemoryLayout<timeval>.size))
    }

    /// Sends all bytes; false if the connection is gone.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            offset += count
        }
        return true
    }

    @discardableResult
    func send(_ text: String) -> Bool { send(Array(text.utf8)) }

    /// Reads more bytes into `pending`; false on EOF, error or timeout.
    private func fill() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return false }
        pending.append(contentsOf: chunk[0..<count])
        return true
    }

    /// Reads one response (status line, headers, Content-Length body); nil on EOF, reset or timeout.
    func readResponse() -> RawResponse? {
        while true {
            if let end = pending.firstRange(of: Array("\r\n\r\n".utf8)) {
                let head = String(decoding: pending[..<end.lowerBound], as: UTF8.self)
                var lines = head.components(separatedBy: "\r\n")
                let statusLine = lines.removeFirst()
                let parts = statusLine.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { return nil }
                var headers: [String: String] = [:]
                for line in lines {
                    guard let colon = line.firstIndex(of: ":") else { continue }
                    headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                }
                let length = Int(headers["content-length"] ?? "0") ?? 0
                while pending.count < end.upperBound + length {
                    guard fill() else { return nil }
                }
                let body = Array(pending[end.upperBound..<(end.upperBound + length)])
                pending.removeFirst(end.upperBound + length)
                return RawResponse(status: status, headers: headers, body: body)
            }
            guard fill() else { return nil }
        }
    }

    /// Whether the server has closed the connection (EOF or reset) within the receive timeout,
    /// discarding any bytes that arrive before that.
    func isClosedByServer() -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count == 0 { return true }
            if count < 0 { return errno == ECONNRESET }
        }
    }
}

/// A handler that blocks until released, so a test can hold connections in legitimate work.
final class HandlerGate: Sendable {
    private let entered = DispatchSemaphore(value: 0)
    private let released = DispatchSemaphore(value: 0)

    /// Handles a request by waiting (at most 20 s) for `release`.
    var handler: Handler {
        { [self] _ in
            entered.signal()
            _ = released.wait(timeout: .now() + 20)
            return .json(bytes: Array(#"{"released":true}"#.utf8))
        }
    }

    /// Waits until `count` requests are inside the handler; false after 10 s.
    func waitUntilEntered(_ count: Int) -> Bool {
        (0..<count).allSatisfy { _ in entered.wait(timeout: .now() + 10) == .success }
    }

    /// Lets `count` waiting requests finish.
    func release(_ count: Int) {
        for _ in 0..<count { released.signal() }
    }
}

/// A response as read by `RawClient`.
struct RawResponse {
    let status: Int
    /// Header fields by lowercased name.
    let headers: [String: String]
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Collects access-log output in memory.
final class LogCapture: @unchecked Sendable {  // `text` is only touched under `lock`
    private let lock = NSLock()
    private var text = ""

    var sink: LogSink {
        LogSink { [self] bytes in
            lock.lock()
            text += String(decoding: bytes, as: UTF8.self)
            lock.unlock()
        }
    }

    var contents: String {
        lock.lock()
        defer { lock.unlock() }
        return text
    }
}

/// Starts real servers on 127.0.0.1 port 0 for tests.
enum TestServer {
    /// The routes every test server has: health (inline on the event loop), echo (body length) and a query reflector.
    static var router: Router {
        var router = Router()
        router.add("GET", "/v1/health", inline: true) { _ in .json(bytes: Array(#"{"status":"ok"}"#.utf8)) }
        router.add("POST", "/echo") { request in .json(bytes: Array("{\"received\":\(request.body.count)}".utf8)) }
        router.add("GET", "/peer") { request in .json(bytes: Array(request.peerAddress.utf8)) }
        router.add("GET", "/query") { request in
            .json(bytes: Array((request.queryItems.map { "\($0.name)=\($0.value)" }.joined(separator: "&")).utf8))
        }
        return router
    }

    static func start(
        router: Router? = nil, log: LogCapture = LogCapture(), tls: TLSConfiguration? = nil,
        _ configure: (inout ServerConfiguration) -> Void = { _ in }
    ) throws -> HTTPServer {
        var configuration = ServerConfiguration(host: "127.0.0.1", port: 0, tls: tls)
        configuration.lingerTimeout = 0.5
        configure(&configuration)
        let routes = router ?? TestServer.router
        let server = try HTTPServer(
            configuration: configuration, router: routes, accessLog: AccessLog(sink: log.sink))
        try server.start()
        return server
    }

    /// Whether a fresh client still gets 200 from `/v1/health` (plain HTTP servers only).
    static func answersHealth(_ server: HTTPServer) -> Bool {
        guard let client = RawClient(port: server.port) else { return false }
        client.send("GET /v1/health HTTP/1.1\r\nHost: test\r\n\r\n")
        return client.readResponse()?.status == 200
    }
}
