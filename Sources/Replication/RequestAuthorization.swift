import Crypto
import Formats

/// The signed-request scheme of the peer API (design §5):
/// `Authorization: CityBench origin=<id>, ts=<unix>, nonce=<B64 of 16 random bytes>, sig=<B64>`,
/// an Ed25519 signature over `"citybench/v1/request\0" + audience + "\n" + METHOD + " " +
/// path-with-query + "\n" + ts + "\n" + nonce + "\n" + hex(SHA-256(body))`, where `audience`
/// is the server's origin id.
public struct RequestAuthorization: Hashable, Sendable {
    /// How far a request's timestamp may be from the server's clock, in seconds.
    public static let clockWindow = 300
    /// Bytes of randomness in a nonce.
    public static let nonceBytes = 16
    /// Longest Authorization value accepted.
    public static let maxHeaderLength = 512

    public let origin: String
    public let timestamp: Int
    /// base64url of 16 random bytes.
    public let nonce: String
    public let signature: [UInt8]

    public init(origin: String, timestamp: Int, nonce: String, signature: [UInt8]) {
        self.origin = origin
        self.timestamp = timestamp
        self.nonce = nonce
        self.signature = signature
    }

    /// The bytes a request signature covers.
    public static func signedBytes(audience: String, method: String, pathWithQuery: String, timestamp: Int,
                                   nonce: String, body: [UInt8]) -> [UInt8] {
        // Appended piece by piece (no interpolated String, no hex String): it runs on every request.
        let prefix = "citybench/v1/request".utf8
        var bytes: [UInt8] = []
        bytes.reserveCapacity(prefix.count + audience.utf8.count + method.utf8.count + pathWithQuery.utf8.count
                              + nonce.utf8.count + 2 * SHA256.digestCount + 48)
        bytes += prefix
        bytes.append(0)
        bytes += audience.utf8
        bytes.append(0x0A)
        bytes += method.utf8
        bytes.append(0x20)
        bytes += pathWithQuery.utf8
        bytes.append(0x0A)
        bytes += String(timestamp).utf8
        bytes.append(0x0A)
        bytes += nonce.utf8
        bytes.append(0x0A)
        bytes += body.isEmpty ? RequestAuthorization.emptyBodyDigestHex : Array(SHA256.hash(body).hexString.utf8)
        return bytes
    }

    /// hex(SHA-256) of an empty body, which every GET signs.
    private static let emptyBodyDigestHex = Array(SHA256.hash([UInt8]()).hexString.utf8)

    /// Signs a request as `origin` for the server `audience`; returns the header value.
    public static func sign(origin: String, key: Ed25519SigningKey, audience: String, method: String,
                            pathWithQuery: String, body: [UInt8], timestamp: Int, nonce: [UInt8]) -> String {
        let nonceText = Base64URL.encode(nonce)
        let signature = key.sign(signedBytes(audience: audience, method: method, pathWithQuery: pathWithQuery,
                                             timestamp: timestamp, nonce: nonceText, body: body))
        return RequestAuthorization(origin: origin, timestamp: timestamp, nonce: nonceText, signature: signature).headerValue
    }

    /// `CityBench origin=…, ts=…, nonce=…, sig=…`.
    public var headerValue: String {
        "CityBench origin=\(origin), ts=\(timestamp), nonce=\(nonce), sig=\(Base64URL.encode(signature))"
    }

