/// Handles one request; it may block (e.g. on SQLite) unless it is registered to run inline.
public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

/// What a request's route decides on the event loop: the response itself, or work that may
/// block (SQLite, a lock held by a long write) and therefore runs on the handler pool.
public enum RouteOutcome: Sendable {
    case respond(HTTPResponse)
    case block(@Sendable () -> HTTPResponse)
}

/// Runs on the event loop and must not block: it answers at once or hands back blocking work.
/// For routes that are cheap in the usual case and need the database only sometimes (a signed
/// no-change `GET /v1/changes` is answered from memory, a real page is read on the pool).
public typealias LoopHandler = @Sendable (HTTPRequest) -> RouteOutcome

/// A tiny exact-match router: (method, path) → handler, 404 for unknown paths and 405 with `Allow`
/// for a known path with another method. Paths match byte for byte, still percent-encoded, so
/// `/v1/%68ealth` is not `/v1/health`. It answers only after the server has framed the request,
/// which keeps design §5's order: framing and size limits first, then route.
public struct Router: Sendable {
    private enum Route: Sendable {
        /// May block: runs on the handler pool.
        case pooled(Handler)
        /// Never blocks: answered on the event loop.
        case inline(Handler)
        /// Decides on the event loop whether it needs the pool.
        case staged(LoopHandler)
    }

    private var routes: [String: [String: Route]] = [:]

    /// A router with no routes; every request gets 404.
    public init() {}

    /// Adds (or replaces) the handler for `method` on `path`. With `inline`, the server runs it on
    /// its event loop without a thread hand-off: only for handlers that never block (no I/O, no
    /// locks held long), such as a health check.
    public mutating func add(_ method: String, _ path: String, inline: Bool = false, _ handler: @escaping Handler) {
        routes[path, default: [:]][method] = inline ? .inline(handler) : .pooled(handler)
    }

    /// Adds (or replaces) a handler that runs on the event loop and answers there or hands back
    /// the work that may block (see `LoopHandler`).
    public mutating func add(_ method: String, _ path: String, onLoop handler: @escaping LoopHandler) {
        routes[path, default: [:]][method] = .staged(handler)
    }

    /// The route's decision on the event loop: 404/405 and inline routes answer at once, pooled
    /// routes hand back their handler, staged routes decide. Every response carries the matched
    /// path as its metrics label.
    public func route(_ request: HTTPRequest) -> RouteOutcome {
        guard let route = find(request) else { return .respond(refusal(request)) }
        let label = request.path
        switch route {
        case .inline(let handler):
            return .respond(handler(request).labelled(label))
        case .pooled(let handler):
            return .block { handler(request).labelled(label) }
        case .staged(let handler):
            switch handler(request) {
            case .respond(let response): return .respond(response.labelled(label))
            case .block(let work): return .block { work().labelled(label) }
            }
        }
    }

    /// Routes a request and runs whatever it needs on the calling thread.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        switch route(request) {
        case .respond(let response): return response
        case .block(let work): return work()
        }
    }

    /// The router's decision per request, for `HTTPServer(configuration:dispatch:…)`.
    public var dispatch: @Sendable (HTTPRequest) -> RouteOutcome {
        let router = self
        return { router.route($0) }
    }

    /// Metrics label for requests that matched no route, so unknown paths cannot grow the label set.
    public static let unmatchedLabel = "unmatched"

    /// The route for the request's method and path; HEAD is answered by the GET handler (the
    /// server then drops the body), as RFC 9110 §9.3.2 expects.
    private func find(_ request: HTTPRequest) -> Route? {
        guard let methods = routes[request.path] else { return nil }
        return methods[request.method] ?? (request.method == "HEAD" ? methods["GET"] : nil)
    }

    /// 404 for an unknown path, 405 with `Allow` for a known path with another method.
    private func refusal(_ request: HTTPRequest) -> HTTPResponse {
        guard let methods = routes[request.path] else {
            return HTTPResponse.error(.notFound, code: "not_found", message: "No resource exists at this path.")
                .labelled(Router.unmatchedLabel)
        }
        var allowed = Set(methods.keys)
        if allowed.contains("GET") { allowed.insert("HEAD") }
        return HTTPResponse.error(
            .methodNotAllowed, code: "method_not_allowed",
            message: "This method is not allowed on this path; see the Allow header.",
            headers: ["Allow": allowed.sorted().joined(separator: ", ")]
        ).labelled(request.path)
    }
}

extension HTTPResponse {
    /// The response with `routeLabel` set.
    func labelled(_ label: String) -> HTTPResponse {
        var response = self
        response.routeLabel = label
        return response
    }
}
