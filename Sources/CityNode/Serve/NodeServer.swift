import Foundation
import HTTPServer

/// Everything `NodeServer` needs: the home, where to listen, whether plain HTTP is wanted, the
/// HTTP limits and the peer-API limits. A test starts a real node on a free loopback port with
/// `try NodeServer.start(NodeServerConfiguration(home: home, listen: "127.0.0.1:0", plainHTTP: true))`.
public struct NodeServerConfiguration: Sendable {
    /// The node's home; `node.json` there gives the default listen address and the TLS files.
    public var home: NodeHome
    /// `HOST:PORT` overriding `node.json`'s `listen` (port 0 asks the kernel for a free port).
    public var listen: String?
    /// Serve plain HTTP instead of TLS; refused on non-loopback addresses (design §5).
    public var plainHTTP: Bool
    /// HTTP framing limits and deadlines (host, port and TLS are filled from the fields above).
    public var http: ServerConfiguration
    /// Peer-API limits: rate limit, page sizes, push batch size, quarantine caps, clock.
    public var api: PeerAPIConfiguration
    /// Where the one-line-per-request access log goes (buffered, flushed at least once a second).
    public var accessLog: LogSink
    /// How long a shutdown waits for in-flight requests before cutting them (design §5: 10 s).
    public var shutdownGracePeriod: Double

    public init(home: NodeHome, listen: String? = nil, plainHTTP: Bool = false, http: ServerConfiguration = ServerConfiguration(),
                api: PeerAPIConfiguration = PeerAPIConfiguration(), accessLog: LogSink = .standardError,
                shutdownGracePeriod: Double = 10) {
        self.home = home
        self.listen = listen
        self.plainHTTP = plainHTTP
        self.http = http
        self.api = api
        self.accessLog = accessLog
        self.shutdownGracePeriod = shutdownGracePeriod
    }
}

/// A running city node: the peer API of design §5 on the hardened `HTTPServer`, over the node's
/// database. Trust, peers and quarantine are read from the database per request, so commands
/// run by other processes on the same home take effect at once.
public final class NodeServer: Sendable {
    public let configuration: NodeServerConfiguration
    /// This node's origin id (the audience of signed requests).
    public let origin: String
    /// The operator notice when opening found a restored database (a new epoch was drawn).
    public let epochNotice: String?
    let api: PeerAPI
    let server: HTTPServer
    /// The resolved host the server binds.
    public let host: String

    /// Opens the node and prepares the server (TLS files are loaded here, so a bad certificate
    /// fails before anything listens).
    public init(_ configuration: NodeServerConfiguration) throws(NodeError) {
        self.configuration = configuration
        let node = try Node(home: configuration.home)
        epochNotice = node.epochNotice
        let listen = configuration.listen ?? node.configuration.listen
        guard let (host, port) = NodeServer.parseListen(listen) else {
            throw NodeError(.invalidInput, "the listen address '\(listen)' is not HOST:PORT with a port from 0 to 65535")
        }
        self.host = host
        var http = configuration.http
        http.host = host
        http.port = port
        if configuration.plainHTTP {
            http.tls = nil
        } else {
            http.tls = TLSConfiguration(certificateChainPath: node.resolve(node.configuration.tlsCertificate),
                                        privateKeyPath: node.resolve(node.configuration.tlsKey))
        }
        let metrics = ServerMetrics()
        let api = try PeerAPI(node: node, configuration: configuration.api, serverMetrics: metrics)
        self.api = api
        origin = api.origin
        do {
            let router = api.router
            server = try HTTPServer(configuration: http, router: router, metrics: metrics,
                                    accessLog: AccessLog(sink: configuration.accessLog))
        } catch let error as HTTPServerError {
            throw NodeError(.invalidConfiguration, error.message)
        } catch {
            throw NodeError(.invalidConfiguration, "the server could not be set up: \(error)")
        }
    }

    /// Opens and starts a server in one call.
    public static func start(_ configuration: NodeServerConfiguration) throws(NodeError) -> NodeServer {
        let server = try NodeServer(configuration)
        try server.start()
        return server
    }

    /// Binds and starts accepting; returns at once.
    public func start() throws(NodeError) {
        do { try server.start() } catch let error as HTTPServerError {
            throw NodeError(.invalidInput, error.message)
        } catch {
            throw NodeError(.invalidInput, "the server could not start: \(error)")
        }
    }

    /// The bound port (the kernel's choice for port 0).
    public var port: UInt16 { server.port }
    /// Whether TLS is served.
    public var usesTLS: Bool { server.usesTLS }
    /// `https://HOST:PORT` or `http://HOST:PORT` of the bound address.
    public var baseURL: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "https" : "http")://\(h):\(port)"
    }
    /// Request counters and latencies.
    public var metrics: ServerMetrics { server.metrics }

    /// Stops accepting, finishes in-flight requests (at most the grace period), flushes the log.
    public func shutdown() { server.shutdown(gracePeriod: configuration.shutdownGracePeriod) }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully and returns the signal number.
    /// `ready` is called once listening (e.g. to print the address).
    public func runUntilSignal(ready: (NodeServer) -> Void) throws(NodeError) -> Int32 {
        let waiter = SignalWaiter()
        try start()
        ready(self)
        let signal = waiter.wait()
        shutdown()
        return signal
    }

    /// Splits `HOST:PORT` (IPv6 in brackets); port 0 is allowed here (a free port).
    static func parseListen(_ text: String) -> (String, UInt16)? {
        guard let colon = text.lastIndex(of: ":"), colon != text.startIndex,
              let port = UInt16(text[text.index(after: colon)...]) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, !host.contains(where: { $0.isWhitespace }) else { return nil }
        return (host, port)
    }
}

extension Node {
    /// A path from `node.json`, relative paths taken relative to the home.
    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (home.path as NSString).appendingPathComponent(path)
    }
}
