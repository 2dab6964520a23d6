import Foundation
import PeerClient
import Sync
import TestSupport

/// What the fault injector does to one exchange.
enum Fault: Hashable {
    /// The server handles the request but the response is lost (the client sees a timeout).
    case drop
    /// The request reaches the server only later, just before the next one (the client sees a timeout).
    case delay
    /// The request is delivered twice; the client sees the second answer.
    case duplicate
    /// The response body is cut in half.
    case truncate
    /// One byte inside the response's `items` array is flipped.
    case corrupt
    /// The peer cannot be reached at all.
    case partition
    /// The peer answers this HTTP status without handling the request, with an optional `Retry-After`.
    case status(Int, retryAfter: Int?)
}

/// The in-process transport: hands each request to an `InProcessPeerServer`, counting bytes as
/// the HTTPS client would (request line + headers + body; response bodies), and applies the
/// fault `faults` chooses for each exchange.
final class InProcessTransport: PeerTransport {
    let server: InProcessPeerServer
    let peerName: String
    var faults: (PeerRequest) -> Fault? = { _ in nil }
    private var delayed: [PeerRequest] = []
    private(set) var totals = PeerTransferTotals()
    /// A seeded source for the byte to corrupt.
    private var random: SeededGenerator

    init(server: InProcessPeerServer, peerName: String, seed: UInt64 = 1) {
        self.server = server
        self.peerName = peerName
        random = SeededGenerator(seed: seed)
    }

    func send(_ request: PeerRequest) throws(PeerClientError) -> PeerResponse {
        for held in delayed { _ = server.handle(held) }
        delayed.removeAll()
        let fault = faults(request)
        if fault == .partition { throw failure(.refused, "nothing accepted the connection") }
        totals.requestBytes += InProcessTransport.wireSize(of: request, host: peerName)
        if case .status(let code, let retryAfter) = fault {
            let body = Array(#"{"error":{"code":"unavailable","message":"unavailable"}}"#.utf8)
            totals.responseBodyBytes += body.count
            totals.roundTrips += 1
            return PeerResponse(status: code, body: body, retryAfterSeconds: retryAfter)
        }
        switch fault {
        case .drop:
            _ = server.handle(request)
            throw failure(.timeout, "the response did not arrive in time")
        case .delay:
            delayed.append(request)
            throw failure(.timeout, "the response did not arrive in time")
        default:
            break
        }
        var response = server.handle(request)
        if fault == .duplicate { response = server.handle(request) }
        var body = response.body
        if fault == .truncate { body = Array(body.prefix(body.count / 2)) }
        if fault == .corrupt, let range = itemsRange(body), !range.isEmpty {
            let i = range.lowerBound + Int(random.next() % UInt64(range.count))
            body[i] ^= UInt8(1 + random.next() % 255)
        }
        totals.responseBodyBytes += body.count
        totals.roundTrips += 1
        return PeerResponse(status: response.status, headers: response.headers, body: body, retryAfterSeconds: response.retryAfterSeconds)
    }

    /// The bytes an HTTP/1.1 request takes on the wire before TLS, as libcurl sends it.
    static func wireSize(of request: PeerRequest, host: String) -> Int {
        var text = "\(request.method.rawValue) \(request.path) HTTP/1.1\r\nHost: \(host)\r\n"
        for h in request.headers { text += "\(h.name): \(h.value)\r\n" }
        if let body = request.body { text += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
        text += "\r\n"
        return text.utf8.count + (request.body?.count ?? 0)
    }

    /// The byte range inside `"items":[…]` (so corruption hits envelopes, never the cursor).
    private func itemsRange(_ body: [UInt8]) -> Range<Int>? {
        let marker = Array(#""items":["#.utf8)
        guard body.count > marker.count else { return nil }
        for start in 0...(body.count - marker.count) where Array(body[start..<start + marker.count]) == marker {
            let from = start + marker.count
            guard let end = body.lastIndex(of: UInt8(ascii: "]")), end > from else { return nil }
            return from..<end
        }
        return nil
    }

    private func failure(_ code: PeerClientError.Code, _ cause: String) -> PeerClientError {
        PeerClientError(code, peer: peerName, url: "inprocess://\(peerName)", cause)
    }
}

