import Crypto
import Foundation
import Formats
import Replication
import Testing
import TestSupport
@testable import CityNode

/// Design §5: 401 for a missing, malformed, forged, expired or replayed authorization, 403 for an
/// origin the node does not trust, 429 past the rate limit, and in that order before any
/// parameter or body check. Each refused request leaves the database as it was.
@Suite struct AuthenticationTests {
    static func code(_ r: LoopbackHTTP.Response?) -> String? {
        r.flatMap { try? JSONReader.parse($0.body) }?["error"]?["code"]?.stringValue
    }

    func fixture() throws -> (RunningServer, TestNode, [UInt8]) {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        try a.publish([("MOB.EV_CHARGERS", "2024", "5")])
        let body = JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(try a.everything().map(\.json)))])))
        return (s, a, body)
    }

    @Test func aRequestWithoutAuthorizationIs401AndNeverLearnsWhetherItsCursorWasValid() throws {
        let (s, _, _) = try fixture()
        let valid = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/changes?since=0")
        let invalid = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/changes?since=garbage")
        #expect(valid?.status == 401 && invalid?.status == 401)
        #expect(valid?.body == invalid?.body && Self.code(valid) == "auth_missing")
    }

    @Test func malformedAuthorizationHeadersAre401() throws {
        let (s, a, _) = try fixture()
        let good = s.authorization(a, "GET", "/v1/changes?since=0")
        for value in ["Bearer x", "CityBench origin=\(a.origin)", good.replacingOccurrences(of: "ts=", with: "ts=-"),
                      good + ", extra=1", good.replacingOccurrences(of: "CityBench ", with: "citybench ")] {
            let r = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/changes?since=0", headers: [("Authorization", value)])
            #expect(r?.status == 401 && Self.code(r) == "auth_malformed", "\(value)")
        }
    }

    @Test func aForgedSignatureIs401AndChangesNothing() throws {
        let (s, a, body) = try fixture()
        let before = try s.fingerprint()
        let stranger = try TestNode(city: "Mallory", seed: 66)
        // Signed with another key but claiming a's origin.
        let forged = RequestAuthorization.sign(origin: a.origin, key: stranger.signingKey, audience: s.server.origin, method: "POST",
                                               pathWithQuery: "/v1/push", body: body, timestamp: Int(Date().timeIntervalSince1970),
                                               nonce: Array(repeating: 7, count: 16))
        let r = LoopbackHTTP.request(port: s.port, method: "POST", target: "/v1/push", headers: [("Authorization", forged)], body: body)
        #expect(r?.status == 401 && Self.code(r) == "auth_invalid")
        // A signature for another audience (another server) does not verify here either.
        let elsewhere = s.signed(a, "POST", "/v1/push", body: body, audience: stranger.origin)
        #expect(elsewhere?.status == 401)
        #expect(try s.fingerprint() == before && s.answersHealth)
    }

    @Test func aValidSignatureOverATamperedBodyIs401AndChangesNothing() throws {
        let (s, a, body) = try fixture()
        let before = try s.fingerprint()
        let value = s.authorization(a, "POST", "/v1/push", body: body)
        var tampered = body
        tampered[tampered.count - 5] ^= 1
        let r = LoopbackHTTP.request(port: s.port, method: "POST", target: "/v1/push", headers: [("Authorization", value)], body: tampered)
        #expect(r?.status == 401 && Self.code(r) == "auth_invalid")
        // Also a signature over another path with the same body.
        let moved = s.authorization(a, "POST", "/v1/reconcile", body: body)
        #expect(LoopbackHTTP.request(port: s.port, method: "POST", target: "/v1/push", headers: [("Authorization", moved)], body: body)?.status == 401)
        #expect(try s.fingerprint() == before && s.answersHealth)
    }

    @Test func anExpiredOrFutureTimestampIs401() throws {
        let (s, a, body) = try fixture()
        let before = try s.fingerprint()
        let now = Int(Date().timeIntervalSince1970)
        for ts in [now - 301 - 5, now + 301 + 5] {
            let r = s.signed(a, "POST", "/v1/push", body: body, timestamp: ts)
            #expect(r?.status == 401 && Self.code(r) == "auth_expired")
        }
        #expect(s.signed(a, "GET", "/v1/changes?since=0", timestamp: now - 200)?.status == 200)
        #expect(try s.fingerprint() == before)
    }

    @Test func aReplayedRequestIs401EvenThoughItsSignatureIsValid() throws {
        let (s, a, body) = try fixture()
        let value = s.authorization(a, "POST", "/v1/push", body: body)
        let first = LoopbackHTTP.request(port: s.port, method: "POST", target: "/v1/push", headers: [("Authorization", value)], body: body)
        #expect(first?.status == 200)
        let after = try s.fingerprint()
        let replay = LoopbackHTTP.request(port: s.port, method: "POST", target: "/v1/push", headers: [("Authorization", value)], body: body)
        #expect(replay?.status == 401 && Self.code(replay) == "auth_replayed")
        #expect(try s.fingerprint() == after && s.answersHealth)
    }

    @Test func afterAKeyRotationReachesTheServerOnlyTheNewKeySignsRequests() throws {
        let (s, a, _) = try fixture()
        #expect(s.push(a, try a.everything())?.status == 200)
        func changes(signedWith key: Ed25519SigningKey) -> Int? {
            let target = "/v1/changes?since=0&limit=1"
            let value = RequestAuthorization.sign(origin: a.origin, key: key, audience: s.server.origin, method: "GET", pathWithQuery: target,
                                                  body: [], timestamp: Int(Date().timeIntervalSince1970),
                                                  nonce: (0..<16).map { _ in UInt8.random(in: 0...255) })
            return LoopbackHTTP.request(port: s.port, method: "GET", target: target, headers: [("Authorization", value)])?.status
        }
        #expect(changes(signedWith: a.signingKey) == 200)
        #expect(changes(signedWith: a.signingKey) == 200, "the old key is cached for the origin")
        let keyRecord = try a.node.rotateKey()
        let newKey = try a.node.loadSigningKey()
        #expect(changes(signedWith: newKey) == 401, "not before the key record arrives")
        #expect(RunningServer.statuses(s.push(a, [keyRecord])) == ["accepted"], "the key record, pushed under the old key")
        #expect(changes(signedWith: newKey) == 200)
        #expect(changes(signedWith: newKey) == 200)
        #expect(changes(signedWith: a.signingKey) == 401, "the cached old key no longer counts")
    }

    @Test func anUnknownOrDistrustedOriginIs403AndTrustIsReadPerRequest() throws {
        let (s, a, body) = try fixture()
        let before = try s.fingerprint()
        let stranger = try TestNode(city: "Mallory", seed: 66)
        let r = s.signed(stranger, "POST", "/v1/push", body: body)
        #expect(r?.status == 403 && Self.code(r) == "untrusted_origin")
        #expect(try s.fingerprint() == before)
        // Another process (here: another connection) trusts the stranger: the running server sees it at once.
        try s.trust(stranger)
        #expect(s.signed(stranger, "GET", "/v1/changes?since=0")?.status == 200)
        try s.host.node.distrust(origin: a.origin)
        #expect(s.signed(a, "GET", "/v1/changes?since=0")?.status == 403)
    }

    @Test func pastTheRateLimitA429CarriesRetryAfterAndOtherOriginsAreUnaffected() throws {
        var api = PeerAPIConfiguration()
        api.rateLimit = RateLimit(perSecond: 0.01, burst: 3)
        let s = try RunningServer(api: api)
        let a = try TestNode(city: "Aachen", seed: 2), k = try TestNode(city: "Kempten", seed: 3)
        try s.trust(a)
        try s.trust(k)
        let statuses = (0..<5).map { _ in s.signed(a, "GET", "/v1/changes?since=0")?.status ?? 0 }
        #expect(statuses == [200, 200, 200, 429, 429])
        let limited = s.signed(a, "GET", "/v1/changes?since=garbage")
        #expect(limited?.status == 429 && Int(limited?.headers["retry-after"] ?? "") ?? 0 >= 1 && Self.code(limited) == "rate_limited")
        #expect(s.signed(k, "GET", "/v1/changes?since=0")?.status == 200)
    }

    @Test func aTokenBucketRefillsAtItsRateUpToItsBurst() {
        var bucket = TokenBucket(limit: RateLimit(perSecond: 2, burst: 2), now: 100)
        #expect(bucket.take(now: 100) && bucket.take(now: 100) && !bucket.take(now: 100))
        #expect(bucket.secondsUntilNextToken() == 1)
        #expect(!bucket.take(now: 100.4) && bucket.take(now: 100.6))
        #expect(bucket.take(now: 1000) && bucket.take(now: 1000) && !bucket.take(now: 1000))
    }
}
