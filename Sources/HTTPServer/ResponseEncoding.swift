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
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
        for field in headers where !HTTPResponse.serverOwnedFields.contains(where: field.hasName) {
            head += "\(field.name): \(field.value)\r\n"
        }
        let bodyless = status.code < 200 || status.code == 204
        if let date { head += "Date: \(date)\r\n" }
        if !bodyless { head += "Content-Length: \(body.count)\r\n" }
        if !keepAlive {
            head += "Connection: close\r\n"
        } else if requestVersion == .http10 {
            head += "Connection: keep-alive\r\n"
        }
        head += "\r\n"
        var bytes: [UInt8] = []
        bytes.reserveCapacity(head.utf8.count + (omitBody ? 0 : body.count))
        bytes.append(contentsOf: head.utf8)
        if !omitBody && !bodyless { bytes.append(contentsOf: body) }
        return bytes
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
