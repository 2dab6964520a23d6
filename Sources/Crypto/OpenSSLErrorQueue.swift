import COpenSSL

/// OpenSSL's per-thread error queue. Every failing call in this module drains it, so a stale
/// entry never confuses a later `SSL_get_error` on the same thread (HTTPServer shares threads).
enum OpenSSLErrorQueue {
    /// Returns the reason string of the oldest queued error (`ERR_get_error`,
    /// `ERR_reason_error_string`) and clears the rest (`ERR_clear_error`). Reason strings are
    /// fixed texts such as "unsupported" and never contain key material.
    static func drain() -> String {
        let first = ERR_get_error()
        ERR_clear_error()
        guard first != 0, let reason = ERR_reason_error_string(first) else { return "no detail" }
        return String(cString: reason)
    }

    /// Clears the queue (`ERR_clear_error`) after an expected failure, such as a signature that
    /// does not verify.
    static func clear() {
        ERR_clear_error()
    }
}
