import Foundation

/// Thread-safe request counters by (route label, status) and a latency histogram per route,
/// rendered in the Prometheus text exposition format (version 0.0.4). Route labels come from
/// `Router` (registered paths or `unmatched`), so clients cannot inflate the label set.
///
/// `@unchecked Sendable`: all mutable state is only touched under `lock`.
public final class ServerMetrics: @unchecked Sendable {
    /// Upper bounds of the latency histogram buckets, in seconds.
    public let latencyBuckets: [Double]
    /// Prefix of every metric name this type renders.
    public let namePrefix: String

    private struct Histogram {
        var bucketCounts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0

        mutating func add(_ seconds: Double, bucket: Int?) {
            if let bucket { bucketCounts[bucket] += 1 }
            sum += seconds
            count += 1
        }
    }

    /// Counters of one route: answers by status and the latency histogram, kept together so a
    /// request costs one lookup by route.
    private struct RouteStatistics {
        var statuses: [Int: UInt64] = [:]
        var latency: Histogram

        mutating func record(status: Int, seconds: Double, bucket: Int?) {
            statuses[status, default: 0] += 1
            latency.add(seconds, bucket: bucket)
        }
    }

    private let lock = NSLock()
    private var routes: [String: RouteStatistics] = [:]
    private var openConnections = 0
    private var refusedConnections: UInt64 = 0
    private var evictedConnections: UInt64 = 0

    /// Metrics named `<namePrefix>_…` with the given latency bucket bounds.
    public init(
        namePrefix: String = "citybench_http",
        latencyBuckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    ) {
        self.namePrefix = namePrefix
        self.latencyBuckets = latencyBuckets.sorted()
    }

    /// Counts one answered request and its latency.
    public func record(route: String, status: Int, seconds: Double) {
        lock.lock()
        defer { lock.unlock() }
        let bucket = latencyBuckets.firstIndex { seconds <= $0 }
        // Mutated in place through the dictionary, so the bucket array is not copied per request.
        let empty = latencyBuckets.count
        routes[route, default: RouteStatistics(latency: Histogram(bucketCounts: Array(repeating: 0, count: empty)))]
            .record(status: status, seconds: seconds, bucket: bucket)
    }

    /// Number of requests counted for `route` with `status`.
    public func requestCount(route: String, status: Int) -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return routes[route]?.statuses[status] ?? 0
    }

    /// Number of connections refused because the connection limit was reached.
    public var refusedConnectionCount: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return refusedConnections
    }

    /// Number of connections closed to give their slot to a newcomer (idle keep-alive or below the minimum data rate).
    public var evictedConnectionCount: UInt64 {
        lock.lock()
        defer { lock.unlock() }
        return evictedConnections
    }

    func connectionEvicted() {
        lock.lock()
        evictedConnections += 1
        lock.unlock()
    }

    func connectionOpened() {
        lock.lock()
        openConnections += 1
        lock.unlock()
    }

    func connectionClosed() {
        lock.lock()
        openConnections -= 1
        lock.unlock()
    }

    func connectionRefused() {
        lock.lock()
        refusedConnections += 1
        lock.unlock()
    }

    /// The metrics as Prometheus text, sorted so equal states render equal bytes.
    public func renderPrometheus() -> String {
        lock.lock()
        let routes = self.routes
        let open = openConnections
        let refused = refusedConnections
        let evicted = evictedConnections
        lock.unlock()

        var out = ""
        out += "# HELP \(namePrefix)_requests_total HTTP requests answered, by route and status.\n"
        out += "# TYPE \(namePrefix)_requests_total counter\n"
        let requests = routes.flatMap { route in route.value.statuses.map { (route: route.key, status: $0.key, count: $0.value) } }
        for entry in requests.sorted(by: { ($0.route, $0.status) < ($1.route, $1.status) }) {
            out += "\(namePrefix)_requests_total{route=\"\(Self.escapeLabel(entry.route))\",status=\"\(entry.status)\"} \(entry.count)\n"
        }
        out += "# HELP \(namePrefix)_request_duration_seconds Time from a complete request to its response, ready to send.\n"
        out += "# TYPE \(namePrefix)_request_duration_seconds histogram\n"
        for (route, statistics) in routes.sorted(by: { $0.key < $1.key }) {
            let histogram = statistics.latency
            let label = "route=\"\(Self.escapeLabel(route))\""
            var cumulative: UInt64 = 0
            for (index, bound) in latencyBuckets.enumerated() {
                cumulative += histogram.bucketCounts[index]
                out += "\(namePrefix)_request_duration_seconds_bucket{\(label),le=\"\(Self.formatBound(bound))\"} \(cumulative)\n"
            }
            out += "\(namePrefix)_request_duration_seconds_bucket{\(label),le=\"+Inf\"} \(histogram.count)\n"
            out += "\(namePrefix)_request_duration_seconds_sum{\(label)} \(histogram.sum)\n"
            out += "\(namePrefix)_request_duration_seconds_count{\(label)} \(histogram.count)\n"
        }
        out += "# HELP \(namePrefix)_connections_open Connections currently being served.\n"
        out += "# TYPE \(namePrefix)_connections_open gauge\n"
        out += "\(namePrefix)_connections_open \(open)\n"
        out += "# HELP \(namePrefix)_connections_refused_total Connections closed at once because the connection limit was reached.\n"
        out += "# TYPE \(namePrefix)_connections_refused_total counter\n"
        out += "\(namePrefix)_connections_refused_total \(refused)\n"
        out += "# HELP \(namePrefix)_connections_evicted_total Connections closed to make room for a newcomer: idle keep-alive or below the minimum data rate.\n"
        out += "# TYPE \(namePrefix)_connections_evicted_total counter\n"
        out += "\(namePrefix)_connections_evicted_total \(evicted)\n"
        return out
    }

    /// Escapes a label value as the exposition format requires (backslash, quote, newline).
    static func escapeLabel(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }

    private static func formatBound(_ bound: Double) -> String {
        bound == bound.rounded() ? String(Int(bound)) : String(bound)
    }
}
