import Foundation
import Glibc
import Testing
@testable import HTTPServer

/// A one-shot gate a test opens to let a blocked handler continue.
final class Gate: @unchecked Sendable {  // `open` is only touched under `condition`
    private let condition = NSCondition()
    private var isOpen = false

    func open() {
        condition.lock()
        isOpen = true
        condition.broadcast()
        condition.unlock()
    }

    /// Waits until opened or `seconds` pass; returns whether it was opened.
    @discardableResult
    func wait(seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        while !isOpen { if !condition.wait(until: deadline) { return isOpen } }
        return true
    }
}

@Suite struct GracefulShutdownTests {
    @Test func inFlightRequestCompletesWhileNewConnectionsAreRefusedAndIdleOnesClosed() throws {
        let handlerStarted = Gate()
        let releaseHandler = Gate()
        var router = TestServer.router
        router.add("GET", "/slow") { _ in
            handlerStarted.open()
            releaseHandler.wait(seconds: 30)
            return .json(bytes: Array(#"{"slow":true}"#.utf8))
        }
        let server = try TestServer.start(router: router)
        let port = server.port
        let idle = try #require(RawClient(port: port))
        idle.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(idle.readResponse()?.status == 200)

        let slow = try #require(RawClient(port: port))
        slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(handlerStarted.wait(seconds: 10))

        let shutdownReturned = Gate()
        Thread.detachNewThread {
            server.shutdown(gracePeriod: 30)
            shutdownReturned.open()
        }
        // The idle keep-alive connection is closed promptly, while the slow request is still running.
        #expect(idle.isClosedByServer())
        // New connections are refused once shutdown has begun.
        var refused = false
        for _ in 0..<100 where !refused {
            if let client = RawClient(port: port, receiveTimeout: 2) {
                client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
                refused = client.readResponse() == nil
            } else {
                refused = true
            }
            if !refused { usleep(20_000) }
        }
        #expect(refused)
        #expect(!shutdownReturned.wait(seconds: 0.2))

        releaseHandler.open()
        let response = try #require(slow.readResponse())
        #expect(response.status == 200)
        #expect(response.text == #"{"slow":true}"#)
        #expect(response.headers["connection"] == "close")
        #expect(shutdownReturned.wait(seconds: 25))
    }

    @Test func shutdownReturnsAfterTheGracePeriodEvenIfAHandlerHangs() throws {
        let handlerStarted = Gate()
        let releaseHandler = Gate()
        var router = TestServer.router
        router.add("GET", "/hang") { _ in
            handlerStarted.open()
            releaseHandler.wait(seconds: 60)
            return HTTPResponse(status: .ok)
        }
        let server = try TestServer.start(router: router)
        defer { releaseHandler.open() }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /hang HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(handlerStarted.wait(seconds: 10))
        let shutdownReturned = Gate()
        Thread.detachNewThread {
            server.shutdown(gracePeriod: 0.3)
            shutdownReturned.open()
        }
        // Returns while the handler is still blocked (it is released only after this check).
        #expect(shutdownReturned.wait(seconds: 30))
        #expect(client.isClosedByServer())
    }

    @Test func shutdownFlushesTheAccessLog() throws {
        let log = LogCapture()
        let server = try TestServer.start(log: log)
        let client = try #require(RawClient(port: server.port))
        client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        #expect(client.isClosedByServer())
        server.shutdown(gracePeriod: 5)
        #expect(log.contents.contains("path=/v1/health status=200"))
    }

    @Test func signalWaiterReportsTheSignalInsteadOfDying() {
        let waiter = SignalWaiter(signals: [SIGUSR2])
        kill(getpid(), SIGUSR2)
        #expect(waiter.wait(timeout: 20) == SIGUSR2)
    }
}
