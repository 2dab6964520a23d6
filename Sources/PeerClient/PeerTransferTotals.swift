/// One consistent snapshot of a connection's traffic, for the per-peer line of `sync --json` (design §6).
public struct PeerTransferTotals: Sendable, Hashable {
    /// Request line, header and body bytes as handed to TLS, failed attempts included (`requestBytes`).
    public var requestBytes: Int
    /// Response body bytes received (`responseBytes`); response headers are not counted.
    public var responseBodyBytes: Int
    /// Completed request/response exchanges, whatever their status (`roundTrips`).
    public var roundTrips: Int

    /// Creates a snapshot.
    public init(requestBytes: Int = 0, responseBodyBytes: Int = 0, roundTrips: Int = 0) {
        self.requestBytes = requestBytes
        self.responseBodyBytes = responseBodyBytes
        self.roundTrips = roundTrips
    }
}
