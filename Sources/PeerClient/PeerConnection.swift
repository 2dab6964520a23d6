import CCurl
import Foundation

/// An HTTPS connection to one peer: one libcurl easy handle (`CURL*`), reused across requests so the
/// TCP and TLS session stay alive for the whole sync run, with the byte and round-trip counts sync reports.
///
/// Create one per peer per run and drop it afterwards. Requests are serialised: `send` holds a lock for
/// the whole transfer, so the connection may be handed between threads but never runs two requests at once.
public final class PeerConnection: @unchecked Sendable {
    // @unchecked Sendable: `handle`, `state` and the counters are read and written only while holding `lock`.

    /// The peer this connection talks to.
    public let endpoint: PeerEndpoint
    /// The limits this connection was configured with.
    public let limits: ClientLimits

    private let lock = NSLock()
    private let handle: UnsafeMutableRawPointer
    private let state: TransferState
    private let now: @Sendable () -> Date
    private var counted = PeerTransferTotals()

    /// Opens (lazily, on the first `send`) a connection to `endpoint`.
    ///
    /// With a `tlsPin`, the pin alone is the trust anchor (`CURLOPT_PINNEDPUBLICKEY`, peer and host
    /// verification off, since peers use self-signed certificates); without one, the system CA store
    /// verifies the certificate and host name. TLS 1.2 is the minimum, HTTP/1.1 the only version,
    /// only the base URL's scheme is allowed and redirects, if followed at all, go to `https://` only.
    /// Proxy settings from the environment are ignored (`CURLOPT_NOPROXY "*"`) so pinning and byte
    /// counts always describe the peer itself.
    ///
    /// - Parameter now: the clock for `Retry-After` dates; tests inject a fixed one.
    public init(endpoint: PeerEndpoint, limits: ClientLimits = .standard,
                now: @escaping @Sendable () -> Date = { Date() }) throws(PeerClientError) {
        guard CurlRuntime.isReady, let handle = curl_easy_init() else {
            throw PeerClientError(.transport, endpoint: endpoint,
                                  "the HTTP client library could not be initialised on this machine",
                                  detail: "curl_global_init returned \(CurlRuntime.initialisation.rawValue)")
        }
        self.endpoint = endpoint
        self.limits = limits
        self.handle = handle
        self.state = TransferState(limits: limits)
        self.now = now
        do {
            try configure()
        } catch {
            curl_easy_cleanup(handle)
            throw error
        }
    }

    deinit {
        curl_easy_cleanup(handle)
    }

    /// All three counters at once, consistent with each other (waits for a running request to finish).
    public var totals: PeerTransferTotals { lock.withLock { counted } }
    /// Request line, header and body bytes sent so far, as handed to TLS (design §6 `requestBytes`); failed attempts included.
    public var requestBytes: Int { totals.requestBytes }
    /// Response body bytes received so far (design §6 `responseBytes`), partial bodies of failed transfers included; headers are not counted.
    public var responseBodyBytes: Int { totals.responseBodyBytes }
    /// Completed request/response exchanges, whatever their status.
    public var roundTrips: Int { totals.roundTrips }

    /// Sends `request` and waits for the whole response.
    ///
    /// Sends only `Host`, the request's own headers and, with a body, `Content-Type: application/json`
    /// and `Content-Length` (libcurl's `Accept` and `Expect` are removed, no `User-Agent`). Every HTTP
    /// status is returned, 4xx and 5xx included; use `PeerResponse.statusError(for:)` to treat one as a failure.
    /// - Throws: `PeerClientError` for DNS, connection, TLS, pin, timeout, size-cap and other transport failures.
    public func send(_ request: PeerRequest) throws(PeerClientError) -> PeerResponse {
        try request.validate(for: endpoint)
        lock.lock()
        defer { lock.unlock() }
        return try perform(request)
    }

    // MARK: - libcurl

    /// Sets the options that stay the same for every request on this handle.
    private func configure() throws(PeerClientError) {
        let context = state.opaque
        try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try check(ccurl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, state.errorBuffer), "ERRORBUFFER")
        try check(ccurl_setopt_writefunction(handle, TransferState.writeBody), "WRITEFUNCTION")
        try check(ccurl_setopt_ptr(handle, CURLOPT_WRITEDATA, context), "WRITEDATA")
        try check(ccurl_setopt_headerfunction(handle, TransferState.receiveHeader), "HEADERFUNCTION")
        try check(ccurl_setopt_ptr(handle, CURLOPT_HEADERDATA, context), "HEADERDATA")
        try check(ccurl_setopt_debugfunction(handle, TransferState.observe), "DEBUGFUNCTION")
        try check(ccurl_setopt_ptr(handle, CURLOPT_DEBUGDATA, context), "DEBUGDATA")
        // The debug callback, which counts the exact request bytes, only runs in verbose mode; with a
        // callback installed libcurl prints nothing itself.
        try set(CURLOPT_VERBOSE, 1, "VERBOSE")

