import Foundation
import Testing
@testable import PeerClient

/// The code `body` fails with, or nil if it succeeds.
func failureCode(_ body: () throws(PeerClientError) -> Void) -> PeerClientError.Code? {
    do {
        try body()
        return nil
    } catch {
        return error.code
    }
}

/// Validation of peer addresses and pins before anything is sent.
@Suite struct PeerEndpointTests {
    static let pin = "sha256//" + Data(repeating: 0xAB, count: 32).base64EncodedString()

    @Test(arguments: ["https://aachen.example:8443", "https://aachen.example:8443/", "https://10.0.0.5:8443/citybench",
                      "http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080", "http://127.8.9.10:1"])
    func acceptsHTTPSAnywhereAndHTTPOnlyOnLoopback(url: String) throws {
        let endpoint = try PeerEndpoint(name: "aachen", baseURL: url, tlsPin: Self.pin)
        #expect(!endpoint.baseURL.hasSuffix("/"))
        #expect(endpoint.isPlainHTTP == url.hasPrefix("http://"))
    }

    @Test(arguments: ["http://aachen.example:8080", "http://10.0.0.5:8080", "http://127.0.0.1.evil.example",
                      "http://128.0.0.1", "ftp://aachen.example", "aachen.example:8443", "https://",
                      "https://user:secret@aachen.example", "https://aachen.example/?x=1", "https://aachen.example/#x",
                      "https://aachen example"])
    func refusesUnsafeOrMalformedAddresses(url: String) {
        #expect(failureCode { () throws(PeerClientError) in _ = try PeerEndpoint(name: "aachen", baseURL: url) } == .invalidEndpoint)
    }

    @Test(arguments: ["sha256//AAAA", "sha1//" + Data(count: 20).base64EncodedString(), "", "sha256//",
                      "sha256//" + Data(count: 32).base64EncodedString() + ";", Data(count: 32).base64EncodedString()])
    func refusesMalformedPins(pin: String) {
        #expect(failureCode { () throws(PeerClientError) in _ = try PeerEndpoint(name: "aachen", baseURL: "https://a.example", tlsPin: pin) } == .invalidEndpoint)
    }

    @Test func acceptsSeveralPinsSeparatedBySemicolons() throws {
        let other = "sha256//" + Data(repeating: 1, count: 32).base64EncodedString()
        let endpoint = try PeerEndpoint(name: "aachen", baseURL: "https://a.example", tlsPin: Self.pin + ";" + other)
        #expect(endpoint.tlsPin == Self.pin + ";" + other)
    }

    @Test func namesThePeerAndAddressInErrors() {
        do {
            _ = try PeerEndpoint(name: "emsdetten", baseURL: "http://192.0.2.1:8080")
            Issue.record("plain http to a public address was accepted")
        } catch {
            #expect(error.message == "peer 'emsdetten' at http://192.0.2.1:8080: plain http:// is allowed only for loopback testing; use https://")
        }
    }
}

/// Request validation: nothing that could split or smuggle a request reaches libcurl.
@Suite struct PeerRequestTests {
    static let endpoint = try! PeerEndpoint(name: "aachen", baseURL: "https://a.example")

    @Test(arguments: [
        PeerRequest(method: .get, path: "v1/health"),
        PeerRequest(method: .get, path: "/v1/health now"),
        PeerRequest(method: .get, path: "/v1/health\r\nX: 1"),
        PeerRequest(method: .get, path: "/v1/health#frag"),
        PeerRequest(method: .get, path: "/v1/health", headers: [.init(name: "Authorization", value: "a\nb")]),
        PeerRequest(method: .get, path: "/v1/health", headers: [.init(name: "Bad Name", value: "x")]),
        PeerRequest(method: .get, path: "/v1/health", headers: [.init(name: "Host", value: "evil.example")]),
        PeerRequest(method: .get, path: "/v1/health", headers: [.init(name: "content-length", value: "0")]),
        PeerRequest(method: .get, path: "/v1/health", headers: [.init(name: "Transfer-Encoding", value: "chunked")]),
        PeerRequest(method: .get, path: "/v1/health", body: [0x7B, 0x7D]),
    ])
    func rejectsRequestsThatCouldInjectFraming(request: PeerRequest) {
        #expect(failureCode { () throws(PeerClientError) in try request.validate(for: Self.endpoint) } == .invalidRequest)
    }

    @Test func acceptsTheProtocolsOwnRequests() throws {
        try PeerRequest.get("/v1/changes?since=0123456789abcdef.42&limit=262144&origin=ab", authorization: "CityBench origin=a, ts=1, nonce=b, sig=c")
            .validate(for: Self.endpoint)
        try PeerRequest.post("/v1/push", json: Array(#"{"items":[]}"#.utf8), authorization: "CityBench x").validate(for: Self.endpoint)
    }
}
