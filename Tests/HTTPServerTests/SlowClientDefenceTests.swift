import Foundation
import Glibc
import Testing
@testable import HTTPServer

/// The defences against slow clients holding every slot (slowloris, slow body): the minimum
/// request data rate, eviction at the connection limit, and the per-address cap. Real servers on
/// loopback with short configured limits; no assertion on how long anything took.
@Suite struct SlowClientDefenceTests {
    /// Sends `bytes` one at a time, pausing `pause` seconds, until the server answers or closes.
    private func trickle(_ bytes: [UInt8], to client: RawClient, pause: Int32 = 100) -> Int {
        var sent = 0
        for byte in bytes {
            guard client.send([byte]) else { break }
            sent += 1
            var ready = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, pause) > 0 { break }
        }
        return sent
    }

    @Test func slowBodyBelowTheMinimumDataRateGets408LongBeforeTheBodyIdleTimeout() throws {
        let server = try TestServer.start {
            $0.bodyIdleTimeout = 60  // never fires within the client's receive timeout
            $0.minimumRequestDataRate = 1000
            $0.requestDataRateGracePeriod = 0.5
        }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port, receiveTimeout: 15))
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\nabc")
        // 10 bytes a second, each piece well inside the body-idle timeout.
        let sent = trickle(Array(repeating: UInt8(ascii: "b"), count: 997), to: client)
        #expect(sent < 997)
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(response.text.contains("request_timeout"))
        #expect(client.isClosedByServer())
        #expect(TestServer.answersHealth(server))
    }

    @Test func slowlorisBelowTheMinimumDataRateGets408BeforeTheHeaderDeadline() throws {
        let server = try TestServer.start {
            $0.headerReadTimeout = 60
            $0.minimumRequestDataRate = 1000
            $0.requestDataRateGracePeriod = 0.5
        }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port, receiveTimeout: 15))
        let request = Array("GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "z"), count: 1000)
        #expect(trickle(request, to: client) < request.count)
        #expect(client.readResponse()?.status == 408)
        #expect(TestServer.answersHealth(server))
    }

    @Test func uploadKeepingUpWithTheMinimumRateIsServed() throws {
        let server = try TestServer.start {
            $0.minimumRequestDataRate = 100
            $0.requestDataRateGracePeriod = 0.2
        }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
        // 100 bytes in pieces of 20 every 50 ms: about 400 B/s, four times the minimum.
        for _ in 0..<5 {
            usleep(50_000)
            client.send(String(repeating: "p", count: 20))
        }
        #expect(client.readResponse()?.text == #"{"received":100}"#)
    }

    @Test func idleKeepAliveConnectionGivesItsSlotToANewcomerAtTheLimit() throws {
        let server = try TestServer.start { $0.maxConnections = 2 }
        defer { server.shutdown(gracePeriod: 1) }
        var idle: [RawClient] = []
        for _ in 0..<2 {
            let client = try #require(RawClient(port: server.port))
            client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
            idle.append(client)
        }
        #expect(TestServer.answersHealth(server))
        #expect(server.metrics.evictedConnectionCount >= 1)
        #expect(server.metrics.refusedConnectionCount == 0)
        // The longest-idle connection was the one closed.
        #expect(idle[0].isClosedByServer())
    }

    @Test func requestFarBelowTheMinimumRateGivesItsSlotToANewcomerAtTheLimit() throws {
        let server = try TestServer.start {
            $0.maxConnections = 2
            $0.minimumRequestDataRate = 1000
            $0.requestDataRateGracePeriod = 60  // no 408 in this test: only eviction frees the slots
        }
        defer { server.shutdown(gracePeriod: 1) }
        var stalled: [RawClient] = []
        for _ in 0..<2 {
            let client = try #require(RawClient(port: server.port, receiveTimeout: 10))
            client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Stall: ")
            stalled.append(client)
        }
        usleep(100_000)  // they fall 1000 B/s × elapsed behind; a newcomer has sent nothing yet
        #expect(TestServer.answersHealth(server))
        #expect(server.metrics.evictedConnectionCount == 1)
        // The laggard that started first lags most: it got no response, only the closed connection.
        #expect(stalled[0].readResponse() == nil)
        #expect(server.metrics.refusedConnectionCount == 0)
    }

    @Test func requestSilentAfterABurstGivesItsSlotToANewcomerAtTheLimit() throws {
        let server = try TestServer.start {
            $0.maxConnections = 2
            $0.minimumRequestDataRate = 1000
            $0.requestDataRateGracePeriod = 60
            $0.requestSilenceAllowance = 0.2
        }
        defer { server.shutdown(gracePeriod: 1) }
        var stalled: [RawClient] = []
        for _ in 0..<2 {
            let client = try #require(RawClient(port: server.port, receiveTimeout: 10))
            // 8,000 header bytes at once: 8 s of credit at 1,000 B/s, so only the silence rule applies.
            client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Burst: " + String(repeating: "b", count: 8000))
            stalled.append(client)
        }
        usleep(400_000)  // both stay silent past the 0.2 s allowance
        #expect(TestServer.answersHealth(server))
        #expect(server.metrics.evictedConnectionCount == 1)
        #expect(server.metrics.refusedConnectionCount == 0)
    }

    @Test func capsConnectionsPerClientAddressButServesOtherAddresses() throws {
        let gate = HandlerGate()
        var router = TestServer.router
        router.add("GET", "/block", gate.handler)
        let server = try TestServer.start(router: router) {
            $0.maxConnections = 10
            $0.maxConnectionsPerAddress = 2
        }
        defer { server.shutdown(gracePeriod: 1) }
        var busy: [RawClient] = []
        for _ in 0..<2 {
            let client = try #require(RawClient(port: server.port))
            client.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
            busy.append(client)
        }
        #expect(gate.waitUntilEntered(2))
        #expect(!TestServer.answersHealth(server))
        #expect(server.metrics.refusedConnectionCount == 1)
        let other = try #require(RawClient(port: server.port, sourceAddress: "127.0.0.2"))
        other.send("GET /peer HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(other.readResponse()?.text == "127.0.0.2")
        gate.release(2)
        for client in busy { #expect(client.readResponse()?.status == 200) }
    }
}
