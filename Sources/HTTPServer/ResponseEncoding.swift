private let crlf: [UInt8] = [0x0D, 0x0A]

extension HTTPResponse {
    /// The response as bytes on the wire: status line, the handler's headers (minus the framing
    /// fields the server owns), `Content-Length`, `Connection` where needed, blank line, body.
    /// A header name or value with bytes that could split the response (CR, LF, NUL) makes the
    /// whole response a 500, so a handler bug cannot become response splitting.
    /// 1xx and 204 responses carry neither `Content-Length` nor a body (RFC 9110 §8.6).
    func encoded(keepAlive: Bool, requestVersion: HTTPVersion, omitBody: Bool, date: String? = nil) -> [UInt8] {
        guard headers.allSatisfy({ HTTPResponse.isSafeName($0.name) && HTTPResponse.isSafeValue($0.value) }),
            HTTPResponse.isSafeValue(status.reasonPhrase)
        else {
            return HTTPResponse.internalError.encoded(keepAlive: false, requestVersion: requestVersion, omitBody: omitBody, date: date)
        }
        // Built straight into one byte array (no intermediate Strings): this runs once per request.
        let bodyless = status.code < 200 || status.code == 204
        var bytes: [UInt8] = []
        bytes.reserveCapacity(128 + (omitBody || bodyless ? 0 : body.count))
        bytes.append(contentsOf: "HTTP/1.1 ".utf8)
        HTTPResponse.appendDecimal(status.code, to: &bytes)
        bytes.append(0x20)
        bytes.append(contentsOf: status.reasonPhrase.utf8)
        bytes.append(contentsOf: crlf)
        for field in headers where !HTTPResponse.serverOwnedFields.contains(where: field.hasName) {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: crlf)
        }
        if let date {
            bytes.append(contentsOf: "Date: ".utf8)
            bytes.append(contentsOf: date.utf8)
            bytes.append(contentsOf: crlf)
        }
        if !bodyless {
            bytes.append(contentsOf: "Content-Length: ".utf8)
            HTTPResponse.appendDecimal(body.count, to: &bytes)
            bytes.append(contentsOf: crlf)
        }
        if !keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if requestVersion == .http10 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: crlf)
        if !omitBody && !bodyless { bytes.append(contentsOf: body) }
        return bytes
    }

    /// Appends a non-negative integer in decimal.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value >= 10 { appendDecimal(value / 10, to: &bytes) }
        bytes.append(UInt8(truncatingIfNeeded: 0x30 + value % 10))
    }

    /// Fields the server sets itself; a handler's values for them are dropped.
    private static let serverOwnedFields = ["Content-Length", "Connection", "Transfer-Encoding", "Date"]

    /// A non-empty name of visible ASCII without a colon.
    private static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A }
    }

    /// HTAB, visible ASCII, space and non-ASCII bytes; no control bytes, CR or LF.
    private static func isSafeValue(_ value: String) -> Bool {
        value.utf8.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }
    }
}
