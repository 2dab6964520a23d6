import CityNode
import Foundation
import Formats
import PeerClient
import Replication

/// One peer's exchange within a run: pull from the cursor, reconcile, push. Holds the
/// transport (one per peer per run) and the counts the report line shows.
final class PeerSession {
    let record: PeerRecord
    let peer: SyncPeer
    private let node: Node
    private let transport: PeerTransport
    private let configuration: SyncConfiguration
    private let clock: SyncClock
    private let progress: (String, Int) -> Void

    private(set) var received = 0
    private(set) var sent = 0
    /// Whether this run must reconcile (first contact, epoch change, every Nth run).
    private(set) var reconcileDue: Bool
    /// Origins the peer lacks or is behind on (from the reconcile); pushed in full.
    private(set) var originsPeerLacks: [String] = []
    /// This node's arrival position up to which the peer now has everything (after push).
    private(set) var pushedThrough: Int?

    init(record: PeerRecord, peer: SyncPeer, node: Node, transport: PeerTransport, configuration: SyncConfiguration,
         clock: SyncClock, progress: @escaping (String, Int) -> Void) {
        self.record = record
        self.peer = peer
        self.node = node
        self.transport = transport
        self.configuration = configuration
        self.clock = clock
        self.progress = progress
        reconcileDue = record.epoch == nil || (record.runs + 1) % max(configuration.reconcileEvery, 1) == 0
    }

    var totals: PeerTransferTotals { transport.totals }

    // MARK: - Pull

    /// Pulls `changes` from the cursor until the peer has no more; each page is applied and the
    /// cursor advanced in one transaction. A 409 `epoch_changed` resets the cursor to 0 once and
    /// schedules a reconcile.
    func pull() throws(SyncError) {
        var cursor = record.cursor
        var epoch = record.epoch
        var resetOnce = false
        var pages = 0
        while true {
            let query = configuration.pageBytes == SyncConfiguration.protocolPageBytes ? "" : "&limit=\(configuration.pageBytes)"
            let response = try get("/v1/changes?since=\(cursor)\(query)")
            if response.status == 409, SyncWire.errorCode(response.body) == "epoch_changed" {
                guard !resetOnce else { throw SyncError(code: "epoch_changed", "peer '\(peer.name)' refused a fresh cursor as epoch_changed") }
                resetOnce = true
                do { try node.resetPeerCursor(peer.name) } catch { throw SyncError(local: error) }
                cursor = "0"
                epoch = nil
                reconcileDue = true
                continue
            }
            try requireSuccess(response)
            let page = try SyncWire.changesPage(response.body, peer: peer.name)
            if epoch != page.epoch { reconcileDue = true }
            try apply(page.items, cursor: page.next, epoch: page.epoch)
            cursor = page.next
            epoch = page.epoch
            pages += 1
            guard page.more else { return }
            guard !page.items.isEmpty, pages < configuration.maxPagesPerPeer else {
                throw SyncError.badResponse(peer.name, "more pages announced but none delivered")
            }
        }
    }

    // MARK: - Reconcile

    /// Compares heads with the peer (digest first, heads if they differ), then fetches the
    /// origins where the peer is ahead or this node is partial, and notes the origins the peer
    /// lacks so the push phase sends them in full.
    func reconcileIfDue() throws(SyncError) {
        guard reconcileDue else { return }
        let mine: [HeadsDigest.Head]
        let partial: Set<String>
        do {
            mine = try node.trustedHeads()
            partial = Set(try node.partialOrigins())
        } catch { throw SyncError(local: error) }
        let response = try post("/v1/reconcile", body: SyncWire.digestBody(HeadsDigest.compute(mine)))
        try requireSuccess(response)
        guard let theirs = try SyncWire.reconcileAnswer(response.body, peer: peer.name) else {
            reconcileDue = false
            return
        }
        let ours = Dictionary(mine.map { ($0.origin, $0) }, uniquingKeysWith: { a, _ in a })
        for origin in theirs.keys.sorted() {
            let their = theirs[origin]!
            let fetch: Bool
            if let our = ours[origin] { fetch = our.n < their.n || partial.contains(origin) } else { fetch = isTrustedHere(origin) }
            if fetch { try fetchOrigin(origin) }
        }
        originsPeerLacks = mine.filter { our in theirs[our.origin].map { $0.n < our.n } ?? true }.map(\.origin)
        reconcileDue = false
    }