        try setString(CURLOPT_PROTOCOLS_STR, endpoint.isPlainHTTP ? "http" : "https", "PROTOCOLS_STR")
        try setString(CURLOPT_REDIR_PROTOCOLS_STR, "https", "REDIR_PROTOCOLS_STR")
        try set(CURLOPT_FOLLOWLOCATION, limits.maxRedirects > 0 ? 1 : 0, "FOLLOWLOCATION")
        try set(CURLOPT_MAXREDIRS, max(limits.maxRedirects, 0), "MAXREDIRS")
        try setString(CURLOPT_NOPROXY, "*", "NOPROXY")
        try set(CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_1, "HTTP_VERSION")
        // Send the signed path byte for byte: no `/./` or `/../` squashing.
        try set(CURLOPT_PATH_AS_IS, 1, "PATH_AS_IS")

        try set(CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeout.wholeMillisecondsRoundedUp, "CONNECTTIMEOUT_MS")
        try set(CURLOPT_TIMEOUT_MS, limits.totalTimeout.wholeMillisecondsRoundedUp, "TIMEOUT_MS")
        try set(CURLOPT_LOW_SPEED_LIMIT, max(limits.lowSpeedBytesPerSecond, 1), "LOW_SPEED_LIMIT")
        try set(CURLOPT_LOW_SPEED_TIME, limits.lowSpeedTime.wholeSecondsRoundedUp, "LOW_SPEED_TIME")
        try check(ccurl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxResponseBodyBytes)),
                  "MAXFILESIZE_LARGE")

        try set(CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2, "SSLVERSION")
        if let pin = endpoint.tlsPin {
            try setString(CURLOPT_PINNEDPUBLICKEY, pin, "PINNEDPUBLICKEY")
            try set(CURLOPT_SSL_VERIFYPEER, 0, "SSL_VERIFYPEER")
            try set(CURLOPT_SSL_VERIFYHOST, 0, "SSL_VERIFYHOST")
        } else {
            try set(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
            try set(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        }
    }

    /// One transfer; the caller holds `lock`.
    private func perform(_ request: PeerRequest) throws(PeerClientError) -> PeerResponse {
        state.reset()
        try setString(CURLOPT_URL, endpoint.baseURL + request.path, "URL")

        var lines = request.headers.map { "\($0.name): \($0.value)" }
        lines.append("Accept:")
        lines.append("Expect:")
        switch request.method {
        case .get:
            try set(CURLOPT_HTTPGET, 1, "HTTPGET")
        case .post:
            let body = request.body ?? []
            lines.append("Content-Type: application/json")
            try set(CURLOPT_POST, 1, "POST")
            try check(ccurl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
            // COPYPOSTFIELDS copies POSTFIELDSIZE bytes now, so the Swift array need not outlive this call.
            // An empty array may have no base address; libcurl then reads 0 bytes from any valid pointer.
            let copied = body.withUnsafeBytes { bytes in
                let source = bytes.baseAddress ?? UnsafeRawPointer(state.errorBuffer)
                return ccurl_setopt_ptr(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: source))
            }
            try check(copied, "COPYPOSTFIELDS")
        }
        var headerList: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let extended = curl_slist_append(headerList, line) else {
                curl_slist_free_all(headerList)
                throw PeerClientError(.transport, endpoint: endpoint, "the request could not be prepared (out of memory)")
            }
            headerList = extended
        }
        defer {
            _ = ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, nil)
            curl_slist_free_all(headerList)
        }
        try check(ccurl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "HTTPHEADER")

        let result = curl_easy_perform(handle)
        counted.requestBytes += state.sentBytes
        counted.responseBodyBytes += state.body.count
        guard result == CURLE_OK else {
            throw CurlErrorMapping.error(for: result, endpoint: endpoint, limits: limits,
                                         capExceeded: state.capExceeded, libcurlText: state.libcurlMessage)
        }
        counted.roundTrips += 1
        var status = 0
        _ = ccurl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        var headers: [String: String] = [:]
        for (name, value) in state.headerFields {
            headers[name] = headers[name].map { "\($0), \(value)" } ?? value
        }
        let retryAfter = headers["retry-after"].flatMap { RetryAfter.seconds(from: $0, now: now()) }
        let body = state.body
        state.body = []
        return PeerResponse(status: status, headers: headers, body: body, retryAfterSeconds: retryAfter)
    }

    /// `curl_easy_setopt` with a `long` argument (`ccurl_setopt_long`).
    private func set(_ option: CURLoption, _ value: Int, _ name: String) throws(PeerClientError) {
        try check(ccurl_setopt_long(handle, option, value), name)
    }

    /// `curl_easy_setopt` with a string argument (`ccurl_setopt_string`); libcurl copies the string.
    private func setString(_ option: CURLoption, _ value: String, _ name: String) throws(PeerClientError) {
        try check(ccurl_setopt_string(handle, option, value), name)
    }

    /// Turns a failed `curl_easy_setopt` into an error naming the option, e.g. on a libcurl built without HTTPS.
    private func check(_ result: CURLcode, _ option: String) throws(PeerClientError) {
        guard result == CURLE_OK else {
            throw PeerClientError(.transport, endpoint: endpoint,
                                  "the HTTP client library on this machine does not support a required setting (\(option)); install libcurl 7.85 or newer with OpenSSL",
                                  detail: "curl_easy_setopt(CURLOPT_\(option)) returned \(result.rawValue): \(String(cString: curl_easy_strerror(result)))")
        }
    }
}
