import Synchronization

/// What one connection is doing, published by its thread with relaxed atomics so the accept
/// thread can pick a connection to evict when all slots are taken, without a lock per request.
///
/// State changes are compare-and-swap, so the accept thread can only evict a connection that is
/// idle or still receiving: once a connection has claimed `handling`, its request is never cut.
final class ConnectionActivity: Sendable {
    /// The phases that matter for eviction.
    enum State: Int {
        /// Receiving a request (or waiting for the first one on a new connection).
        case receiving = 0
        /// A complete request is being handled and answered.
        case handling = 1
        /// Kept alive after a response, waiting for the next request.
        case idle = 2
        /// Chosen for eviction; the connection's thread closes it.
        case evicted = 3
    }

    /// The accepted socket, shut down by the evicting thread to wake the connection's thread.
    let fd: Int32
    /// The client's IP address as text, for the per-address connection cap.
    let address: String
    private let rawState = Atomic<Int>(State.receiving.rawValue)
    /// Nanoseconds on the monotonic clock when the current request started (or the connection went idle).
    private let since: Atomic<UInt64>
    /// Bytes of the current request received so far.
    private let bytes = Atomic<Int>(0)
    /// Nanoseconds on the monotonic clock of the last received bytes (or of the accept or response).
    private let lastProgress: Atomic<UInt64>

    /// A connection accepted at `acceptedAt`, receiving its first request.
    init(fd: Int32, address: String, acceptedAt: MonotonicInstant) {
        self.fd = fd
        self.address = address
        self.since = Atomic(acceptedAt.nanoseconds)
        self.lastProgress = Atomic(acceptedAt.nanoseconds)
    }

    /// The current state.
    var state: State { State(rawValue: rawState.load(ordering: .acquiring)) ?? .evicted }

    /// Whether the accept thread has taken this connection's slot away.
    var isEvicted: Bool { state == .evicted }

    /// Records `count` more bytes of the current request; a first byte after idling starts a
    /// request at `now`. False if the connection was evicted meanwhile.
    func received(_ count: Int, now: MonotonicInstant) -> Bool {
        lastProgress.store(now.nanoseconds, ordering: .relaxed)
        if rawState.load(ordering: .relaxed) == State.idle.rawValue {
            since.store(now.nanoseconds, ordering: .relaxed)
            bytes.store(count, ordering: .relaxed)
            return move(from: .idle, to: .receiving)
        }
        bytes.add(count, ordering: .relaxed)
        return !isEvicted
    }

    /// Claims the connection for handling a complete request; false if it was evicted first.
    func beginHandling() -> Bool {
        move(from: .receiving, to: .handling) || move(from: .idle, to: .handling)
    }

    /// Marks the connection idle after its response at `now`; false if it was evicted (cannot happen while handling).
    func becameIdle(now: MonotonicInstant) -> Bool {
        since.store(now.nanoseconds, ordering: .relaxed)
        lastProgress.store(now.nanoseconds, ordering: .relaxed)
        bytes.store(0, ordering: .relaxed)
        return move(from: .handling, to: .idle)
    }

    /// Takes the slot if the connection is still in `expected` (idle or receiving); true if it is now evicted.
    func evict(expected: State) -> Bool {
        move(from: expected, to: .evicted)
    }

    /// A consistent-enough view for the eviction choice (fields are read one by one; a connection
    /// that moves on meanwhile fails the later compare-and-swap instead of being cut).
    func snapshot(id: UInt64) -> ConnectionEviction.Candidate {
        ConnectionEviction.Candidate(
            id: id, state: state, since: MonotonicInstant(nanoseconds: since.load(ordering: .relaxed)),
            bytes: bytes.load(ordering: .relaxed),
            lastProgress: MonotonicInstant(nanoseconds: lastProgress.load(ordering: .relaxed)))
    }

    private func move(from old: State, to new: State) -> Bool {
        rawState.compareExchange(expected: old.rawValue, desired: new.rawValue, ordering: .acquiringAndReleasing).exchanged
    }
}
