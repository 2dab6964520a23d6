import Crypto
import Formats
import Testing
@testable import Replication
import TestSupport

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

    @Test func theSignedBytesAreExactlyDesignSectionFivesString() {
        // A fixed vector: the empty body's digest is SHA-256's well-known empty-input value.
        let fixed = RequestAuthorization.signedBytes(audience: "ab", method: "GET", pathWithQuery: "/v1/changes?since=0",
                                                     timestamp: 1_700_000_000, nonce: "AAEC", body: [])
        #expect(fixed == Array("citybench/v1/request\0ab\nGET /v1/changes?since=0\n1700000000\nAAEC\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855".utf8))
        // Random requests against the formula written as one string.
        var random = SeededGenerator(seed: 0x5167)
        for _ in 0..<500 {
            let body = (0..<Int.random(in: 0...3, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let path = "/v1/" + String((0..<Int.random(in: 0...40, using: &random)).map { _ in "abc?=&.%0123".randomElement(using: &random)! })
            let timestamp = Int.random(in: -5...2_000_000_000, using: &random)
            let method = ["GET", "POST", "PUT"].randomElement(using: &random)!
            let expected = Array("citybench/v1/request\0\(audience)\n\(method) \(path)\n\(timestamp)\nnonce-\(timestamp)\n".utf8)
                + Array(SHA256.hash(body).hexString.utf8)
            #expect(RequestAuthorization.signedBytes(audience: audience, method: method, pathWithQuery: path, timestamp: timestamp,
                                                     nonce: "nonce-\(timestamp)", body: body) == expected)
        }
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

    /// The straightforward String-based reading of the header the byte parser replaced: the oracle.
    private func referenceParse(_ headerValue: String) -> RequestAuthorization? {
        guard headerValue.utf8.count <= RequestAuthorization.maxHeaderLength, headerValue.hasPrefix("CityBench ") else { return nil }
        var params: [String: String] = [:]
        for part in headerValue.dropFirst("CityBench ".count).split(separator: ",", omittingEmptySubsequences: false) {
            var trimmed = part
            while trimmed.first == " " { trimmed = trimmed.dropFirst() }
            while trimmed.last == " " { trimmed = trimmed.dropLast() }
            guard let eq = trimmed.firstIndex(of: "=") else { return nil }
            let name = String(trimmed[..<eq]), value = String(trimmed[trimmed.index(after: eq)...])
            guard ["origin", "ts", "nonce", "sig"].contains(name), params[name] == nil, !value.isEmpty else { return nil }
            params[name] = value
        }
        guard params.count == 4, let origin = params["origin"], let tsText = params["ts"], let nonce = params["nonce"],
              let sigText = params["sig"] else { return nil }
        guard origin.utf8.count == 32, origin.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        guard tsText.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), tsText.utf8.count <= 12, let ts = Int(tsText) else { return nil }
        guard let nonceBytes = Base64URL.decode(nonce), nonceBytes.count == RequestAuthorization.nonceBytes else { return nil }
        guard let sig = Base64URL.decode(sigText), sig.count == 64 else { return nil }
        return RequestAuthorization(origin: origin, timestamp: ts, nonce: nonce, signature: sig)
    }

    @Test func mutatedHeadersAreReadExactlyAsTheReferenceReadsThem() {
        var rng = SeededGenerator(seed: 31)
        let valid = Array(header().utf8)
        let alphabet = Array("CityBenchorigsn=, 0123456789abcdefABCXYZ-_=é".utf8)
        var accepted = 0
        for _ in 0..<4_000 {
            var bytes = valid
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let at = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
                case 2: bytes[at] = alphabet.randomElement(using: &rng)!
                default: bytes.insert(0x20, at: at)
                }
                if bytes.isEmpty { break }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let parsed = RequestAuthorization(headerValue: text)
            #expect(parsed == referenceParse(text), "\(text)")
            if parsed != nil { accepted += 1 }
        }
        #expect(accepted > 100, "the mutations should leave many headers valid (spaces, untouched ones)")
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

    @Test func aFullOriginIsSweptAtMostOnceASecond() {
        var cache = ReplayCache(capacityPerOrigin: 2)
        #expect(cache.check(origin: "a", nonce: "n1", timestamp: 100, now: 100) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n2", timestamp: 399, now: 399) == .fresh)
        #expect(cache.check(origin: "a", nonce: "n3", timestamp: 399, now: 399) == .full)  // swept: both still in the window
        // n1 leaves the window at 401, but the table was swept in second 400 …
        #expect(cache.check(origin: "a", nonce: "n4", timestamp: 400, now: 400) == .full)
        #expect(cache.check(origin: "a", nonce: "n4", timestamp: 401, now: 401) == .fresh, "… and is swept again in the next")
        #expect(cache.check(origin: "a", nonce: "n1", timestamp: 401, now: 401) == .full, "n1 is forgotten, the table full again")
        #expect(cache.check(origin: "b", nonce: "n1", timestamp: 401, now: 401) == .fresh, "other origins are unaffected")
    }

    @Test func packedNoncesAreEqualExactlyWhenTheNoncesAre() {
        var random = SeededGenerator(seed: 0x9A)
        // A two-letter alphabet and short lengths make equal and near-equal pairs common.
        func nonce() -> String {
            String((0..<Int.random(in: 0...(Bool.random(using: &random) ? 3 : 23), using: &random)).map { _ in "a\u{0}".randomElement(using: &random)! })
        }
        var equalPairs = 0
        for _ in 0..<20_000 {
            let (x, y) = (nonce(), nonce())
            let (px, py) = (ReplayCache.PackedNonce(x), ReplayCache.PackedNonce(y))
            #expect(px != nil && py != nil)
            #expect((px == py) == (x == y), "\(Array(x.utf8)) vs \(Array(y.utf8))")
            if x == y { equalPairs += 1 }
        }
        #expect(equalPairs > 20)
        #expect(ReplayCache.PackedNonce(String(repeating: "z", count: 24)) == nil)
        let longest = ReplayCache.PackedNonce(String(repeating: "z", count: 23))
        #expect(longest != nil && longest != ReplayCache.PackedNonce(String(repeating: "z", count: 22)))
        // A nonce too long to record is never accepted.
        var cache = ReplayCache()
        #expect(cache.check(origin: "a", nonce: String(repeating: "z", count: 24), timestamp: 1, now: 1) == .replayed)
        // Real request nonces (22 characters of base64url) differing in the last character.
        #expect(cache.check(origin: "a", nonce: "AAAAAAAAAAAAAAAAAAAAAA", timestamp: 1, now: 1) == .fresh)
        #expect(cache.check(origin: "a", nonce: "AAAAAAAAAAAAAAAAAAAAAQ", timestamp: 1, now: 1) == .fresh)
        #expect(cache.check(origin: "a", nonce: "AAAAAAAAAAAAAAAAAAAAAA", timestamp: 1, now: 2) == .replayed)
    }

    @Test func theHeadsDigestIsOrderIndependent() {
        let heads = (0..<5).map { HeadsDigest.Head(origin: String(repeating: String($0), count: 32), n: $0 + 1, headerHash: Array(repeating: UInt8($0), count: 32)) }
        #expect(HeadsDigest.compute(heads) == HeadsDigest.compute(heads.reversed()))
        var changed = heads
        changed[2] = HeadsDigest.Head(origin: heads[2].origin, n: 99, headerHash: heads[2].headerHash)
        #expect(HeadsDigest.compute(changed) != HeadsDigest.compute(heads))
    }
}
