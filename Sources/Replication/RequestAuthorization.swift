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
        var bytes = Array("citybench/v1/request".utf8)
        bytes.append(0)
        bytes += Array("\(audience)\n\(method) \(pathWithQuery)\n\(timestamp)\n\(nonce)\n".utf8)
        bytes += Array(SHA256.hash(body).hexString.utf8)
        return bytes
    }

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
    public init?(headerValue: String) {
        guard headerValue.utf8.count <= RequestAuthorization.maxHeaderLength, headerValue.hasPrefix("CityBench ") else { return nil }
        var params: [String: String] = [:]
        for part in headerValue.dropFirst("CityBench ".count).split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces
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
        guard let sig = Base64URL.decode(sigText), sig.count == Ed25519SigningKey.signatureCount else { return nil }
        self.init(origin: origin, timestamp: ts, nonce: nonce, signature: sig)
    }

    /// Checks the signature against the origin's current key.
    public func verify(with key: Ed25519PublicKey, audience: String, method: String, pathWithQuery: String, body: [UInt8]) -> Bool {
        key.isValidSignature(signature, for: RequestAuthorization.signedBytes(
            audience: audience, method: method, pathWithQuery: pathWithQuery, timestamp: timestamp, nonce: nonce, body: body))
    }

    /// Whether the timestamp is within the window around `now`.
    public func isFresh(now: Int) -> Bool { abs(now - timestamp) <= RequestAuthorization.clockWindow }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return s
    }
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

    public let capacityPerOrigin: Int
    private var seen: [String: [String: Int]] = [:]

    public init(capacityPerOrigin: Int = ReplayCache.defaultCapacityPerOrigin) {
        self.capacityPerOrigin = capacityPerOrigin
    }

    /// Records the nonce if new. Entries older than twice the window are forgotten first (a
    /// request that old fails the timestamp check anyway).
    public mutating func check(origin: String, nonce: String, timestamp: Int, now: Int) -> Outcome {
        var nonces = seen[origin] ?? [:]
        if nonces[nonce] != nil { return .replayed }
        if nonces.count >= capacityPerOrigin {
            nonces = nonces.filter { abs(now - $0.value) <= RequestAuthorization.clockWindow }
            if nonces.count >= capacityPerOrigin {
                seen[origin] = nonces
                return .full
            }
        }
        nonces[nonce] = timestamp
        seen[origin] = nonces
        return .fresh
    }
}