    /// Parses a header value strictly: the scheme, exactly these four parameters once each, in
    /// any order, with canonical values. nil for anything else (the server answers 401).
    /// Works on the bytes: it runs before the signature check on every request.
    public init?(headerValue: String) {
        var text = headerValue
        guard let parsed = text.withUTF8({ RequestAuthorization.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> RequestAuthorization? {
        let scheme = "CityBench ".utf8
        guard bytes.count <= maxHeaderLength, bytes.count >= scheme.count, zip(bytes, scheme).allSatisfy({ $0 == $1 }) else { return nil }
        var origin: String?, ts: Int?, nonce: String?, sig: [UInt8]?
        var i = scheme.count
        while true {
            // One `name=value` part up to the next comma, spaces around it ignored.
            var end = i
            while end < bytes.count && bytes[end] != UInt8(ascii: ",") { end += 1 }
            var lower = i, upper = end
            while lower < upper && bytes[lower] == 0x20 { lower += 1 }
            while upper > lower && bytes[upper - 1] == 0x20 { upper -= 1 }
            guard let eq = bytes[lower..<upper].firstIndex(of: UInt8(ascii: "=")), eq + 1 < upper else { return nil }
            let name = UnsafeBufferPointer(rebasing: bytes[lower..<eq]), value = UnsafeBufferPointer(rebasing: bytes[(eq + 1)..<upper])
            if name.elementsEqual("origin".utf8) {
                guard origin == nil, value.count == 32,
                      value.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
                origin = String(decoding: value, as: UTF8.self)
            } else if name.elementsEqual("ts".utf8) {
                guard ts == nil, value.count <= 12, value.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
                ts = value.reduce(0) { $0 * 10 + Int($1 - 48) }
            } else if name.elementsEqual("nonce".utf8) {
                guard nonce == nil, Base64URL.decode(bytes: value)?.count == nonceBytes else { return nil }
                nonce = String(decoding: value, as: UTF8.self)
            } else if name.elementsEqual("sig".utf8) {
                guard sig == nil, let decoded = Base64URL.decode(bytes: value), decoded.count == Ed25519SigningKey.signatureCount else { return nil }
                sig = decoded
            } else {
                return nil
            }
            if end == bytes.count { break }
            i = end + 1
        }
        guard let origin, let ts, let nonce, let sig else { return nil }
        return RequestAuthorization(origin: origin, timestamp: ts, nonce: nonce, signature: sig)
    }

    /// Checks the signature against the origin's current key.
    public func verify(with key: Ed25519PublicKey, audience: String, method: String, pathWithQuery: String, body: [UInt8]) -> Bool {
        key.isValidSignature(signature, for: RequestAuthorization.signedBytes(
            audience: audience, method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, nonce: nonce, body: body))
    }

    /// Whether the timestamp is within the window around `now`.
    public func isFresh(now: Int) -> Bool { abs(now - timestamp) <= RequestAuthorization.clockWindow }
}

/// Remembers `(origin, nonce)` pairs seen within the clock window so a replayed request is
/// refused (design §5). Pure: time is passed in. Not thread-safe; the server guards it.
public struct ReplayCache: Sendable {
    /// Most nonces held per origin; beyond it requests are refused with 429.
    public static let defaultCapacityPerOrigin = 10_000

    public enum Outcome: Sendable, Equatable {
        case fresh
        case replayed
        case full
    }

    /// A nonce of up to 23 UTF-8 bytes (a request's is 22) packed with its length into three
    /// words, so up to 10,000 per origin are held, hashed and compared without a heap string
    /// each (the server checks one per request, and a table of strings thrashed the cache).
    struct PackedNonce: Hashable, Sendable {
        let words: (UInt64, UInt64, UInt64)

        init?(_ nonce: String) {
            var words: (UInt64, UInt64, UInt64) = (0, 0, 0)
            let count = nonce.utf8.count
            guard count <= 23 else { return nil }
            withUnsafeMutableBytes(of: &words) { raw in
                var i = 0
                for byte in nonce.utf8 {
                    raw[i] = byte
                    i += 1
                }
                raw[23] = UInt8(count)
            }
            self.words = words
        }

        static func == (a: PackedNonce, b: PackedNonce) -> Bool {
            a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2
        }

        func hash(into hasher: inout Hasher) {
            hasher.combine(words.0)
            hasher.combine(words.1)
            hasher.combine(words.2)
        }
    }

    /// One origin's nonces with their timestamps, and the time before which a full table is not
    /// swept again (a sweep walks every entry, and an origin at capacity would otherwise pay
    /// one per request).
    private struct OriginNonces: Sendable {
        var timestamps: [PackedNonce: Int] = [:]
        var noSweepBefore = Int.min
    }

    public let capacityPerOrigin: Int
    private var seen: [String: OriginNonces] = [:]

    public init(capacityPerOrigin: Int = ReplayCache.defaultCapacityPerOrigin) {
        self.capacityPerOrigin = capacityPerOrigin
    }

    /// Records the nonce if new. When the origin's table is full, entries outside the clock
    /// window are forgotten first (a request that old fails the timestamp check anyway), at most
    /// once a second per origin. A nonce longer than 23 bytes, which no valid request carries,
    /// cannot be recorded and counts as replayed.
    public mutating func check(origin: String, nonce: String, timestamp: Int, now: Int) -> Outcome {
        guard let packed = PackedNonce(nonce) else { return .replayed }
        // Mutated in place through the dictionary's `default:` accessor: reading the inner
        // dictionary out and writing it back would copy all of an origin's nonces every time.
        return Self.record(packed, timestamp: timestamp, now: now, capacity: capacityPerOrigin, in: &seen[origin, default: OriginNonces()])
    }

    private static func record(_ nonce: PackedNonce, timestamp: Int, now: Int, capacity: Int, in nonces: inout OriginNonces) -> Outcome {
        if nonces.timestamps[nonce] != nil { return .replayed }
        if nonces.timestamps.count >= capacity {
            guard now >= nonces.noSweepBefore else { return .full }
            nonces.timestamps = nonces.timestamps.filter { abs(now - $0.value) <= RequestAuthorization.clockWindow }
            if nonces.timestamps.count >= capacity {
                nonces.noSweepBefore = now + 1
                return .full
            }
        }
        nonces.timestamps[nonce] = timestamp
        return .fresh
    }
}
