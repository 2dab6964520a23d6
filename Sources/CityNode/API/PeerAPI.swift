import Foundation
import Formats
import HTTPServer
import Replication
import Synchronization

/// The handlers of the peer API (design §5), mounted on a `Router`:
/// `GET /v1/health`, `GET /v1/info`, `GET /openapi.json`, `GET /metrics` without authentication;
/// `GET /v1/changes`, `POST /v1/push`, `POST /v1/reconcile` signed. For signed routes the order
/// is fixed: authentication (401/403) → rate limit (429) → parameters and body (400/409), so an
/// unauthenticated caller never learns whether its cursor or body was valid. The router has
/// already answered 404/405 and the server 400/408/413/414/431 before any of this runs.
final class PeerAPI: Sendable {
    let shared: SharedNode
    let configuration: PeerAPIConfiguration
    let authenticator: RequestAuthenticator
    let limiter: RateLimiter?
    /// This node's origin id (the audience of signed requests) and its public label if named.
    let origin: String
    let publicLabel: String?
    /// The HTTP server's request metrics, rendered first on `/metrics`.
    let serverMetrics: ServerMetrics
    /// Signed `/v1/changes` requests answered on the event loop from memory (no database read).
    let changesFromMemory = Atomic<Int>(0)
    /// The last answer to an up-to-date cursor: every peer at the head of the log gets the same
    /// bytes, so they are built once per position of the head.
    private let headResponse = Mutex<(next: String, response: HTTPResponse)?>(nil)

    init(node: Node, configuration: PeerAPIConfiguration, serverMetrics: ServerMetrics) throws(NodeError) {
        let identity = try node.originID()
        origin = identity
        publicLabel = node.configuration.isPseudonymous ? nil : node.configuration.profile.name
        shared = SharedNode(node: node)
        self.configuration = configuration
        authenticator = RequestAuthenticator(audience: identity, configuration: configuration)
        limiter = configuration.rateLimit.map { RateLimiter(limit: $0) }
        self.serverMetrics = serverMetrics
    }

    /// The routes, exactly design §5's table.
    private static let healthResponse = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
    private static let openAPIResponse = HTTPResponse.json(bytes: Array(OpenAPIDocument.json.utf8))

    var router: Router {
        var router = Router()
        // Routes that never touch the database answer on the event loop itself (no hand-off).
        router.add("GET", "/v1/health", inline: true) { _ in PeerAPI.healthResponse }
        router.add("GET", "/v1/info") { [self] _ in info() }
        router.add("GET", "/openapi.json", inline: true) { _ in PeerAPI.openAPIResponse }
        router.add("GET", "/metrics") { [self] _ in metrics() }
        router.add("GET", "/v1/changes", onLoop: { [self] request in changesOnLoop(request) })
        router.add("POST", "/v1/push") { [self] request in signed(request, push) }
        router.add("POST", "/v1/reconcile") { [self] request in signed(request, reconcile) }
        return router
    }

    // MARK: - Authentication and rate limit

    private func signed(_ request: HTTPRequest, _ body: (HTTPRequest, String) throws(PeerAPIError) -> HTTPResponse) -> HTTPResponse {
        let caller: String
        switch authenticator.authenticate(request, node: shared) {
        case .failure(let error): return error.response
        case .success(let origin): caller = origin
        }
        if let refusal = rateLimited(caller) { return refusal }
        do { return try body(request, caller) } catch { return error.response }
    }

    /// 429 with `Retry-After` when `caller` is over its rate, else nil (and the request counted).
    private func rateLimited(_ caller: String) -> HTTPResponse? {
        guard let limiter, let wait = limiter.admit(origin: caller, now: Date().timeIntervalSince1970) else { return nil }
        return PeerAPIError.rateLimited(retryAfter: wait).response
    }

    /// Maps a node failure to the API's error: database trouble is transient (503), the rest 500.
    private func failure(_ error: NodeError) -> PeerAPIError {
        error.code == .database ? .busy : .internalError
    }

    // MARK: - Unauthenticated

    private func info() -> HTTPResponse {
        let epoch: String
        do { epoch = try shared.withNode { (node) throws(NodeError) in try node.currentEpoch().id } } catch {
            return failure(error).response
        }
        var o = JSONObject(pairs: [("protocol", .int(1)), ("epoch", .string(epoch))])
        if let publicLabel {
            o["origin"] = .string(origin)
            o["label"] = .string(publicLabel)
        }
        return HTTPResponse.json(bytes: JSONWriter.bytes(.object(o)))
    }

