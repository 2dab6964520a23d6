import PeerClient

/// How the sync engine reaches one peer: send a signed request, get status and body. The real
/// implementation is `HTTPSPeerTransport` over libcurl; tests plug in an in-process one that
/// answers from another node directly, and wrap either to inject faults.
public protocol PeerTransport: AnyObject {
    /// Sends one request and returns the whole response; transport failures throw.
    func send(_ request: PeerRequest) throws(PeerClientError) -> PeerResponse
    /// Bytes and round trips so far (design §6 `requestBytes`, `responseBytes`, `roundTrips`).
    var totals: PeerTransferTotals { get }
}

/// Makes a transport for a peer at the start of its exchange (one per peer per run).
public typealias PeerTransportFactory = (_ peer: SyncPeer) throws(PeerClientError) -> PeerTransport

/// The HTTPS transport: one `PeerConnection` (one libcurl handle with keep-alive) per peer per run.
public final class HTTPSPeerTransport: PeerTransport {
    private let connection: PeerConnection

    public init(peer: SyncPeer, limits: ClientLimits = .standard) throws(PeerClientError) {
        let endpoint = try PeerEndpoint(name: peer.name, baseURL: peer.url, tlsPin: peer.tlsPin)
        connection = try PeerConnection(endpoint: endpoint, limits: limits)
    }

    public func send(_ request: PeerRequest) throws(PeerClientError) -> PeerResponse { try connection.send(request) }

    public var totals: PeerTransferTotals { connection.totals }

    /// The factory `sync` uses by default.
    public static func factory(limits: ClientLimits = .standard) -> PeerTransportFactory {
        { (peer: SyncPeer) throws(PeerClientError) -> PeerTransport in try HTTPSPeerTransport(peer: peer, limits: limits) }
    }
}

/// The parts of a peer the transport needs.
public struct SyncPeer: Sendable, Hashable {
    public var name: String
    public var origin: String
    public var url: String
    public var tlsPin: String?

    public init(name: String, origin: String, url: String, tlsPin: String?) {
        self.name = name
        self.origin = origin
        self.url = url
        self.tlsPin = tlsPin
    }
}
