import Foundation
import Testing
@testable import PeerClient

/// Status classification, peer error codes and `Retry-After` parsing, without a network.
@Suite struct PeerResponseTests {
    static let endpoint = try! PeerEndpoint(name: "saarbruecken", baseURL: "https://127.0.0.1:8443")

    @Test func classifiesEveryStatusRange() {
        let expected: [Int: PeerStatusClass] = [
            100: .unexpected, 200: .success, 204: .success, 302: .redirect, 400: .clientError, 401: .unauthenticated,
            403: .forbidden, 404: .clientError, 409: .conflict, 413: .clientError, 429: .rateLimited,
            500: .serverError, 503: .serverError, 600: .unexpected, 0: .unexpected,
        ]
        for (status, statusClass) in expected {
            #expect(PeerStatusClass(status: status) == statusClass, "status \(status)")
        }
        #expect(PeerStatusClass.allCases.filter(\.isTransient) == [.rateLimited, .serverError])
    }

    @Test func successHasNoStatusError() {
        #expect(PeerResponse(status: 200).statusError(for: Self.endpoint) == nil)
    }

    @Test func statusErrorTellsTheClerkWhatToDo() throws {
        let error = try #require(PeerResponse(status: 403).statusError(for: Self.endpoint))
        #expect(error.code == .httpStatus)
        #expect(error.message == "peer 'saarbruecken' at https://127.0.0.1:8443: does not trust this node (HTTP 403); ask the peer's operator to add this node's descriptor")
    }

    @Test func echoesOnlyWellFormedPeerErrorCodes() {
        let good = PeerResponse(status: 409, body: Array(#"{"error":{"code":"epoch_changed","message":"x"},"epoch":"ab"}"#.utf8))
        #expect(good.errorCode == "epoch_changed")
        #expect(good.statusError(for: Self.endpoint)?.message.contains("(peer error code epoch_changed)") == true)
        let hostile = PeerResponse(status: 400, body: Array(#"{"error":{"code":"<script>alert(1)</script>"}}"#.utf8))
        #expect(hostile.errorCode == nil)
        #expect(PeerResponse(status: 500, body: Array("not json".utf8)).errorCode == nil)
        #expect(PeerResponse(status: 200, body: Array(#"{"error":{"code":"x"}}"#.utf8)).errorCode == nil)
    }

    @Test func parsesRetryAfterAsDeltaSeconds() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(RetryAfter.seconds(from: "120", now: now) == 120)
        #expect(RetryAfter.seconds(from: " 0 ", now: now) == 0)
        #expect(RetryAfter.seconds(from: "99999999999999999999999", now: now) == RetryAfter.maximumSeconds)
        #expect(RetryAfter.seconds(from: "-5", now: now) == nil)
        #expect(RetryAfter.seconds(from: "1.5", now: now) == nil)
        #expect(RetryAfter.seconds(from: "soon", now: now) == nil)
        #expect(RetryAfter.seconds(from: "", now: now) == nil)
    }

    @Test func parsesRetryAfterAsAnHTTPDateFromTheInjectedClock() {
        // 1994-11-06T08:49:37Z is 784111777.
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        #expect(RetryAfter.seconds(from: date, now: Date(timeIntervalSince1970: 784_111_777 - 90)) == 90)
        #expect(RetryAfter.seconds(from: date, now: Date(timeIntervalSince1970: 784_111_777 + 90)) == 0)
        #expect(RetryAfter.seconds(from: date, now: Date(timeIntervalSince1970: 0)) == RetryAfter.maximumSeconds)
        #expect(RetryAfter.seconds(from: "Sunday, 06-Nov-94 08:49:37 GMT", now: Date(timeIntervalSince1970: 0)) == nil)
    }

    @Test func errorCodesAreStable() {
        #expect(PeerClientError.Code.allCases.map(\.rawValue) == [
            "dns", "refused", "pin_mismatch", "tls", "timeout", "response_too_large", "transport",
            "invalid_endpoint", "invalid_request", "http_status",
        ])
    }

    @Test func roundsTimeoutsUpSoThatNoneBecomesZero() {
        #expect(Duration.milliseconds(700).wholeMillisecondsRoundedUp == 700)
        #expect(Duration.microseconds(1).wholeMillisecondsRoundedUp == 1)
        #expect(Duration.seconds(10).wholeMillisecondsRoundedUp == 10_000)
        #expect(Duration.milliseconds(1).wholeSecondsRoundedUp == 1)
        #expect(Duration.milliseconds(15_001).wholeSecondsRoundedUp == 16)
    }
}
