import Foundation
import Testing
@testable import HTTPServer

@Suite struct RouterAndResponseTests {
    private var router: Router {
        var router = Router()
        router.add("GET", "/v1/health") { _ in .json(bytes: Array(#"{"status":"ok"}"#.utf8)) }
        router.add("POST", "/v1/push") { _ in HTTPResponse(status: .accepted) }
        router.add("PUT", "/v1/push") { _ in HTTPResponse(status: .accepted) }
        return router
    }

    private func errorObject(_ response: HTTPResponse) throws -> [String: String] {
        let object = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return try #require(object?["error"] as? [String: String])
    }

    @Test func answersUnknownPathsWith404WithoutEchoingThePath() throws {
        let response = router.respond(to: HTTPRequest(method: "GET", path: "/%3Cscript%3Ealert"))
        #expect(response.status.code == 404)
        #expect(try errorObject(response)["code"] == "not_found")
        #expect(!String(decoding: response.body, as: UTF8.self).contains("script"))
        #expect(response.routeLabel == Router.unmatchedLabel)
        #expect(response.headers["Content-Type"] == "application/json")
    }

    @Test func answersWrongMethodWith405AndAllow() throws {
        let response = router.respond(to: HTTPRequest(method: "DELETE", path: "/v1/push"))
        #expect(response.status.code == 405)
        #expect(response.headers["Allow"] == "POST, PUT")
        #expect(try errorObject(response)["code"] == "method_not_allowed")
    }

    @Test func answersHeadWithTheGetHandlerAndListsItInAllow() {
        #expect(router.respond(to: HTTPRequest(method: "HEAD", path: "/v1/health")).status.code == 200)
        #expect(router.respond(to: HTTPRequest(method: "HEAD", path: "/v1/push")).status.code == 405)
        #expect(router.respond(to: HTTPRequest(method: "POST", path: "/v1/health")).headers["Allow"] == "GET, HEAD")
    }

    @Test func routesByExactMethodAndPath() {
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/v1/health")).status.code == 200)
        #expect(router.respond(to: HTTPRequest(method: "get", path: "/v1/health")).status.code == 405)
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/v1/%68ealth")).status.code == 404)
        #expect(router.respond(to: HTTPRequest(method: "GET", path: "/v1/health")).routeLabel == "/v1/health")
    }

    @Test func parseErrorsMapToStableCodesAndStatuses() throws {
        let cases: [(HTTPParseError, Int, String)] = [
            (.requestLineTooLong, 414, "uri_too_long"), (.headerBlockTooLarge, 431, "header_fields_too_large"),
            (.tooManyHeaderFields, 431, "header_fields_too_large"), (.bodyTooLarge, 413, "payload_too_large"),
            (.badRequest(.duplicateContentLength), 400, "bad_request"), (.unsupportedTransferCoding, 501, "not_implemented"),
        ]
        for (error, status, code) in cases {
            let response = HTTPResponse.error(error)
            #expect(response.status.code == status)
            #expect(try errorObject(response)["code"] == code)
        }
        #expect(try errorObject(.requestTimeout)["code"] == "request_timeout")
    }

    @Test func errorMessagesAreEscapedAsJSON() throws {
        let response = HTTPResponse.error(.badRequest, code: "bad_request", message: "quote \" slash \\ newline \n tab \t bell \u{7}")
        #expect(try errorObject(response)["message"] == "quote \" slash \\ newline \n tab \t bell \u{7}")
    }

    @Test func encodingSetsFramingHeadersAndReplacesTheHandlers() {
        var response = HTTPResponse.json(bytes: Array("{}".utf8))
        response.headers.add(name: "Content-Length", value: "999")
        response.headers.add(name: "Transfer-Encoding", value: "chunked")
        let text = String(decoding: response.encoded(keepAlive: false, requestVersion: .http11, omitBody: false), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")
        let head = String(decoding: response.encoded(keepAlive: true, requestVersion: .http10, omitBody: true), as: UTF8.self)
        #expect(head == "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
    }

    @Test func headerValuesWithLineBreaksBecomeA500InsteadOfResponseSplitting() {
        let response = HTTPResponse(status: .ok, headers: ["X-Evil": "a\r\nSet-Cookie: x=1"], body: [])
        let text = String(decoding: response.encoded(keepAlive: true, requestVersion: .http11, omitBody: false), as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 500 "))
        #expect(!text.contains("Set-Cookie"))
        #expect(text.contains("Connection: close"))
    }

    @Test func jsonHelperEncodesWithSortedKeys() throws {
        let response = try HTTPResponse.json(.created, ["b": 1, "a": 2])
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"a":2,"b":1}"#)
        #expect(response.status.code == 201)
    }
}

@Suite struct ResponseFramingTests {
    @Test func noContentAndInterimResponsesCarryNoLengthOrBody() {
        let response = HTTPResponse(status: .noContent, body: Array("ignored".utf8))
        let text = String(decoding: response.encoded(keepAlive: true, requestVersion: .http11, omitBody: false), as: UTF8.self)
        #expect(text == "HTTP/1.1 204 No Content\r\n\r\n")
    }

    @Test func formatsTheDateHeaderAsIMFFixdate() {
        var date = HTTPDate()
        #expect(date.format(secondsSinceEpoch: 784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(date.format(secondsSinceEpoch: 0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        let response = HTTPResponse(status: .ok, headers: ["Date": "forged"])
        let text = String(decoding: response.encoded(keepAlive: true, requestVersion: .http11, omitBody: false, date: "Thu, 01 Jan 1970 00:00:00 GMT"), as: UTF8.self)
        #expect(text == "HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\nContent-Length: 0\r\n\r\n")
    }
}

@Suite struct HTTPHeadersTests {
    @Test func looksUpNamesIgnoringASCIICaseOnly() {
        var headers: HTTPHeaders = ["Content-Type": "a", "X-Multi": "1", "x-multi": "2"]
        #expect(headers["content-TYPE"] == "a")
        #expect(headers.values(for: "X-MULTI") == ["1", "2"])
        #expect(headers["Content-Typ"] == nil)
        #expect(headers["Content-Type-"] == nil)
        headers.add(name: "X-@", value: "at")
        #expect(headers["X-`"] == nil)
        #expect(headers["X-@"] == "at")
        headers.replace(name: "x-multi", value: "3")
        #expect(headers.values(for: "X-Multi") == ["3"])
        headers.remove(name: "CONTENT-type")
        #expect(!headers.contains("Content-Type"))
    }
}
