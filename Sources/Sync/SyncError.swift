import CityNode
import PeerClient

/// Why a sync with one peer, or the whole run, failed, with a stable code and a sentence naming
/// the peer and the cause. Peer failures (exit 75) carry the client's codes (`dns`, `refused`,
/// `tls`, `pin_mismatch`, `timeout`, `http_status`, …) or `bad_response`; local failures (exit 1)
/// carry `local`.
public struct SyncError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable code: a `PeerClientError.Code` raw value, `bad_response`, `epoch_changed`, `local` or `unknown_peer`.
    public let code: String
    public let message: String
    /// Seconds the peer asked to wait (`Retry-After`), if it did.
    public let retryAfter: Int?
    /// True when the fault is on this node (database, keys), not the peer's.
    public let isLocal: Bool

    public init(code: String, _ message: String, retryAfter: Int? = nil, isLocal: Bool = false) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.isLocal = isLocal
    }

    init(_ error: PeerClientError) {
        self.init(code: error.code.rawValue, error.message)
    }

    init(local error: NodeError) {
        self.init(code: "local", error.message, isLocal: true)
    }

    /// A peer answer that does not follow the protocol.
    static func badResponse(_ peer: String, _ what: String) -> SyncError {
        SyncError(code: "bad_response", "peer '\(peer)' answered something that is not the citybench protocol (\(what)); it may run another version")
    }

    public var description: String { message }
}
