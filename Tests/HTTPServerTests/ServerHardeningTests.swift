import Foundation
import Glibc
import Testing
import TestSupport
@testable import HTTPServer

/// Real servers on 127.0.0.1 port 0, attacked with raw sockets. Every attack expects its status,
/// a closed connection where due, and a server that still answers the next client.
@Suite struct ServerHardeningTests {
    /// Sends `request` on a fresh connection and expects `status`, then the server closing it.
    private func expectRejection(_ request: String, status: Int, code: String, server: HTTPServer) throws {
        let client = try #require(RawClient(port: server.port))
        client.send(request)
        let response = try #require(client.readResponse())
        #expect(response.status == status)
        #expect(response.text.contains("\"code\":\"\(code)\""))
        #expect(response.headers["connection"] == "close")
        #expect(client.isClosedByServer())
        #expect(TestServer.answersHealth(server))
    }

    @Test func servesKeepAliveRequestsOnOneConnection() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        for _ in 0..<3 {
            client.send("GET /v1/health HTTP/1.1\r\nHost: test\r\n\r\n")
            let response = try #require(client.readResponse())
            #expect(response.status == 200)
            #expect(response.text == #"{"status":"ok"}"#)
            #expect(response.headers["connection"] == nil)
        }
        #expect(server.port != 0)
    }

    @Test func closesHTTP10ConnectionsAfterOneResponseAndReportsThePeer() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /peer HTTP/1.0\r\n\r\n")
        let response = try #require(client.readResponse())
        #expect(response.text == "127.0.0.1")
        #expect(response.headers["connection"] == "close")
        #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
        #expect(client.isClosedByServer())
    }

    @Test func answersPipelinedRequestsInOrderOverTheSocket() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /query?n=1 HTTP/1.1\r\nHost: t\r\n\r\nPOST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nabcdGET /query?n=3 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        #expect(client.readResponse()?.text == "n=1")
        #expect(client.readResponse()?.text == #"{"received":4}"#)
        let last = try #require(client.readResponse())
        #expect(last.text == "n=3")
        #expect(last.headers["connection"] == "close")
        #expect(client.isClosedByServer())
    }

    @Test func decodesChunkedBodiesOverTheSocket() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
        #expect(client.readResponse()?.text == #"{"received":11}"#)
    }

    @Test func rejectsBodyOverTheLimitWithContentLength() throws {
        let server = try TestServer.start { $0.maxBodyBytes = 1024 }
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1025\r\n\r\n" + String(repeating: "x", count: 1025), status: 413, code: "payload_too_large", server: server)
    }

    @Test func rejectsChunkedBodyOverTheLimit() throws {
        let server = try TestServer.start { $0.maxBodyBytes = 1024 }
        defer { server.shutdown(gracePeriod: 1) }
        let chunk = String(repeating: "y", count: 600)
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n0\r\n\r\n", status: 413, code: "payload_too_large", server: server)
    }

    @Test func refusesBodiesBeyondTheSharedBodyBudgetAndReleasesItAfterwards() throws {
        let server = try TestServer.start {
            $0.maxBufferedBodyBytesTotal = 100_000
            $0.readChunkBytes = 4096
        }
        defer { server.shutdown(gracePeriod: 1) }
        let first = try #require(RawClient(port: server.port))
        first.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 90000\r\n\r\n" + String(repeating: "a", count: 80_000))
        var waited = 0
        while server.heldBodyBytes < 70_000 && waited < 400 {
            usleep(25_000)
            waited += 1
        }
        #expect(server.heldBodyBytes >= 70_000)
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n" + String(repeating: "b", count: 50_000), status: 503, code: "server_busy", server: server)
        first.send(String(repeating: "a", count: 10_000))
        #expect(first.readResponse()?.text == #"{"received":90000}"#)
        #expect(server.heldBodyBytes == 0)
        let third = try #require(RawClient(port: server.port))
        third.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 50000\r\n\r\n" + String(repeating: "c", count: 50_000))
        #expect(third.readResponse()?.text == #"{"received":50000}"#)
    }

    @Test func rejectsRequestLineOverTheLimit() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejection("GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", status: 414, code: "uri_too_long", server: server)
    }

    @Test func rejectsHeaderBlockOverTheSizeLimit() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let headers = (0..<20).map { "X-Fill-\($0): " + String(repeating: "v", count: 1000) + "\r\n" }.joined()
        try expectRejection("GET /v1/health HTTP/1.1\r\nHost: t\r\n\(headers)\r\n", status: 431, code: "header_fields_too_large", server: server)
    }

    @Test func rejectsMoreHeaderFieldsThanTheLimit() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let headers = (0..<101).map { "X-\($0): v\r\n" }.joined()
        try expectRejection("GET /v1/health HTTP/1.1\r\nHost: t\r\n\(headers)\r\n", status: 431, code: "header_fields_too_large", server: server)
    }

    @Test func rejectsRequestSmugglingWithContentLengthAndTransferEncoding() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n", status: 400, code: "bad_request", server: server)
    }

    @Test func rejectsRequestSmugglingWithTwoDifferentContentLengths() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc", status: 400, code: "bad_request", server: server)
    }

    @Test func rejectsNegativeContentLength() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        try expectRejection("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: -1\r\n\r\n", status: 400, code: "bad_request", server: server)
    }

    @Test func answersFramingErrorsBeforeRouting() throws {
        let server = try TestServer.start { $0.maxBodyBytes = 10 }
        defer { server.shutdown(gracePeriod: 1) }
        // An unknown path with an oversized body is a 413, not a 404: limits come first (design §5).
        try expectRejection("POST /no-such-path HTTP/1.1\r\nHost: t\r\nContent-Length: 11\r\n\r\n", status: 413, code: "payload_too_large", server: server)
        let client = try #require(RawClient(port: server.port))
        client.send("POST /no-such-path HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\nok")
        #expect(client.readResponse()?.status == 404)
    }

    @Test func slowlorisTricklingHeadersGets408AtTheTotalHeaderDeadline() throws {
        let server = try TestServer.start { $0.headerReadTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        let request = Array("GET /v1/health HTTP/1.1\r\nHost: t\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "z"), count: 100)
        // One byte every 100 ms would take 13 s; each read is quick, only the total is too slow.
        var sent = 0
        for byte in request {
            guard client.send([byte]) else { break }
            sent += 1
            var ready = pollfd(fd: client.fd, events: Int16(POLLIN), revents: 0)
            if poll(&ready, 1, 100) > 0 { break }
        }
        #expect(sent < request.count)
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(response.text.contains("request_timeout"))
        #expect(client.isClosedByServer())
        #expect(TestServer.answersHealth(server))
    }

    @Test func closesASilentNewConnectionWithoutAResponse() throws {
        let server = try TestServer.start { $0.headerReadTimeout = 0.5 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        var chunk = [UInt8](repeating: 0, count: 1024)
        let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
        #expect(count == 0)
    }

    @Test func slowBodyGets408AfterTheBodyIdleTimeout() throws {
        let server = try TestServer.start { $0.bodyIdleTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc")
        let response = try #require(client.readResponse())
        #expect(response.status == 408)
        #expect(client.isClosedByServer())
        #expect(TestServer.answersHealth(server))
    }

    @Test func refusesConnectionsBeyondTheLimitWhileEverySlotIsBusyAndRecovers() throws {
        let limit = 8
        let gate = HandlerGate()
        var router = TestServer.router
        router.add("GET", "/block", gate.handler)
        let server = try TestServer.start(router: router) { $0.maxConnections = limit }
        defer { server.shutdown(gracePeriod: 1) }
        var admitted: [RawClient] = []
        for _ in 0..<limit {
            let client = try #require(RawClient(port: server.port))
            client.send("GET /block HTTP/1.1\r\nHost: t\r\n\r\n")
            admitted.append(client)
        }
        #expect(gate.waitUntilEntered(limit))
        // Every slot handles a request: nothing may be evicted, so newcomers are refused.
        var refused = 0
        for _ in 0..<limit {
            guard let client = RawClient(port: server.port, receiveTimeout: 5) else {
                refused += 1
                continue
            }
            client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
            if client.readResponse() == nil { refused += 1 }
        }
        #expect(refused == limit)
        #expect(server.metrics.refusedConnectionCount == UInt64(limit))
        #expect(server.metrics.evictedConnectionCount == 0)
        // The admitted connections finish their requests.
        gate.release(limit)
        for client in admitted { #expect(client.readResponse()?.status == 200) }
        admitted.removeAll()
        // Once they are gone, a new client is served again (their threads exit asynchronously).
        var recovered = false
        for _ in 0..<100 where !recovered {
            recovered = TestServer.answersHealth(server)
            if !recovered { usleep(50_000) }
        }
        #expect(recovered)
    }

    @Test func manyIdleKeepAliveConnectionsDoNotStarveAFreshRequest() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        var idle: [RawClient] = []
        for _ in 0..<50 {
            let client = try #require(RawClient(port: server.port))
            client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
            #expect(client.readResponse()?.status == 200)
            idle.append(client)
        }
        let fresh = try #require(RawClient(port: server.port, receiveTimeout: 20))
        fresh.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(fresh.readResponse()?.status == 200)
        #expect(idle.count == 50)
    }

    @Test func closesIdleKeepAliveConnectionsAfterTheIdleTimeout() throws {
        let server = try TestServer.start { $0.keepAliveIdleTimeout = 0.5 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        #expect(client.isClosedByServer())
    }

    @Test func sendsContinueForExpect100AndOmitsBodiesForHead() throws {
        let server = try TestServer.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n")
        #expect(client.readResponse()?.status == 100)
        client.send("abc")
        #expect(client.readResponse()?.text == #"{"received":3}"#)
        client.send("HEAD /v1/health HTTP/1.1\r\nHost: t\r\n\r\nGET /v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        // HEAD carries Content-Length 15 but no body; RawClient would read the GET's body as its own otherwise.
        var head = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: head, as: UTF8.self).contains("{\"status\":\"ok\"}") {
            let count = chunk.withUnsafeMutableBytes { recv(client.fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            head += chunk[0..<count]
        }
        let text = String(decoding: head, as: UTF8.self)
        #expect(text.components(separatedBy: "HTTP/1.1 200 OK").count == 3)
        #expect(text.components(separatedBy: #"{"status":"ok"}"#).count == 2)
    }

    @Test func servesItsOwnMetricsThroughARoute() throws {
        let metrics = ServerMetrics()
        var router = TestServer.router
        router.add("GET", "/metrics") { _ in .text(metrics.renderPrometheus(), contentType: "text/plain; version=0.0.4") }
        let configuration = ServerConfiguration(host: "127.0.0.1", port: 0)
        let server = try HTTPServer(configuration: configuration, router: router, metrics: metrics, accessLog: AccessLog(sink: LogCapture().sink))
        try server.start()
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send("GET /v1/health HTTP/1.1\r\nHost: t\r\n\r\nGET /metrics HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        let response = try #require(client.readResponse())
        #expect(response.headers["content-type"] == "text/plain; version=0.0.4")
        #expect(response.text.contains("citybench_http_requests_total{route=\"/v1/health\",status=\"200\"} 1\n"))
        #expect(response.text.contains("citybench_http_connections_open 1\n"))
    }

    @Test func logsOneLinePerRequestWithPathButNoQuery() throws {
        let log = LogCapture()
        let server = try TestServer.start(log: log)
        let client = try #require(RawClient(port: server.port))
        client.send("GET /query?token=secret123 HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer hunter2\r\n\r\n")
        #expect(client.readResponse()?.status == 200)
        client.send("GET /nope HTTP/1.1\r\nHost: t\r\n\r\n")
        #expect(client.readResponse()?.status == 404)
        server.shutdown(gracePeriod: 1)
        let lines = log.contents.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("level=info event=request method=GET path=/query status=200 bytes=") == true)
        #expect(lines.first?.hasSuffix(" peer=127.0.0.1") == true)
        #expect(!log.contents.contains("secret123"))
        #expect(!log.contents.contains("hunter2"))
        #expect(server.metrics.requestCount(route: "/query", status: 200) == 1)
        #expect(server.metrics.requestCount(route: Router.unmatchedLabel, status: 404) == 1)
    }

    @Test func servesPlainHTTPOnIPv6LoopbackAndReportsThePeer() throws {
        let server = try HTTPServer(configuration: ServerConfiguration(host: "::1", port: 0), router: TestServer.router, accessLog: AccessLog(sink: LogCapture().sink))
        try server.start()
        defer { server.shutdown(gracePeriod: 1) }
        let result = try runTool("/usr/bin/curl", ["-sS", "-g", "http://[::1]:\(server.port)/peer"])
        #expect(result.output == "::1")
    }

    @Test func survivesMutatedRequestsOverTheSocket() throws {
        let server = try TestServer.start {
            $0.maxBodyBytes = 64
            $0.headerReadTimeout = 2
        }
        defer { server.shutdown(gracePeriod: 1) }
        let valid = Array("POST /echo?x=%41 HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nPOST /echo HTTP/1.1\r\nHost: n\r\nContent-Length: 2\r\n\r\nokGET /v1/health HTTP/1.1\r\nHost: n\r\n\r\n".utf8)
        let interesting: [UInt8] = Array("\r\n :;%0fF-\t9".utf8) + [0, 0x7F, 0xFF]
        var generator = SeededGenerator(seed: 7)
        var statuses: Set<Int> = []
        for _ in 0..<150 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = interesting.randomElement(using: &generator)!
                case 1: bytes.insert(interesting.randomElement(using: &generator)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            let client = try #require(RawClient(port: server.port))
            client.send(bytes)
            Glibc.shutdown(client.fd, Int32(SHUT_WR))  // EOF tells the server nothing more is coming
            while let response = client.readResponse() { statuses.insert(response.status) }
        }
        #expect(statuses.isSubset(of: [200, 400, 404, 405, 413, 414, 417, 431, 501, 505]))
        #expect(statuses.contains(200) && statuses.contains(400))
        #expect(TestServer.answersHealth(server))
    }

    @Test func refusesPlainHTTPOnANonLoopbackAddress() throws {
        let server = try HTTPServer(configuration: ServerConfiguration(host: "0.0.0.0", port: 0), router: TestServer.router)
        #expect(throws: HTTPServerError.plainHTTPOnPublicAddress("0.0.0.0")) { try server.start() }
    }

    @Test func reportsAPortInUseWithAStableCode() throws {
        let first = try TestServer.start()
        defer { first.shutdown(gracePeriod: 1) }
        let second = try HTTPServer(configuration: ServerConfiguration(host: "127.0.0.1", port: first.port), router: TestServer.router)
        do {
            try second.start()
            Issue.record("a second server bound the same port")
        } catch let error as HTTPServerError {
            #expect(error.code == "address_in_use")
        }
    }
}

@Suite struct LoopbackRuleTests {
    private func isLoopback(_ host: String) -> Bool? {
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0, let first = list else { return nil }
        defer { freeaddrinfo(list) }
        return ListeningSocket.isLoopback(first.pointee.ai_addr)
    }

    @Test(arguments: [("127.0.0.1", true), ("127.8.9.10", true), ("::1", true), ("::ffff:127.0.0.1", true),
                      ("0.0.0.0", false), ("10.0.0.1", false), ("::", false), ("::ffff:10.0.0.1", false), ("fe80::1", false)])
    func classifiesLoopbackAddresses(host: String, loopback: Bool) {
        #expect(isLoopback(host) == loopback)
    }
}
