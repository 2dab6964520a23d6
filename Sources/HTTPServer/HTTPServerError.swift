import Glibc

/// Why the server could not start, with a stable code and a sentence an operator can act on.
public struct HTTPServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Stable machine-readable code, e.g. `address_in_use`.
    public let code: String
    /// One sentence saying what went wrong and what to do; never contains key material.
    public let message: String

    /// An error with the given code and message.
    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func plainHTTPOnPublicAddress(_ host: String) -> HTTPServerError {
        HTTPServerError(
            code: "plain_http_refused",
            message: "Plain HTTP is only allowed on loopback addresses; configure TLS to listen on \(host).")
    }

    static func unresolvableHost(_ host: String) -> HTTPServerError {
        HTTPServerError(code: "invalid_listen_address", message: "The listen address \(host) could not be resolved; use an IP address such as 127.0.0.1.")
    }

    static func bindFailed(_ host: String, _ port: UInt16, errno code: Int32) -> HTTPServerError {
        let reason = String(cString: strerror(code))
        return HTTPServerError(
            code: code == EADDRINUSE ? "address_in_use" : "bind_failed",
            message: "Could not listen on \(host) port \(port) (\(reason)); choose another port or stop the other server.")
    }

    static func socketFailed(_ what: String, errno code: Int32) -> HTTPServerError {
        HTTPServerError(code: "socket_failed", message: "The operating system refused to \(what) (\(String(cString: strerror(code)))).")
    }

    static func tls(_ what: String, path: String? = nil) -> HTTPServerError {
        let location = path.map { " (\($0))" } ?? ""
        return HTTPServerError(code: "tls_configuration_invalid", message: "TLS setup failed: \(what)\(location); check the certificate and key files.")
    }

    static let alreadyStarted = HTTPServerError(code: "already_started", message: "This server was already started; create a new one to listen again.")

    static func invalidConfiguration(_ what: String) -> HTTPServerError {
        HTTPServerError(code: "invalid_configuration", message: "The server configuration is invalid: \(what).")
    }
}
