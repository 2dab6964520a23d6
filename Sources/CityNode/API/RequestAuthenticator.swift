import Crypto
import Foundation
import HTTPServer
import Replication
import Store

/// Checks the signed `Authorization` header of a peer-API request (design §5), in this order:
/// missing or malformed → 401; timestamp outside ±300 s → 401; origin not trusted → 403 (trust
/// is read from the database on every request, so `peer trust|remove` in another process takes
/// effect at once); signature not verifying with the origin's current key → 401; `(origin,
/// nonce)` already seen → 401 (or 429 when the origin's nonce budget is spent). The audience
/// signed over is this server's own origin id.
///
/// `@unchecked Sendable`: `replay` and `keys` are only touched under `lock`.
final class RequestAuthenticator: @unchecked Sendable {
    /// Parsed verification keys kept before the cache is emptied (trusted origins are few).
    static let keyCacheCapacity = 4_096

    let audience: String
    private let now: @Sendable () -> Int
    private let lock = NSLock()
    private var replay: ReplayCache
    /// Parsed keys by origin; a cached key is used only while it is the origin's current one.
    private var keys: [String: Ed25519PublicKey] = [:]

    init(audience: String, configuration: PeerAPIConfiguration) {
        self.audience = audience
        self.now = configuration.now
        replay = ReplayCache(capacityPerOrigin: configuration.replayCapacityPerOrigin)
    }

    /// The authenticated calling origin, or the error to answer with.
    func authenticate(_ request: HTTPRequest, node shared: SharedNode) -> Result<String, PeerAPIError> {
        let outcome = authenticate(request) { origin in
            shared.withNode { node in
                do { return .success(try node.requestKey(origin: origin)) } catch { return .failure(.busy) }
            }
        }
        return outcome ?? .failure(.busy)  // never nil: the lookup above always answers
    }

    /// `authenticate` as an event loop may run it: the origin's key from the node's memo only,
    /// nil (nothing checked, no nonce spent) when that needs the database or the node is busy.
    func authenticateFromMemo(_ request: HTTPRequest, node shared: SharedNode) -> Result<String, PeerAPIError>? {
        authenticate(request) { origin in
            shared.withNodeIfFree { $0.requestKeyFromMemo(origin: origin) }?.map { .success($0) }
        }
    }

    /// The checks in design order, with the origin's request key (nil: not trusted) from `lookup`;
    /// nil when `lookup` cannot tell, before the signature is checked or the nonce spent.
    private func authenticate(
        _ request: HTTPRequest, key lookup: (String) -> Result<[UInt8]?, PeerAPIError>?
    ) -> Result<String, PeerAPIError>? {
        guard let value = request.headers["Authorization"] else { return .failure(.authorizationMissing) }
        guard request.headers.values(for: "Authorization").count == 1,
              let authorization = RequestAuthorization(headerValue: value) else { return .failure(.authorizationMalformed) }
        let clock = now()
        guard authorization.isFresh(now: clock) else { return .failure(.authorizationExpired) }
        let raw: [UInt8]
        switch lookup(authorization.origin) {
        case nil: return nil
        case .failure(let error)?: return .failure(error)
        case .success(nil)?: return .failure(.untrustedOrigin)
        case .success(let key?)?: raw = key
        }
        guard let key = verificationKey(raw, origin: authorization.origin),
              authorization.verify(with: key, audience: audience, method: request.method,
                                   pathWithQuery: request.target, body: request.body) else {
            return .failure(.signatureInvalid)
        }
        lock.lock()
        let outcome = replay.check(origin: authorization.origin, nonce: authorization.nonce,
                                   timestamp: authorization.timestamp, now: clock)
        lock.unlock()
        switch outcome {
        case .fresh: return .success(authorization.origin)
        case .replayed: return .failure(.replayed)
        case .full: return .failure(.replayCacheFull(retryAfter: RequestAuthorization.clockWindow))
        }
    }

    /// `raw` parsed, from the cache when it holds this origin's key with the same bytes.
    private func verificationKey(_ raw: [UInt8], origin: String) -> Ed25519PublicKey? {
        lock.lock()
        let cached = keys[origin]
        lock.unlock()
        if let cached, cached.raw == raw { return cached }
        guard let key = try? Ed25519PublicKey(raw: raw) else { return nil }
        lock.lock()
        if keys.count >= RequestAuthenticator.keyCacheCapacity { keys.removeAll() }
        keys[origin] = key
        lock.unlock()
        return key
    }
}

extension Node {
    /// The key that signs requests of `origin` if this node trusts it (or it is this node's own):
    /// the newest key of its stored key chain, else the first key recorded with the trust
    /// (`origin.first_key`, which must hash to the origin id). nil for an origin not trusted.
    func requestKey(origin: String) throws(StoreError) -> [UInt8]? {
        let stamp = try database.changeStamp()
        if let memo = requestKeyMemo, memo.stamp == stamp, let known = memo.keys[origin] { return known }
        let key = try readRequestKey(origin: origin)
        if requestKeyMemo?.stamp != stamp || requestKeyMemo!.keys.count >= RequestAuthenticator.keyCacheCapacity {
            requestKeyMemo = (stamp, [:])
        }
        requestKeyMemo!.keys[origin] = .some(key)
        return key
    }

    /// `requestKey(origin:)` as the memo knows it while the database is as the memo saw it
    /// (`.some(nil)`: not trusted); nil when that is not certain. No SQLite call and no system
    /// call, so an event loop may ask.
    func requestKeyFromMemo(origin: String) -> [UInt8]?? {
        guard let stamp = database.quickChangeStamp(), let memo = requestKeyMemo, memo.stamp == stamp else { return nil }
        return memo.keys[origin]
    }

    /// `requestKey(origin:)` read from the database.
    private func readRequestKey(origin: String) throws(StoreError) -> [UInt8]? {
        let trust = try cachedStatement("SELECT first_key FROM origin WHERE origin = ? AND (trusted = 1 OR own = 1)")
        defer { trust.reset() }
        try trust.bind([.text(origin)])
        guard try trust.step() else { return nil }
        let firstKey = trust.isNull(0) ? nil : trust.blob(0)
        let keys = try cachedStatement("SELECT header, hash FROM item WHERE origin = ? AND kind = 'key' AND current = 1 ORDER BY n")
        defer { keys.reset() }
        try keys.bind([.text(origin)])
        var chain = KeyChain(origin: origin)
        while try keys.step() {
            let hash = keys.blob(1)
            if let entry = keyEntryCache[hash] {
                chain.insert(entry)
                continue
            }
            guard let header = try? Header.parse(keys.blob(0)), let entry = KeyChain.Entry(verifiedKeyRecord: header, headerHash: hash) else { continue }
            if keyEntryCache.count >= RequestAuthenticator.keyCacheCapacity { keyEntryCache.removeAll() }
            keyEntryCache[hash] = entry
            chain.insert(entry)
        }
        if let newest = chain.entries.last { return newest.publicKey }
        if let firstKey, Ed25519PublicKey.originID(raw: firstKey) == origin { return firstKey }
        return []
    }
}