    private func metrics() -> HTTPResponse {
        var text = serverMetrics.renderPrometheus()
        text += "# HELP citybench_changes_answered_from_memory_total Signed /v1/changes requests answered on an event loop from memory, without reading the database (up-to-date cursors, and 409 for a cursor of another epoch).\n"
        text += "# TYPE citybench_changes_answered_from_memory_total counter\n"
        text += "citybench_changes_answered_from_memory_total \(changesFromMemory.load(ordering: .relaxed))\n"
        do { text += try shared.withNode { (node) throws(NodeError) in try node.replicaMetrics() } } catch {
            return failure(error).response
        }
        return HTTPResponse.text(text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    // MARK: - Signed

    /// `GET /v1/changes` on the event loop, in the order of `signed`: the caller's key from the
    /// node's memo, the signature checked here (CPU only), and an up-to-date cursor answered from
    /// the epoch memo, so the usual scheduled sync costs no thread hand-off and no SQLite call.
    /// What needs the database goes to the handler pool: authentication without a memo (before
    /// any check, so nothing runs twice), and a page to read (after it, with the caller known).
    private func changesOnLoop(_ request: HTTPRequest) -> RouteOutcome {
        guard let authentication = authenticator.authenticateFromMemo(request, node: shared) else {
            return .block { [self] in signed(request, changes) }
        }
        let caller: String
        switch authentication {
        case .failure(let error): return .respond(error.response)
        case .success(let origin): caller = origin
        }
        if let refusal = rateLimited(caller) { return .respond(refusal) }
        let query: ChangesQuery
        do throws(PeerAPIError) { query = try ChangesQuery(request, configuration: configuration) } catch { return .respond(error.response) }
        if let outcome = shared.withNodeIfFree({ $0.changesFromMemo(since: query.since) }) ?? nil {
            changesFromMemory.add(1, ordering: .relaxed)
            return .respond(responseFromMemory(outcome))
        }
        return .block { [self] in
            do throws(PeerAPIError) { return try changes(query) } catch { return error.response }
        }
    }

    private func changes(_ request: HTTPRequest, caller: String) throws(PeerAPIError) -> HTTPResponse {
        try changes(try ChangesQuery(request, configuration: configuration))
    }

    private func changes(_ query: ChangesQuery) throws(PeerAPIError) -> HTTPResponse {
        do {
            return response(try shared.withNode { (node) throws(NodeError) in
                try node.changes(since: query.since, limitBytes: query.limit, origin: query.origin)
            })
        } catch { throw failure(error) }
    }

    /// `response(outcome)`, reusing the head's answer when the outcome is it.
    private func responseFromMemory(_ outcome: ChangesOutcome) -> HTTPResponse {
        guard case .page(let page) = outcome, page.items.isEmpty, !page.more else { return response(outcome) }
        if let head = headResponse.withLock({ $0 }), head.next == page.next { return head.response }
        let built = response(outcome)
        headResponse.withLock { $0 = (page.next, built) }
        return built
    }

    private func response(_ outcome: ChangesOutcome) -> HTTPResponse {
        switch outcome {
        case .epochChanged(let current): return PeerAPIError.epochChanged(current: current).response
        case .page(let page): return HTTPResponse.json(bytes: page.json)
        }
    }

    private func push(_ request: HTTPRequest, caller: String) throws(PeerAPIError) -> HTTPResponse {
        // Envelopes that do not even parse are rejected in place; the rest go to the node as one batch.
        var envelopes: [Envelope] = []
        var slots: [Result<Int, ReplicationError>] = []
        if configuration.maxBodyDepth >= EnvelopeList.depth,
           let fast = EnvelopeList.pushItems(request.body, maxItems: configuration.maxPushItems) {
            envelopes = fast
            slots = envelopes.indices.map { .success($0) }
        } else {
            let body = try parseBody(request.body)
            guard let object = body.objectValue, let items = object["items"]?.arrayValue else { throw .invalidPushBody }
            guard items.count <= configuration.maxPushItems else { throw .tooManyItems }
            for item in items {
                do {
                    envelopes.append(try Envelope(json: item))
                    slots.append(.success(envelopes.count - 1))
                } catch { slots.append(.failure(error)) }
            }
        }
        let results: [IngestResult]
        do {
            results = try shared.withNode { (node) throws(NodeError) in
                try node.ingest(envelopes, relayedBy: caller, limits: configuration.quarantine)
            }
        } catch { throw failure(error) }
        let ordered: [JSONValue] = slots.map { slot in
            switch slot {
            case .success(let index): results[index].json
            case .failure(let error): IngestResult(status: .rejected, reason: error.code.rawValue).json
            }
        }
        return HTTPResponse.json(bytes: JSONWriter.bytes(.object(JSONObject(pairs: [("results", .array(ordered))]))))
    }

    private func reconcile(_ request: HTTPRequest, caller: String) throws(PeerAPIError) -> HTTPResponse {
        guard let parsed = ReconcileRequest(json: try parseBody(request.body), maxHeads: configuration.maxReconcileHeads) else {
            throw .invalidReconcileBody
        }
        let heads: [HeadsDigest.Head]
        do { heads = try shared.withNode { (node) throws(NodeError) in try node.trustedHeads() } } catch { throw failure(error) }
        if case .digest(let digest) = parsed, digest == HeadsDigest.compute(heads) {
            return HTTPResponse.json(bytes: Array(#"{"equal":true}"#.utf8))
        }
        return HTTPResponse.json(bytes: JSONWriter.bytes(ReconcileRequest.headsJSON(heads)))
    }

    /// Strict JSON with the API's nesting and size limits.
    private func parseBody(_ bytes: [UInt8]) throws(PeerAPIError) -> JSONValue {
        let limits = JSONReader.Limits(maxDepth: configuration.maxBodyDepth,
                                       maxContainerCount: max(configuration.maxPushItems, configuration.maxReconcileHeads) + 1)
        do { return try JSONReader.parse(bytes, limits: limits) } catch { throw .invalidJSON }
    }
}
