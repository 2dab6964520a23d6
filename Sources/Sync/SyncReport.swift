import CityNode
import Formats

/// What happened with one peer in a run: one line of `sync`, one object of `sync --json`.
public struct PeerSyncResult: Sendable {
    /// `ok`, `failed` or `backoff` (design §6).
    public enum State: String, Sendable { case ok, failed, backoff }

    public var peer: String
    public var state: State
    /// Items newly stored from this peer (accepted or quarantined; duplicates not counted).
    public var received = 0
    /// Items pushed to this peer.
    public var sent = 0
    public var roundTrips = 0
    public var requestBytes = 0
    public var responseBytes = 0
    public var milliseconds = 0
    public var error: SyncError?
    /// For `backoff` and `failed`: the next try, Unix seconds.
    public var nextTry: Int64?

    public init(peer: String, state: State) {
        self.peer = peer
        self.state = state
    }

    /// `{"peer","state","received","sent","roundTrips","requestBytes","responseBytes","ms","error"?}`.
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [
            ("peer", .string(peer)), ("state", .string(state.rawValue)), ("received", .int(received)), ("sent", .int(sent)),
            ("roundTrips", .int(roundTrips)), ("requestBytes", .int(requestBytes)), ("responseBytes", .int(responseBytes)),
            ("ms", .int(milliseconds)),
        ]
        if let error { pairs.append(("error", .string(error.message))) }
        return .object(JSONObject(pairs: pairs))
    }
}

/// The outcome of one `sync` run.
public struct SyncReport: Sendable {
    public var peers: [PeerSyncResult] = []
    /// True when another sync held `sync.lock` and nothing was done.
    public var skippedLocked = false
    /// Set when this run detected a restore (design §6) and published nothing.
    public var restore: RestoreFinding?
    /// The head `n` of what this run published, if anything.
    public var publishedN: Int?
    /// A local failure (publishing, database) that makes the run exit 1.
    public var localError: SyncError?

    public init() {}

    /// Exit codes of design §6: 0 every peer not in backoff synced; 75 a peer failed; 1 local error.
    public var exitCode: Int32 {
        if localError != nil || peers.contains(where: { $0.error?.isLocal == true }) { return 1 }
        if peers.contains(where: { $0.state == .failed }) { return 75 }
        return 0
    }

    /// `{"peers":[…]}`, or `{"peers":[],"skipped":"locked"}` (design §6).
    public var json: JSONValue {
        var pairs: [(String, JSONValue)] = [("peers", .array(peers.map(\.json)))]
        if skippedLocked { pairs.append(("skipped", .string("locked"))) }
        return .object(JSONObject(pairs: pairs))
    }
}
