import Foundation
import Testing
import TestSupport
@testable import PeerClient

/// The client against real loopback servers: trust, failures, limits, keep-alive and byte accounting.
@Suite struct PeerConnectionTests {
    /// Short limits so failure tests finish quickly; no test asserts on how long anything took.
    static let shortLimits = ClientLimits(connectTimeout: .seconds(5), totalTimeout: .seconds(20), lowSpeedTime: .seconds(10))

    static func connection(to server: LoopbackPeerServer, pin: String?? = .none, limits: ClientLimits = shortLimits) throws -> PeerConnection {
        let endpoint = try PeerEndpoint(name: "aachen", baseURL: server.baseURL, tlsPin: pin ?? server.pin)
        return try PeerConnection(endpoint: endpoint, limits: limits)
    }

    static func expectFailure(_ code: PeerClientError.Code, _ body: () throws(PeerClientError) -> Void,
                              sourceLocation: SourceLocation = #_sourceLocation) -> PeerClientError? {
        do {
            try body()
            Issue.record("expected \(code.rawValue), but the request succeeded", sourceLocation: sourceLocation)
            return nil
        } catch {
            #expect(error.code == code, "\(error.message) [\(error.detail ?? "")]", sourceLocation: sourceLocation)
            return error
        }
    }

    // MARK: Trust

