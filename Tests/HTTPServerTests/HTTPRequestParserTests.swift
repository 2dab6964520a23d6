import Testing
import TestSupport
@testable import HTTPServer

/// Feeds `text` to a fresh parser and returns every event until it asks for more data.
private func events(_ text: String, limits: ParserLimits = ParserLimits()) -> [HTTPRequestParser.Event] {
    var parser = HTTPRequestParser(limits: limits)
    parser.append(Array(text.utf8))
    var out: [HTTPRequestParser.Event] = []
    while true {
        let event = parser.next()
        out.append(event)
        switch event {
        case .request: continue
        default: return out
        }
    }
}

private func firstFailure(_ text: String, limits: ParserLimits = ParserLimits()) -> HTTPParseError? {
    for event in events(text, limits: limits) {
        if case .failure(let error) = event { return error }
    }
    return nil
}

private func requests(_ events: [HTTPRequestParser.Event]) -> [HTTPRequest] {
    events.compactMap { if case .request(let request) = $0 { return request } else { return nil } }
}

@Suite struct HTTPRequestParserTests {
    @Test func parsesGetWithDecodedQueryAndCaseInsensitiveHeaders() throws {
        let parsed = requests(events("GET /v1/changes?since=0.12&origin=ab%20c&plus=a+b&empty HTTP/1.1\r\nHost: node\r\nX-Thing:  spaced value \r\n\r\n"))
        let request = try #require(parsed.first)
        #expect(request.method == "GET")
        #expect(request.path == "/v1/changes")
        #expect(request.query == "since=0.12&origin=ab%20c&plus=a+b&empty")
        #expect(request.target == "/v1/changes?since=0.12&origin=ab%20c&plus=a+b&empty")
        #expect(request.queryValue("since") == "0.12")
        #expect(request.queryValue("origin") == "ab c")
        #expect(request.queryValue("plus") == "a+b")
        #expect(request.queryValue("empty") == "")
        #expect(request.headers["x-thing"] == "spaced value")
        #expect(request.headers["HOST"] == "node")
        #expect(request.version == .http11)
        #expect(request.wantsKeepAlive)
        #expect(request.body.isEmpty)
    }

    @Test func parsesRequestFedOneByteAtATimeAndReportsPhases() throws {
        let text = "POST /echo HTTP/1.1\r\nHost: n\r\nContent-Length: 5\r\n\r\nhello"
        var parser = HTTPRequestParser()
        let initial = parser.next()
        #expect(initial == .needMoreData(.idle))
        var phases: [HTTPRequestParser.Phase] = []
        var result: HTTPRequest?
        for byte in text.utf8 {
            parser.append([byte])
            switch parser.next() {
            case .needMoreData(let phase): phases.append(phase)
            case .request(let request): result = request
            case .failure(let error): Issue.record("unexpected \(error)")
            }
        }
        let after = parser.next()
        #expect(result?.body == Array("hello".utf8))
        #expect(phases.first == .head)
        #expect(phases.last == .body)
        #expect(after == .needMoreData(.idle))
    }

    @Test func answersPipelinedRequestsInOrder() {
        let text = "GET /a HTTP/1.1\r\nHost: n\r\n\r\nPOST /b HTTP/1.1\r\nHost: n\r\nContent-Length: 3\r\n\r\nxyzGET /c HTTP/1.1\r\nHost: n\r\n\r\n"
        let parsed = requests(events(text))
        #expect(parsed.map(\.path) == ["/a", "/b", "/c"])
        #expect(parsed[1].body == Array("xyz".utf8))
    }

    @Test func pipelinedStreamSplitAtRandomPointsGivesTheSameRequests() {
        let text = "GET /a?x=1 HTTP/1.1\r\nHost: n\r\n\r\nPOST /b HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nTrailer-A: 1\r\n\r\nPUT /c HTTP/1.0\r\nContent-Length: 2\r\n\r\nok"
        let bytes = Array(text.utf8)
        let expected = requests(events(text))
        #expect(expected.count == 3)
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<200 {
            var parser = HTTPRequestParser()
            var got: [HTTPRequest] = []
            var index = 0
            while index < bytes.count {
                let size = Int.random(in: 1...9, using: &generator)
                parser.append(bytes[index..<min(bytes.count, index + size)])
                index += size
                while case .request(let request) = parser.next() { got.append(request) }
            }
            #expect(got == expected)
        }
    }

    @Test func decodesChunkedBodyWithExtensionsAndIgnoresTrailers() throws {
        let parsed = requests(events("POST /echo HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: Chunked\r\n\r\n4;name=\"v\"\r\nWiki\r\n5 \r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nExpires: never\r\n\r\n"))
        let request = try #require(parsed.first)
        #expect(String(decoding: request.body, as: UTF8.self) == "Wikipedia in\r\n\r\nchunks.")
        #expect(request.headers["Expires"] == nil)
    }

    @Test func rejectsRequestSmugglingWithTwoContentLengthsEvenWhenEqual() {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc") == .badRequest(.duplicateContentLength))
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd") == .badRequest(.duplicateContentLength))
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 3, 3\r\n\r\nabc") == .badRequest(.invalidContentLength))
    }

