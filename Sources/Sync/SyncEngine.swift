import CityNode
import Foundation
import PeerClient

/// One `citybench sync` run (design §6): take `sync.lock`; pull from (and, when due, reconcile
/// with) every sync peer not in backoff; check for a restore and publish pending local changes
/// (or a fresh head); push to each peer what it lacks; persist every peer's backoff state.
/// `serve --sync-every` runs the same engine. Not Sendable: it drives one `Node`.
public final class SyncEngine {
    private let node: Node
    private let configuration: SyncConfiguration
    private let clock: SyncClock
    private let transports: PeerTransportFactory
    private let progress: (String, Int) -> Void

    /// - Parameters:
    ///   - transports: makes one transport per peer per run (`HTTPSPeerTransport.factory()` in production).
    ///   - progress: called with the peer name and items moved so far after every page or batch.
    public init(node: Node, configuration: SyncConfiguration = SyncConfiguration(), clock: SyncClock = .system,
                transports: @escaping PeerTransportFactory = HTTPSPeerTransport.factory(),
                progress: @escaping (String, Int) -> Void = { _, _ in }) {
        self.node = node
        self.configuration = configuration
        self.clock = clock
        self.transports = transports
        self.progress = progress
    }

    /// Runs once. `peerName` limits the run to one sync peer (an unknown name throws
    /// `unknown_peer`); `force` ignores backoff. Returns `skippedLocked` when another sync runs.
    public func run(peerName: String? = nil, force: Bool = false) throws(SyncError) -> SyncReport {
        var report = SyncReport()
        guard let lock = try SyncLock.tryAcquire(path: node.home.syncLockFile) else {
            report.skippedLocked = true
            return report
        }
        defer { withExtendedLifetime(lock) {} }

        let all: [PeerRecord]
        do { all = try node.peers().filter(\.syncPeer) } catch { throw SyncError(local: error) }
        let selected: [PeerRecord]
        if let peerName {
            selected = all.filter { $0.name == peerName }
            if selected.isEmpty {
                throw SyncError(code: "unknown_peer", "there is no sync peer named '\(peerName)'; 'citybench peer list' shows the names")
            }
        } else {
            selected = all
        }

        // Pull and reconcile.
        var sessions: [(session: PeerSession?, result: PeerSyncResult, started: ContinuousClock.Instant)] = []
        for record in selected {
            let started = ContinuousClock.now
            if !force, BackoffPolicy.isWaiting(nextTry: record.nextTry, now: clock.now()) {
                var result = PeerSyncResult(peer: record.name, state: .backoff)
                result.nextTry = record.nextTry
                sessions.append((nil, result, started))
                continue
            }
            var result = PeerSyncResult(peer: record.name, state: .ok)
            var session: PeerSession?
            do throws(SyncError) {
                let peer = SyncPeer(name: record.name, origin: record.origin, url: record.url ?? "", tlsPin: record.tlsPin)
                let transport: PeerTransport
                do { transport = try transports(peer) } catch { throw SyncError(error) }
                let s = PeerSession(record: record, peer: peer, node: node, transport: transport,
                                    configuration: configuration, clock: clock, progress: progress)
                session = s
                try s.pull()
                try s.reconcileIfDue()
            } catch {
                result.state = .failed
                result.error = error
            }
            sessions.append((session, result, started))
        }

        // Publish (unless restored) and keep the own head fresh.
        do {
            if let finding = try node.checkForRestore() {
                report.restore = finding
            } else if try !node.isRestored() {
                let published = try node.publish()
                report.publishedN = published.n
                if published.n == nil, let at = try node.ownLatestHeadTime(),
                   clock.now() - Int64(at) > Int64(configuration.freshHeadAfterSeconds) {
                    try node.publishFreshHead()
                }
            }
        } catch {
            report.localError = SyncError(local: error)
        }

        // Push, then record every peer's outcome.
        for index in sessions.indices {
            guard let session = sessions[index].session else {
                report.peers.append(sessions[index].result)
                continue
            }
            var result = sessions[index].result
            if result.state == .ok {
                do { try session.push() } catch {
                    result.state = .failed
                    result.error = error
                }
            }
            let totals = session.totals
            result.received = session.received
            result.sent = session.sent
            result.roundTrips = totals.roundTrips
            result.requestBytes = totals.requestBytes
            result.responseBytes = totals.responseBodyBytes
            let elapsed = ContinuousClock.now - sessions[index].started
            result.milliseconds = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            do {
                try record(&result, session: session)
            } catch {
                report.localError = SyncError(local: error)
            }
            report.peers.append(result)
        }
        return report
    }

    /// What `publish` does first when sync peers exist (design §6): pull this node's own records
    /// from every sync peer (`changes?origin=<own id>`) and apply the restore rule. A peer that
    /// cannot be reached is skipped and named in `unreachable`; the caller still publishes.
    public func pullOwnRecords() throws(SyncError) -> (restore: RestoreFinding?, unreachable: [String]) {
        let origin: String
        let records: [PeerRecord]
        do {
            origin = try node.originID()
            records = try node.peers().filter(\.syncPeer)
        } catch { throw SyncError(local: error) }
        var unreachable: [String] = []
        for record in records {
            let peer = SyncPeer(name: record.name, origin: record.origin, url: record.url ?? "", tlsPin: record.tlsPin)
            do throws(SyncError) {
                let transport: PeerTransport
                do { transport = try transports(peer) } catch { throw SyncError(error) }
                let session = PeerSession(record: record, peer: peer, node: node, transport: transport,
                                          configuration: configuration, clock: clock, progress: progress)
                try session.fetchOrigin(origin)
            } catch {
                unreachable.append(record.name)
            }
        }
        do { return (try node.checkForRestore(), unreachable) } catch { throw SyncError(local: error) }
    }

    /// Persists the run's outcome for one peer: success resets backoff; a peer failure draws
    /// the next delay; a local failure leaves the peer's backoff alone.
    private func record(_ result: inout PeerSyncResult, session: PeerSession) throws(NodeError) {
        let now = clock.now()
        if result.state == .ok {
            try node.recordPeerRun(session.peer.name, PeerRunOutcome(succeeded: true, pushedThrough: session.pushedThrough), now: now)
            return
        }
        guard let error = result.error, !error.isLocal else { return }
        let delay = configuration.backoff.delay(failures: session.record.failures, unit: clock.unit(), retryAfter: error.retryAfter)
        let nextTry = now + Int64(delay)
        result.nextTry = nextTry
        try node.recordPeerRun(session.peer.name, PeerRunOutcome(succeeded: false, errorCode: error.code, nextTry: nextTry,
                                                                 retryAfter: error.retryAfter, pushedThrough: session.pushedThrough), now: now)
    }
}
