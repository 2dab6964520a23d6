/// Handles one request; it may block (e.g. on SQLite) unless it is registered to run inline.
public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

/// A tiny exact-match router: (method, path) → handler, 404 for unknown paths and 405 with `Allow`
/// for a known path with another method. Paths match byte for byte, still percent-encoded, so
/// `/v1/%68ealth` is not `/v1/health`. It answers only after the server has framed the request,
/// which keeps design §5's order: framing and size limits first, then route.
public struct Router: Sendable {
    private struct Route: Sendable {
        let handler: Handler
        let inline: Bool
    }

    private var routes: [String: [String: Route]] = [:]
    /// The inline routes as (method, path), few enough that comparing them beats hashing the path.
    private var inlineRoutes: [(method: String, path: String)] = []

    /// A router with no routes; every request gets 404.
    public init() {}

    /// Adds (or replaces) the handler for `method` on `path`. With `inline`, the server runs it on
    /// its event loop without a thread hand-off: only for handlers that never block (no I/O, no
    /// locks held long), such as a health check.
    public mutating func add(_ method: String, _ path: String, inline: Bool = false, _ handler: @escaping Handler) {
        routes[path, default: [:]][method] = Route(handler: handler, inline: inline)
        inlineRoutes.removeAll { $0.method == method && $0.path == path }
        if inline { inlineRoutes.append((method, path)) }
    }

    /// Whether the request's handler was registered inline (HEAD follows GET).
    public func runsInline(_ request: HTTPRequest) -> Bool {
        for route in inlineRoutes where route.path == request.path {
            if route.method == request.method { return true }
            if route.method == "GET" && request.method == "HEAD" && routes[route.path]?["HEAD"] == nil { return true }
        }
        return false
    }

    /// Routes a request; the response carries the matched path as its metrics label.
    public func respond(to request: HTTPRequest) -> HTTPResponse {
        guard let methods = routes[request.path] else {
            var response = HTTPResponse.error(
                .notFound, code: "not_found", message: "No resource exists at this path.")
            response.routeLabel = Router.unmatchedLabel
            return response
        }
        // HEAD is answered by the GET handler (the server then drops the body), as RFC 9110 §9.3.2 expects.
        guard let route = methods[request.method] ?? (request.method == "HEAD" ? methods["GET"] : nil) else {
            var allowed = Set(methods.keys)
            if allowed.contains("GET") { allowed.insert("HEAD") }
            var response = HTTPResponse.error(
                .methodNotAllowed, code: "method_not_allowed",
                message: "This method is not allowed on this path; see the Allow header.",
                headers: ["Allow": allowed.sorted().joined(separator: ", ")])
            response.routeLabel = request.path
            return response
        }
        var response = route.handler(request)
        response.routeLabel = request.path
        return response
    }

    /// The router as a server `Handler`.
    public var handler: Handler {
        let router = self
        return { router.respond(to: $0) }
    }

    /// The router's choice of inline requests, for `HTTPServer(configuration:handler:…:runsInline:)`.
    public var inlinePredicate: @Sendable (HTTPRequest) -> Bool {
        let router = self
        return { router.runsInline($0) }
    }

    /// Metrics label for requests that matched no route, so unknown paths cannot grow the label set.
    public static let unmatchedLabel = "unmatched"
}
