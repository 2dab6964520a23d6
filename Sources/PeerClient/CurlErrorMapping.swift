import CCurl

/// The mapping from a failed `curl_easy_perform` to a `PeerClientError` code and clerk-readable cause.
enum CurlErrorMapping {
    /// libcurl's TLS-related result codes (handshake, certificates, engines), all reported as `tls`.
    static let tlsCodes: Set<UInt32> = [
        CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
        CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_ENGINE_NOTFOUND,
        CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED, CURLE_SSL_SHUTDOWN_FAILED, CURLE_SSL_CRL_BADFILE,
        CURLE_USE_SSL_FAILED, CURLE_SSL_CLIENTCERT,
    ].reduce(into: Set<UInt32>()) { $0.insert($1.rawValue) }

    /// Builds the error for a failed transfer.
    ///
    /// - Parameters:
    ///   - result: what `curl_easy_perform` returned.
    ///   - capExceeded: the write or header callback stopped the transfer because of a size cap.
    ///   - libcurlText: the `CURLOPT_ERRORBUFFER` text, kept as `detail`.
    static func error(for result: CURLcode, endpoint: PeerEndpoint, limits: ClientLimits,
                      capExceeded: Bool, libcurlText: String) -> PeerClientError {
        let generic = String(cString: curl_easy_strerror(result))
        let detail = "libcurl \(result.rawValue): " + (libcurlText.isEmpty ? generic : libcurlText)
        func make(_ code: PeerClientError.Code, _ cause: String) -> PeerClientError {
            PeerClientError(code, endpoint: endpoint, cause, detail: detail)
        }
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return make(.dns, "the host name could not be resolved (DNS); check the URL and this machine's name server")
        case CURLE_COULDNT_CONNECT:
            return make(.refused, "nothing accepted the connection (refused or unreachable); check that the peer's node is running and its port is reachable")
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
            return make(.pinMismatch, "TLS public key does not match the pinned key (pin mismatch)")
        case CURLE_PEER_FAILED_VERIFICATION where endpoint.tlsPin == nil:
            return make(.tls, "its TLS certificate is not trusted by this machine's certificate authorities; add the tlsPin from the peer's descriptor")
        case _ where tlsCodes.contains(result.rawValue):
            return make(.tls, "the TLS handshake failed; check that the URL points to the peer's HTTPS port")
        case CURLE_OPERATION_TIMEDOUT:
            return make(.timeout, "did not answer in time (timeout); the peer may be down, overloaded or unreachable")
        case CURLE_FILESIZE_EXCEEDED:
            return make(.responseTooLarge, "sent a response larger than the limit of \(limits.maxResponseBodyBytes) bytes (response too large)")
        case CURLE_WRITE_ERROR where capExceeded:
            return make(.responseTooLarge, "sent a response larger than the limit of \(limits.maxResponseBodyBytes) bytes of body or \(limits.maxResponseHeaderBytes) bytes of headers (response too large)")
        case CURLE_UNSUPPORTED_PROTOCOL:
            return make(.transport, "redirected to an address that is not https://, which citybench refuses to follow")
        case CURLE_TOO_MANY_REDIRECTS:
            return make(.transport, "redirected more than \(limits.maxRedirects) times; check the peer's URL")
        default:
            return make(.transport, "the connection failed (\(generic))")
        }
    }
}
