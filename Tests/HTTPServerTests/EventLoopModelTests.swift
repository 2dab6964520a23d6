import Foundation
import Glibc
import Testing
@testable import HTTPServer

/// The event-loop model: inline routes are answered on the loop, the rest on the bounded handler pool.
@Suite struct EventLoopModelTests {
    @Test func inlineRoutesAreAnsweredWhileEveryHandlerThreadIsBlocked() throws {
        let gate = HandlerGate()
        var router = TestServer.router
        router.add("GET", "/block", gate.handler)
        let server = try TestServer.start(router: router) { $0.handlerThreads = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let blocked = try #require(RawClient(port: server.port))
        blocked.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(gate.waitUntilEntered(1))
        // The only handler thread is taken; the inline health check does not need it.
        #expect(TestServer.answersHealth(server))
        // A pooled request waits its turn and is answered once the thread is free.
        let queued = try #require(RawClient(port: server.port))
        queued.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
        gate.release(1)
        #expect(blocked.readResponse()?.status == 200)
        #expect(queued.readResponse()?.text == #"{"received":2}"#)
    }

    @Test func largeResponseReachesAClientThatReadsItInFull() throws {
        let body = (0..<4_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        var router = TestServer.router
        router.add("GET", "/big") { _ in HTTPResponse(status: .ok, body: body) }
        let server = try TestServer.start(router: router)
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /big HTTP/1.1\r\nHost: t\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.body == body)
        #expect(client.readResponse()?.status == 200)  // the pipelined request after it
    }

    @Test func dropsAClientThatStopsReadingAfterTheSendIdleTimeout() throws {
        var router = TestServer.router
        router.add("GET", "/huge") { _ in HTTPResponse(status: .ok, body: [UInt8](repeating: 0x61, count: 32_000_000)) }
        let server = try TestServer.start(router: router) { $0.sendIdleTimeout = 0.3 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /huge HTTP/1.1\r\nHost: t\r\n\r\n")
        // Other clients are served while this one does not read.
        #expect(TestServer.answersHealth(server))
        usleep(1_500_000)  // well past the send-idle timeout: the server gives up on this reader
        var received = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += count
        }
        #expect(received < 32_000_000)
        #expect(TestServer.answersHealth(server))
    }

    @Test func routerMarksOnlyRegisteredInlineRoutesAndHeadFollowsGet() {
        var router = Router()
        router.add("GET", "/v1/health", inline: true) { _ in .json(bytes: []) }
        router.add("POST", "/v1/push") { _ in .json(bytes: []) }
        #expect(router.runsInline(HTTPRequest(method: "GET", path: "/v1/health")))
        #expect(router.runsInline(HTTPRequest(method: "HEAD", path: "/v1/health")))
        #expect(!router.runsInline(HTTPRequest(method: "POST", path: "/v1/health")))
        #expect(!router.runsInline(HTTPRequest(method: "POST", path: "/v1/push")))
        #expect(!router.runsInline(HTTPRequest(method: "GET", path: "/v1/healthz")))
    }
}