    private func isTrustedHere(_ origin: String) -> Bool {
        (try? node.isTrusted(origin: origin)) == true
    }

    /// Pulls every current item of one origin (`changes?origin=`), without touching the cursor.
    func fetchOrigin(_ origin: String) throws(SyncError) {
        var since = "0"
        for _ in 0..<configuration.maxPagesPerPeer {
            let response = try get("/v1/changes?since=\(since)&origin=\(origin)")
            try requireSuccess(response)
            let page = try SyncWire.changesPage(response.body, peer: peer.name)
            try apply(page.items, cursor: nil, epoch: nil)
            since = page.next
            if !page.more || page.items.isEmpty { return }
        }
    }

    // MARK: - Push

    /// Pushes what the peer lacks. Rule: every item of this node's arrival log after the peer's
    /// acknowledged position (`pushed_through`), except the peer's own records and items this
    /// node pulled from that peer; plus, after a reconcile, every current item of the origins
    /// the peer lacks or is behind on. The watermark advances only over answered batches.
    func push() throws(SyncError) {
        var position = record.pushedThrough
        for _ in 0..<configuration.maxPagesPerPeer {
            let batch: (entries: [ArrivalEntry], more: Bool)
            do {
                batch = try node.arrivalLog(after: position, maxBytes: configuration.pushBytes, maxItems: configuration.pushItems,
                                            skippingOrigin: peer.origin, skippingVia: peer.name)
            } catch { throw SyncError(local: error) }
            guard let last = batch.entries.last else { break }
            try send(batch.entries.map(\.envelope))
            position = last.position
            pushedThrough = position
            if !batch.more { break }
        }
        for origin in originsPeerLacks {
            var after = 0
            for _ in 0..<configuration.maxPagesPerPeer {
                let batch: (entries: [ArrivalEntry], more: Bool)
                do { batch = try node.arrivalLog(after: after, origin: origin, maxBytes: configuration.pushBytes, maxItems: configuration.pushItems) } catch {
                    throw SyncError(local: error)
                }
                guard let last = batch.entries.last else { break }
                try send(batch.entries.map(\.envelope))
                after = last.position
                if !batch.more { break }
            }
        }
    }

    private func send(_ items: [Envelope]) throws(SyncError) {
        let response = try post("/v1/push", body: SyncWire.pushBody(items))
        try requireSuccess(response)
        _ = try SyncWire.pushResults(response.body, count: items.count, peer: peer.name)
        sent += items.count
        progress(peer.name, received + sent)
    }

    // MARK: - Requests

    private func apply(_ items: [Envelope], cursor: String?, epoch: String?) throws(SyncError) {
        do {
            let outcome = try node.applyPulledPage(items, from: peer.name, cursor: cursor, epoch: epoch)
            received += outcome.received
        } catch {
            if error.code == .invalidInput { throw SyncError(code: "bad_response", error.message) }
            throw SyncError(local: error)
        }
        progress(peer.name, received + sent)
    }

    private func get(_ path: String) throws(SyncError) -> PeerResponse {
        try exchange(PeerRequest.get(path, authorization: try authorization("GET", path, [])))
    }

    private func post(_ path: String, body: [UInt8]) throws(SyncError) -> PeerResponse {
        try exchange(PeerRequest.post(path, json: body, authorization: try authorization("POST", path, body)))
    }

    private func authorization(_ method: String, _ path: String, _ body: [UInt8]) throws(SyncError) -> String {
        do { return try node.signRequest(audience: peer.origin, method: method, pathWithQuery: path, body: body, now: Int(clock.now())) } catch {
            throw SyncError(local: error)
        }
    }

    private func exchange(_ request: PeerRequest) throws(SyncError) -> PeerResponse {
        do { return try transport.send(request) } catch { throw SyncError(error) }
    }

    private func requireSuccess(_ response: PeerResponse) throws(SyncError) {
        guard response.isSuccess else {
            let code = SyncWire.errorCode(response.body).map { " (\($0))" } ?? ""
            throw SyncError(code: PeerClientError.Code.httpStatus.rawValue,
                            "peer '\(peer.name)' at \(peer.url) answered HTTP \(response.status)\(code)",
                            retryAfter: response.retryAfterSeconds)
        }
    }
}
