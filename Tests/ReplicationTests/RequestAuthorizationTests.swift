import Crypto
import Formats
import Testing
@testable import Replication

@Suite struct RequestAuthorizationTests {
    let key = try! Ed25519SigningKey.generate()
    var origin: String { KeyIDs.originID(key.publicKey) }
    let audience = String(repeating: "9", count: 32)

    func header(body: [UInt8] = Array("{}".utf8), path: String = "/v1/changes?since=0", ts: Int = 1_000_000) -> String {
        RequestAuthorization.sign(origin: origin, key: key, audience: audience, method: "GET", pathWithQuery: path,
                                  body: body, timestamp: ts, nonce: Array(repeating: 3, count: 16))
    }

    @Test func aSignedRequestVerifies() throws {
        let auth = try #require(RequestAuthorization(headerValue: header()))
        #expect(auth.origin == origin && auth.timestamp == 1_000_000)
        #expect(auth.verify(with: key.verifier, audience: audience, method: "GET", pathWithQuery: "/v1/changes?since=0", body: Array("{}".utf8)))
    }

    @Test func aTamperedBodyPathMethodOrAudienceFails() throws {
        let auth = try #require(RequestAuthorization(headerValue: header()))
        let v = key.verifier
        #expect(!auth.verify(with: v, audience: audience, method: "GET", pathWithQuery: "/v1/changes?since=0", body: Array("{ }".utf8)))
        #expect(!auth.verify(with: v, audience: audience, method: "GET", pathWithQuery: "/v1/changes?since=1", body: Array("{}".utf8)))
        #expect(!auth.verify(with: v, audience: audience, method: "POST", pathWithQuery: "/v1/changes?since=0", body: Array("{}".utf8)))
        #expect(!auth.verify(with: v, audience: String(repeating: "8", count: 32), method: "GET", pathWithQuery: "/v1/changes?since=0", body: Array("{}".utf8)))
    }

    @Test(arguments: [
        "Bearer x", "CityBench origin=abc, ts=1, nonce=AAAAAAAAAAAAAAAAAAAAAA, sig=x",
        "CityBench ts=1", "", "CityBench origin=\(String(repeating: "a", count: 32)), origin=\(String(repeating: "a", count: 32)), ts=1, nonce=AAAAAAAAAAAAAAAAAAAAAA",
    ])
    func malformedHeadersAreRefused(value: String) {
        #expect(RequestAuthorization(headerValue: value) == nil)
    }

    @Test func parametersMayComeInAnyOrderButNotTwice() throws {
        let auth = try #require(RequestAuthorization(headerValue: header()))
        let reordered = "CityBench sig=\(Base64URL.encode(auth.signature)), nonce=\(auth.nonce), ts=\(auth.timestamp), origin=\(auth.origin)"
        #expect(RequestAuthorization(headerValue: reordered) == auth)
        #expect(RequestAuthorization(headerValue: reordered + ", ts=5") == nil)
        #expect(RequestAuthorization(headerValue: header().replacingOccurrences(of: "ts=1000000", with: "ts=-5")) == nil)
    }

    @Test func freshnessIsAFiveMinuteWindowEitherWay() throws {
        let auth = try #require(RequestAuthorization(headerValue: header()))
        #expect(auth.isFresh(now: 1_000_300) && auth.isFresh(now: 999_700))
        #expect(!auth.isFresh(now: 1_000_301) && !auth.isFresh(now: 999_699))
    }

    @Test func theReplayCacheRefusesASecondUseAndCapsEachOrigin() {
        var cache = ReplayCache(capacityPerOrigin: 3)
        #expect(cache.check(origin: "a", nonce: "n1", timestamp: 100, now: 100) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n1", timestamp: 100, now: 101) == .replayed)
        #expect(cache.check(origin: "b", nonce: "n1", timestamp: 100, now: 101) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n2", timestamp: 100, now: 101) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n3", timestamp: 100, now: 101) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n4", timestamp: 100, now: 101) == .full)
        // Once the old nonces are out of the window, there is room again.
        #expect(cache.check(origin: "a", nonce: "n5", timestamp: 1000, now: 1000) == .fresh)
    }

    @Test func theHeadsDigestIsOrderIndependent() {
        let heads = (0..<5).map { HeadsDigest.Head(origin: String(repeating: String($0), count: 32), n: $0 + 1, headerHash: Array(repeating: UInt8($0), count: 32)) }
        #expect(HeadsDigest.compute(heads) == HeadsDigest.compute(heads.reversed()))
        var changed = heads
        changed[2] = HeadsDigest.Head(origin: heads[2].origin, n: 99, headerHash: heads[2].headerHash)
        #expect(HeadsDigest.compute(changed) != HeadsDigest.compute(heads))
    }
}
