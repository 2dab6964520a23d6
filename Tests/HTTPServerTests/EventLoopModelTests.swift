import Foundation
import Glibc
import Testing
@testable import HTTPServer

/// The event-loop model: inline routes are answered on the loop, staged routes on the loop or
/// the pool as they decide, the rest on the bounded handler pool.
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

    @Test func stagedRoutesAnswerOnTheLoopOrHandTheirWorkToThePool() throws {
        let gate = HandlerGate()
        let blockingWork = gate.handler
        var router = TestServer.router
        router.add("GET", "/block", blockingWork)
        // Answers `?fast` on the loop; anything else becomes blocking work behind the gate.
        router.add("GET", "/staged", onLoop: { request in
            request.target.hasSuffix("?fast") ? .respond(.json(bytes: Array(#"{"on":"loop"}"#.utf8))) : .block { blockingWork(request) }
        })
        let server = try TestServer.start(router: router) { $0.handlerThreads = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let blocked = try #require(RawClient(port: server.port))
        blocked.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(gate.waitUntilEntered(1))
        // The only handler thread is taken: the staged route's loop answer does not need it,
        // also for requests pipelined on one connection, answered in order.
        let fast = try #require(RawClient(port: server.port))
        fast.send(String(repeating: "GET /staged?fast HTTP/1.1\r\nHost: t\r\n\r\n", count: 3))
        for _ in 0..<3 { #expect(fast.readResponse()?.text == #"{"on":"loop"}"#) }
        // Work it hands back waits for the pool, then is answered; a loop answer pipelined after
        // it on the same connection comes second.
        let slow = try #require(RawClient(port: server.port))
        slow.send("GET /staged?slow HTTP/1.1\r\nHost: t\r\n\r\nGET /staged?fast HTTP/1.1\r\nHost: t\r\n\r\n")
        gate.release(1)
        #expect(blocked.readResponse()?.status == 200)
        #expect(gate.waitUntilEntered(1))
        gate.release(1)
        #expect(slow.readResponse()?.text == #"{"released":true}"#)
        #expect(slow.readResponse()?.text == #"{"on":"loop"}"#)
        // Both kinds are counted under the route's path.
        let text = server.metrics.renderPrometheus()
        #expect(text.contains(#"route="/staged",status="200"} 5"#))
    }

    @Test func theRouterLabelsStagedAnswersAndRefusalsLikeOtherRoutes() {
        var router = Router()
        router.add("GET", "/now", onLoop: { _ in .respond(.json(bytes: [])) })
        router.add("GET", "/later", onLoop: { _ in .block { .json(bytes: Array("x".utf8)) } })
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/now")).routeLabel == "/now")
        #expect(router.respond(to: HTTPRequest(method: "HEAD", path: "/now")).status == .ok)
        guard case .block(let work) = router.route(HTTPRequest(method: "GET", path: "/later")) else {
            Issue.record("a staged route's blocking work is handed back")
            return
        }
        #expect(work().routeLabel == "/later" && work().body == Array("x".utf8))
        let wrongMethod = router.respond(to: HTTPRequest(method: "POST", path: "/now"))
        #expect(wrongMethod.status == .methodNotAllowed && wrongMethod.headers["Allow"] == "GET, HEAD")
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/elsewhere")).routeLabel == Router.unmatchedLabel)
    }

    @Test(arguments: [
        ("Name:\tx\nCpus_allowed:\t3\nCpus_allowed_list:\t0-1\n", 2),
        ("Cpus_allowed:\t1\n", 1),
        ("Cpus_allowed:\tff,ffffffff\n", 40),
        ("Cpus_allowed:\t00000000,00000004\n", 1),
        ("Cpus_allowed:\t0\n", nil),
        ("Cpus_allowed:\tzz\n", nil),
        ("Name:\tx\n", nil),
    ] as [(String, Int?)])
    func theUsableCoresAreTheAffinityMasksBits(status: String, cores: Int?) {
        #expect(ProcessorAffinity.cpusAllowed(inStatus: status) == cores)
    }

    @Test func thisProcessHasAtLeastOneUsableCoreAndNoMoreThanAreOnline() throws {
        let cores = try #require(ProcessorAffinity.usableCores())
        #expect(cores >= 1 && cores <= ProcessInfo.processInfo.activeProcessorCount)
    }

    @Test func inlineRoutesAndRefusalsAnswerOnTheLoopAndHeadFollowsGet() {
        var router = Router()
        router.add("GET", "/v1/health", inline: true) { _ in .json(bytes: []) }
        router.add("POST", "/v1/push") { _ in .json(bytes: []) }
        func answeredOnLoop(_ method: String, _ path: String) -> Bool {
            if case .respond = router.route(HTTPRequest(method: method, path: path)) { return true }
            return false
        }
        #expect(answeredOnLoop("GET", "/v1/health"))
        #expect(answeredOnLoop("HEAD", "/v1/health"))
        #expect(!answeredOnLoop("POST", "/v1/push"), "a pooled route hands its handler back")
        #expect(answeredOnLoop("POST", "/v1/health"), "405 needs no handler")
        #expect(answeredOnLoop("GET", "/v1/healthz"), "404 needs no handler")
    }
}
