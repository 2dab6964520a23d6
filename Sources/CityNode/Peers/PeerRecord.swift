import Formats

/// One row of the `peer` table: who a peer is, whether this node syncs with it, and the
/// persisted sync state (cursor, push watermark, backoff) that survives between runs.
public struct PeerRecord: Sendable, Hashable {
    public var name: String
    public var origin: String
    public var url: String?
    public var tlsPin: String?
    /// The origin's first public key (base64url), when known from a descriptor.
    public var publicKey: String?
    /// True for `peer add` (contacted by `sync`), false for `peer trust`/`peer import`.
    public var syncPeer: Bool
    /// Whether the origin is trusted now (read from the `origin` table).
    public var trusted: Bool
    /// The `since` value for the next `changes` pull (`0` before first contact).
    public var cursor: String
    /// The peer epoch the cursor belongs to; nil before first contact.
    public var epoch: String?
    /// This node's arrival position up to which the peer acknowledged every pushed item.
    public var pushedThrough: Int
    /// Consecutive failed runs (the backoff exponent).
    public var failures: Int
    /// Unix seconds before which `sync` leaves the peer alone (nil: due now).
    public var nextTry: Int64?
    /// Unix seconds of the last fully successful run.
    public var lastSuccess: Int64?
    /// Sync runs with this peer so far (reconcile on every 24th).
    public var runs: Int
    /// The last `Retry-After` the peer asked for, in seconds.
    public var retryAfter: Int?
    /// The stable code of the last failure, nil after a success.
    public var lastError: String?

    /// `{"name","origin","url","syncPeer","trusted"}` (`peer list --json`, design §6).
    public var listJSON: JSONValue {
        .object(JSONObject(pairs: [("name", .string(name)), ("origin", .string(origin)), ("url", .string(url)),
                                   ("syncPeer", .bool(syncPeer)), ("trusted", .bool(trusted))]))
    }

    /// `{"name","lastSuccess","failures","nextTry"}` (`status --json` peers, design §6); times are Unix seconds.
    public var statusJSON: JSONValue {
        .object(JSONObject(pairs: [("name", .string(name)), ("lastSuccess", lastSuccess.map { .int(Int($0)) } ?? .null),
                                   ("failures", .int(failures)), ("nextTry", nextTry.map { .int(Int($0)) } ?? .null)]))
    }
}