    @Test func rejectsRequestSmugglingWithContentLengthAndTransferEncoding() {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n") == .badRequest(.contentLengthWithTransferEncoding))
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n") == .badRequest(.contentLengthWithTransferEncoding))
    }

    @Test(arguments: ["-1", "abc", "1 2", "+5", "0x10", "", "5;", "٣"])
    func rejectsNegativeOrGarbageContentLength(value: String) {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: \(value)\r\n\r\n") == .badRequest(.invalidContentLength))
    }

    @Test func acceptsLeadingZerosInContentLength() throws {
        let parsed = requests(events("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 0000000000000000000000002\r\n\r\nok"))
        #expect(parsed.first?.body == Array("ok".utf8))
    }

    @Test func rejectsBodyOverTheLimitByDeclaredLengthBeforeReadingIt() {
        let limits = ParserLimits(maxBodyBytes: 10)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 11\r\n\r\n", limits: limits) == .bodyTooLarge)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 99999999999999999999999999\r\n\r\n", limits: limits) == .bodyTooLarge)
        #expect(requests(events("POST / HTTP/1.1\r\nHost: n\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits)).count == 1)
    }

    @Test func rejectsChunkedBodyOverTheLimitOnDecodedSize() {
        let limits = ParserLimits(maxBodyBytes: 10)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n", limits: limits) == .bodyTooLarge)
        #expect(requests(events("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n", limits: limits)).count == 1)
    }

    @Test func guardsChunkSizeOverflow() {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffffffffffff\r\n") == .bodyTooLarge)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n0000000000000000000000000001\r\na\r\n0\r\n\r\n") == nil)
    }

    @Test(arguments: [
        ("zz\r\n", HTTPParseError.BadRequestReason.malformedChunkSize),
        ("\r\n", .malformedChunkSize),
        ("-1\r\n", .malformedChunkSize),
        ("3 x\r\nabc\r\n", .malformedChunkSize),
        ("3\r\nabcXY0\r\n\r\n", .missingChunkTerminator),
        ("3\nabc\r\n", .lineWithoutCarriageReturn),
    ])
    func rejectsMalformedChunks(body: String, reason: HTTPParseError.BadRequestReason) {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n" + body) == .badRequest(reason))
    }

    @Test func rejectsOverlongChunkLines() {
        let limits = ParserLimits(maxChunkLineBytes: 16)
        let extensionText = String(repeating: "x", count: 40)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n1;\(extensionText)", limits: limits) == .badRequest(.chunkLineTooLong))
    }

    @Test func rejectsTransferCodingsOtherThanChunked() {
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: gzip, chunked\r\n\r\n")?.status.code == 501)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: gzip\r\n\r\n") == .badRequest(.chunkedNotFinal))
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked, chunked\r\n\r\n") == .badRequest(.chunkedNotFinal))
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n") == .badRequest(.chunkedNotFinal))
        #expect(firstFailure("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") == .badRequest(.transferEncodingInHTTP10))
    }

    @Test func rejectsObsoleteLineFolding() {
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\r\nX-A: one\r\n two\r\n\r\n") == .badRequest(.obsoleteLineFolding))
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\r\nX-A: one\r\n\ttwo\r\n\r\n") == .badRequest(.obsoleteLineFolding))
    }

    @Test(arguments: ["Host : n", "Host\t: n", " Host: n", "Ho st: n", "Host n", ": n", "X-A: a\u{0}b", "X-A: a\u{7F}"])
    func rejectsMalformedHeaderFields(line: String) {
        let failure = firstFailure("GET / HTTP/1.1\r\nHost: n\r\n\(line)\r\n\r\n")
        #expect(failure == .badRequest(.malformedHeaderField) || failure == .badRequest(.obsoleteLineFolding))
    }

    @Test func rejectsBareLineFeeds() {
        #expect(firstFailure("GET / HTTP/1.1\nHost: n\r\n\r\n") == .badRequest(.lineWithoutCarriageReturn))
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\n\r\n") == .badRequest(.lineWithoutCarriageReturn))
    }

    @Test func rejectsOverlongRequestLineBeforeItsEndArrives() {
        let limits = ParserLimits(maxRequestLineBytes: 64)
        #expect(firstFailure("GET /" + String(repeating: "a", count: 100), limits: limits) == .requestLineTooLong)
        #expect(firstFailure("GET /" + String(repeating: "a", count: 100) + " HTTP/1.1\r\n", limits: limits)?.status.code == 414)
        #expect(firstFailure("GET /" + String(repeating: "a", count: 40) + " HTTP/1.1\r\nHost: n\r\n\r\n", limits: limits) == nil)
    }

    @Test func rejectsHeaderBlocksOverTheSizeOrCountLimit() {
        let limits = ParserLimits(maxHeaderBytes: 200, maxHeaderCount: 5)
        let big = "X-Big: " + String(repeating: "v", count: 300)
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\r\n\(big)", limits: limits) == .headerBlockTooLarge)
        let many = (1...6).map { "X-\($0): v\r\n" }.joined()
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\r\n\(many)\r\n", limits: limits) == .tooManyHeaderFields)
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: n\r\n\(many)\r\n", limits: limits)?.status.code == 431)
        let trailers = (1...6).map { "T-\($0): v\r\n" }.joined()
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\(trailers)\r\n", limits: limits) == .tooManyHeaderFields)
    }

    @Test func requiresExactlyOneHostInHTTP11() {
        #expect(firstFailure("GET / HTTP/1.1\r\n\r\n") == .badRequest(.missingHost))
        #expect(firstFailure("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") == .badRequest(.multipleHost))
        #expect(firstFailure("GET / HTTP/1.0\r\n\r\n") == nil)
    }

    @Test func appliesHTTP10AndConnectionCloseKeepAliveRules() throws {
        let parsed = requests(events("GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /c HTTP/1.1\r\nHost: n\r\nConnection: Keep-Alive, close\r\n\r\n"))
        #expect(parsed.map(\.wantsKeepAlive) == [false, true, false])
    }

    @Test(arguments: [
        ("GET  / HTTP/1.1", 400), ("GET / HTTP/1.1 ", 400), ("GET /", 400), ("G(T / HTTP/1.1", 400),
        ("GET / HTTP/2.0", 505), ("GET / HTTP/1.1x", 400), ("GET / http/1.1", 400),
        ("GET http://example.org/ HTTP/1.1", 400), ("GET /a<b HTTP/1.1", 400), ("GET /a#frag HTTP/1.1", 400),
        ("GET * HTTP/1.1", 400),
    ])
    func rejectsMalformedRequestLines(line: String, status: Int) {
        #expect(firstFailure("\(line)\r\nHost: n\r\n\r\n")?.status.code == status)
    }

    @Test func acceptsAsteriskTargetOnlyForOptions() throws {
        #expect(requests(events("OPTIONS * HTTP/1.1\r\nHost: n\r\n\r\n")).first?.path == "*")
    }

    @Test(arguments: ["/a%zz", "/a%4", "/q?x=%", "/q?x=%C3%28", "/q?%FF=1"])
    func rejectsInvalidPercentEncoding(target: String) {
        #expect(firstFailure("GET \(target) HTTP/1.1\r\nHost: n\r\n\r\n") == .badRequest(.invalidPercentEncoding))
    }

    @Test func ignoresOneEmptyLineBeforeARequest() {
        #expect(requests(events("\r\nGET / HTTP/1.1\r\nHost: n\r\n\r\n")).count == 1)
        #expect(firstFailure("\r\n\r\nGET / HTTP/1.1\r\nHost: n\r\n\r\n") != nil)
    }

    @Test func staysFailedAfterAnError() {
        var parser = HTTPRequestParser()
        parser.append(Array("GET / HTTP/1.1\r\nHost n\r\n\r\n".utf8))
        let first = parser.next()
        parser.append(Array("GET / HTTP/1.1\r\nHost: n\r\n\r\n".utf8))
        let second = parser.next()
        #expect(first == .failure(.badRequest(.malformedHeaderField)))
        #expect(second == .failure(.badRequest(.malformedHeaderField)))
    }

    @Test func mutatedRequestsNeverCrashOrExceedTheLimits() {
        let valid = Array("POST /b?x=%41 HTTP/1.1\r\nHost: n\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nPUT /c HTTP/1.1\r\nHost: n\r\nContent-Length: 2\r\n\r\nok".utf8)
        let limits = ParserLimits(maxRequestLineBytes: 64, maxHeaderBytes: 128, maxHeaderCount: 4, maxBodyBytes: 16, maxChunkLineBytes: 8)
        let interesting: [UInt8] = Array("\r\n :;%0fF-\t".utf8) + [0, 0x7F, 0xFF]
        var generator = SeededGenerator(seed: 42)
        for _ in 0..<3000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: bytes[index] = interesting.randomElement(using: &generator)!
                case 1: bytes.insert(interesting.randomElement(using: &generator)!, at: index)
                default: bytes.remove(at: index)
                }
            }
            var parser = HTTPRequestParser(limits: limits)
            parser.append(bytes)
            var steps = 0
            loop: while steps < 100 {
                steps += 1
                switch parser.next() {
                case .request(let request):
                    #expect(request.body.count <= limits.maxBodyBytes)
                    #expect(request.headers.count <= limits.maxHeaderCount)
                case .needMoreData, .failure:
                    break loop
                }
            }
            #expect(steps < 100)
        }
    }

    @Test func flagsExpectContinueOnceAndRejectsOtherExpectations() {
        var parser = HTTPRequestParser()
        parser.append(Array("POST / HTTP/1.1\r\nHost: n\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n".utf8))
        let event = parser.next()
        #expect(event == .needMoreData(.body))
        let first = parser.takeContinueRequest()
        let second = parser.takeContinueRequest()
        #expect(first)
        #expect(!second)
        #expect(firstFailure("POST / HTTP/1.1\r\nHost: n\r\nExpect: magic\r\n\r\n")?.status.code == 417)
    }
}