    @Test func acceptsTheServerWhoseKeyMatchesThePin() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        let response = try connection.send(.get("/v1/health"))
        #expect(response.status == 200)
        #expect(response.body == Array(#"{"status":"ok"}"#.utf8))
        #expect(response.statusError(for: connection.endpoint) == nil)
    }

    @Test func refusesAServerWhoseKeyDoesNotMatchThePinBeforeSendingAnything() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let otherKeyPin = "sha256//" + Data(repeating: 7, count: 32).base64EncodedString()
        let connection = try Self.connection(to: server, pin: .some(otherKeyPin))
        let error = Self.expectFailure(.pinMismatch) { () throws(PeerClientError) in _ = try connection.send(.get("/v1/health", authorization: "secret-signature")) }
        #expect(error?.message == "peer 'aachen' at \(server.baseURL): TLS public key does not match the pinned key (pin mismatch)")
        #expect(server.requests().isEmpty)
        #expect(connection.requestBytes == 0)
    }

    @Test func acceptsAnyOfSeveralPinsDuringACertificateChange() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let oldPin = "sha256//" + Data(repeating: 1, count: 32).base64EncodedString()
        let connection = try Self.connection(to: server, pin: .some(oldPin + ";" + server.pin!))
        #expect(try connection.send(.get("/v1/health")).status == 200)
    }

    @Test func refusesASelfSignedCertificateWhenNoPinIsGiven() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server, pin: .some(nil))
        let error = Self.expectFailure(.tls) { () throws(PeerClientError) in _ = try connection.send(.get("/v1/health")) }
        #expect(error?.message.contains("not trusted") == true)
        #expect(server.requests().isEmpty)
    }

    @Test func refusesPlainHTTPWhenTheBaseURLIsHTTPS() throws {
        let plain = try LoopbackPeerServer(tls: false)
        defer { plain.stop() }
        let endpoint = try PeerEndpoint(name: "aachen", baseURL: "https://127.0.0.1:\(plain.port)", tlsPin: nil)
        let connection = try PeerConnection(endpoint: endpoint, limits: Self.shortLimits)
        _ = Self.expectFailure(.tls) { () throws(PeerClientError) in _ = try connection.send(.get("/v1/health")) }
        #expect(plain.requests().isEmpty)
    }

    // MARK: Network failures

    @Test func reportsRefusedWhenNothingListens() throws {
        let port = try LoopbackPeerServer.unusedPort()
        let endpoint = try PeerEndpoint(name: "wolfsburg", baseURL: "https://127.0.0.1:\(port)", tlsPin: nil)
        let connection = try PeerConnection(endpoint: endpoint, limits: Self.shortLimits)
        let error = Self.expectFailure(.refused) { () throws(PeerClientError) in _ = try connection.send(.get("/v1/health")) }
        #expect(error?.message.hasPrefix("peer 'wolfsburg' at https://127.0.0.1:\(port): ") == true)
        #expect(connection.roundTrips == 0)
    }

    @Test func reportsDNSFailureForAnUnresolvableHost() throws {
        let endpoint = try PeerEndpoint(name: "kempten", baseURL: "https://nonexistent.invalid:8443")
        let connection = try PeerConnection(endpoint: endpoint, limits: Self.shortLimits)
        let error = Self.expectFailure(.dns) { () throws(PeerClientError) in _ = try connection.send(.get("/v1/health")) }
        #expect(error?.message.contains("nonexistent.invalid") == true)
    }

    @Test func abortsAPeerThatDoesNotAnswerWithinTheTotalTimeout() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let limits = ClientLimits(connectTimeout: .seconds(5), totalTimeout: .milliseconds(700), lowSpeedTime: .seconds(30))
        let connection = try Self.connection(to: server, limits: limits)
        _ = Self.expectFailure(.timeout) { () throws(PeerClientError) in _ = try connection.send(.get("/sleep/5000")) }
    }

    @Test func abortsAStalledTransferAtTheLowSpeedLimitBeforeTheTotalTimeout() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let limits = ClientLimits(connectTimeout: .seconds(5), totalTimeout: .seconds(60), lowSpeedTime: .seconds(1))
        let connection = try Self.connection(to: server, limits: limits)
        let error = Self.expectFailure(.timeout) { () throws(PeerClientError) in _ = try connection.send(.get("/sleep/8000")) }
        #expect(error?.detail?.contains("too slow") == true, "\(error?.detail ?? "")")
    }

    // MARK: Response caps

    @Test func refusesAnAnnouncedBodyOverTheCap() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server, limits: ClientLimits(maxResponseBodyBytes: 4096))
        let error = Self.expectFailure(.responseTooLarge) { () throws(PeerClientError) in _ = try connection.send(.get("/bytes/4097")) }
        #expect(error?.message.contains("4096 bytes") == true)
    }

    @Test func refusesAChunkedBodyOverTheCapWhileItStreams() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server, limits: ClientLimits(maxResponseBodyBytes: 100_000))
        _ = Self.expectFailure(.responseTooLarge) { () throws(PeerClientError) in _ = try connection.send(.get("/chunked/300000")) }
        #expect(connection.responseBodyBytes <= 100_000)
    }

    @Test func acceptsABodyOfExactlyTheCap() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server, limits: ClientLimits(maxResponseBodyBytes: 100_000))
        #expect(try connection.send(.get("/bytes/100000")).body.count == 100_000)
        #expect(try connection.send(.get("/chunked/100000")).body.count == 100_000)
    }

    @Test func refusesResponseHeadersOverTheCap() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server, limits: ClientLimits(maxResponseHeaderBytes: 8192))
        #expect(try connection.send(.get("/headers/4000")).status == 200)
        _ = Self.expectFailure(.responseTooLarge) { () throws(PeerClientError) in _ = try connection.send(.get("/headers/20000")) }
    }

    // MARK: Redirects

    @Test func returnsARedirectToPlainHTTPWithoutFollowingIt() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let plain = try LoopbackPeerServer(tls: false)
        defer { plain.stop() }
        let connection = try Self.connection(to: server)
        let target = "\(plain.baseURL)/leaked"
        let response = try connection.send(.get("/redirect?to=\(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)", authorization: "sig"))
        #expect(response.status == 302)
        #expect(response.header("Location") == target)
        #expect(response.statusError(for: connection.endpoint)?.code == .httpStatus)
        #expect(plain.requests().isEmpty)
    }

    @Test func refusesToFollowARedirectToPlainHTTPEvenWhenRedirectsAreAllowed() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let plain = try LoopbackPeerServer(tls: false)
        defer { plain.stop() }
        let connection = try Self.connection(to: server, limits: ClientLimits(maxRedirects: 3))
        let target = "\(plain.baseURL)/leaked"
        let error = Self.expectFailure(.transport) { () throws(PeerClientError) in
            _ = try connection.send(.get("/redirect?to=\(target.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"))
        }
        #expect(error?.message.contains("not https://") == true)
        #expect(plain.requests().isEmpty)
    }

    // MARK: Keep-alive and accounting

    @Test func reusesOneConnectionForThreeRequests() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        _ = try connection.send(.get("/v1/health"))
        _ = try connection.send(.post("/v1/push", json: Array(#"{"items":[]}"#.utf8), authorization: "sig"))
        _ = try connection.send(.get("/v1/info"))
        let requests = server.requests()
        #expect(requests.map(\.path) == ["/v1/health", "/v1/push", "/v1/info"])
        #expect(Set(requests.map(\.port)).count == 1)
        #expect(connection.roundTrips == 3)
    }

    @Test func reconnectsWhenThePeerClosesTheConnection() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        _ = try connection.send(.get("/close"))
        #expect(try connection.send(.get("/v1/health")).status == 200)
        let requests = server.requests()
        #expect(requests.count == 2)
        #expect(Set(requests.map(\.port)).count == 2)
    }

    @Test func sendsOnlyHostAndAuthorizationOnAGet() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        let authorization = "CityBench origin=0123456789abcdef0123456789abcdef, ts=1700000000, nonce=AAAAAAAAAAAAAAAAAAAAAA, sig=xyz"
        _ = try connection.send(.get("/v1/changes?since=0&limit=262144", authorization: authorization))
        let request = try #require(server.requests().first)
        let expected = "GET /v1/changes?since=0&limit=262144 HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\nAuthorization: \(authorization)\r\n\r\n"
        #expect(String(decoding: request.rawBytes, as: UTF8.self) == expected)
        #expect(connection.requestBytes == expected.utf8.count)
    }

    @Test func sendsOnlyJSONFramingHeadersWithALargeBodyAndNoExpectContinue() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        var generator = SeededGenerator(seed: 0xC17B)
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
        let filler = (0..<(2 * 1024 * 1024)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        let body = Array(#"{"items":[""#.utf8) + filler + Array(#""]}"#.utf8)
        let response = try connection.send(.post("/v1/push", json: body, authorization: "sig"))
        #expect(response.body == Array(#"{"received": \#(body.count)}"#.utf8))
        let request = try #require(server.requests().first)
        #expect(request.headerNames == ["host", "authorization", "content-type", "content-length"])
        #expect(request.headerFields.first { $0.name == "content-type" }?.value == "application/json")
        #expect(request.headerFields.first { $0.name == "content-length" }?.value == "\(body.count)")
        #expect(Array(request.rawBytes.suffix(body.count)) == body)
        #expect(connection.requestBytes == request.rawBytes.count)
    }

    @Test func countsRequestAndResponseBytesAcrossRequests() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        var bodyBytes = 0
        bodyBytes += try connection.send(.get("/v1/health")).body.count
        bodyBytes += try connection.send(.post("/v1/reconcile", json: Array(#"{"digest":"abc"}"#.utf8), authorization: "sig")).body.count
        bodyBytes += try connection.send(.get("/bytes/1234")).body.count
        bodyBytes += try connection.send(.get("/status/409")).body.count
        #expect(bodyBytes == 15 + #"{"received": 16}"#.utf8.count + 1234 + 55)
        #expect(connection.responseBodyBytes == bodyBytes)
        #expect(connection.requestBytes == server.requests().reduce(0) { $0 + $1.rawBytes.count })
        #expect(connection.roundTrips == 4)
    }

    @Test func aSignedNoChangeSyncRequestStaysWithinTheDesignBudget() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        // Field sizes of a real signed request (design §5): 32-hex origin, Unix seconds, B64 of 16 and 64 bytes.
        let authorization = "CityBench origin=\(String(repeating: "a", count: 32)), ts=1763770000, nonce=\(String(repeating: "N", count: 22)), sig=\(String(repeating: "S", count: 86))"
        _ = try connection.send(.get("/v1/changes?since=0123456789abcdef.123456", authorization: authorization))
        #expect(connection.totals == PeerTransferTotals(requestBytes: server.requests()[0].rawBytes.count, responseBodyBytes: 15, roundTrips: 1))
        #expect(connection.requestBytes <= 300)
    }

    @Test func sendsAnEmptyJSONBodyWithContentLengthZero() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        #expect(try connection.send(.post("/v1/push", json: [])).body == Array(#"{"received": 0}"#.utf8))
        let request = try #require(server.requests().first)
        #expect(request.headerFields.first { $0.name == "content-length" }?.value == "0")
        #expect(connection.requestBytes == request.rawBytes.count)
    }

    // MARK: Statuses

    @Test func returnsErrorStatusesWithRetryAfterInsteadOfThrowing() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        let response = try connection.send(.get("/status/429?retry=7"))
        #expect(response.status == 429)
        #expect(response.retryAfterSeconds == 7)
        #expect(response.statusClass == .rateLimited)
        #expect(response.errorCode == "rate_limited")
        let error = try #require(response.statusError(for: connection.endpoint))
        #expect(error.code == .httpStatus)
        #expect(error.status == 429)
        #expect(error.message == "peer 'aachen' at \(server.baseURL): asked this node to slow down (HTTP 429) (peer error code rate_limited); it asked to retry after 7 s")
    }

    @Test func talksPlainHTTPToALoopbackPeer() throws {
        let plain = try LoopbackPeerServer(tls: false)
        defer { plain.stop() }
        let connection = try Self.connection(to: plain)
        #expect(try connection.send(.get("/v1/health")).status == 200)
        #expect(connection.requestBytes == plain.requests().first?.rawBytes.count)
    }

    @Test func refusesAHeaderInjectionWithoutContactingThePeer() throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        let injected = PeerRequest(method: .get, path: "/v1/health",
                                   headers: [.init(name: "Authorization", value: "sig\r\nX-Evil: 1")])
        _ = Self.expectFailure(.invalidRequest) { () throws(PeerClientError) in _ = try connection.send(injected) }
        #expect(server.requests().isEmpty)
    }

    @Test func serialisesRequestsFromSeveralThreadsOnOneConnection() async throws {
        let server = try LoopbackPeerServer()
        defer { server.stop() }
        let connection = try Self.connection(to: server)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<8 {
                group.addTask { try connection.send(.get("/bytes/\(100 + index)")).body.count }
            }
            var total = 0
            for try await count in group { total += count }
            #expect(total == (0..<8).reduce(0) { $0 + 100 + $1 })
        }
        #expect(connection.roundTrips == 8)
        #expect(Set(server.requests().map(\.port)).count == 1)
    }
}
