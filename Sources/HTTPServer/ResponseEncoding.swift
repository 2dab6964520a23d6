/// Constant pieces of every response, as bytes once, so encoding copies memory instead of walking
/// string views (measured: the walks were the largest user-space cost per request).
private enum Wire {
    static let crlf: [UInt8] = [0x0D, 0x0A]
    static let statusPrefix = Array("HTTP/1.1 ".utf8)
    static let fieldSeparator = Array(": ".utf8)
    static let datePrefix = Array("Date: ".utf8)
    static let contentLengthPrefix = Array("Content-Length: ".utf8)
    static let connectionClose = Array("Connection: close\r\n".utf8)
    static let connectionKeepAlive = Array("Connection: keep-alive\r\n".utf8)
}

extension HTTPResponse {
    /// The response as bytes on the wire: status line, the handler's headers (minus the framing
    /// fields the server owns), `Content-Length`, `Connection` where needed, blank line, body.
    /// A header name or value with bytes that could split the response (CR, LF, NUL) makes the
    /// whole response a 500, so a handler bug cannot become response splitting.
    /// 1xx and 204 responses carry neither `Content-Length` nor a body (RFC 9110 §8.6).
    func encoded(keepAlive: Bool, requestVersion: HTTPVersion, omitBody: Bool, date: String? = nil) -> [UInt8] {
        guard HTTPResponse.isSafeValue(status.reasonPhrase) else {
            return HTTPResponse.internalError.encoded(keepAlive: false, requestVersion: requestVersion, omitBody: omitBody, date: date)
        }
        // Built straight into one byte array (no intermediate Strings): this runs once per request.
        let bodyless = status.code < 200 || status.code == 204
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + (omitBody || bodyless ? 0 : body.count))
        bytes.append(contentsOf: Wire.statusPrefix)
        HTTPResponse.appendDecimal(status.code, to: &bytes)
        bytes.append(0x20)
        HTTPResponse.appendUTF8(status.reasonPhrase, to: &bytes)
        bytes.append(contentsOf: Wire.crlf)
        // Checked and written in one pass over the fields; every field is checked, even one dropped below.
        for field in headers {
            guard HTTPResponse.isSafeName(field.name) && HTTPResponse.isSafeValue(field.value) else {
                return HTTPResponse.internalError.encoded(keepAlive: false, requestVersion: requestVersion, omitBody: omitBody, date: date)
            }
            if HTTPResponse.isServerOwned(field.name) { continue }
            HTTPResponse.appendUTF8(field.name, to: &bytes)
            bytes.append(contentsOf: Wire.fieldSeparator)
            HTTPResponse.appendUTF8(field.value, to: &bytes)
            bytes.append(contentsOf: Wire.crlf)
        }
        if let date {
            bytes.append(contentsOf: Wire.datePrefix)
            HTTPResponse.appendUTF8(date, to: &bytes)
            bytes.append(contentsOf: Wire.crlf)
        }
        if !bodyless {
            bytes.append(contentsOf: Wire.contentLengthPrefix)
            HTTPResponse.appendDecimal(body.count, to: &bytes)
            bytes.append(contentsOf: Wire.crlf)
        }
        if !keepAlive {
            bytes.append(contentsOf: Wire.connectionClose)
        } else if requestVersion == .http10 {
            bytes.append(contentsOf: Wire.connectionKeepAlive)
        }
        bytes.append(contentsOf: Wire.crlf)
        if !omitBody && !bodyless { bytes.append(contentsOf: body) }
        return bytes
    }

    /// Appends the UTF-8 bytes of `text`, copying from its contiguous storage when it has one.
    static func appendUTF8(_ text: String, to bytes: inout [UInt8]) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    /// Appends a non-negative integer in decimal.
    static func appendDecimal(_ value: Int, to bytes: inout [UInt8]) {
        if value < 10 {
            bytes.append(UInt8(truncatingIfNeeded: 0x30 + max(0, value)))
            return
        }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            while rest > 0 {
                buffer[19 - count] = UInt8(truncatingIfNeeded: 0x30 + rest % 10)
                rest /= 10
                count += 1
            }
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    /// Whether `name` is one of the fields the server sets itself (compared by length first, so
    /// most names cost one integer comparison).
    private static func isServerOwned(_ name: String) -> Bool {
        switch name.utf8.count {
        case 4: return HTTPHeaders.equalIgnoringASCIICase(name, "Date")
        case 10: return HTTPHeaders.equalIgnoringASCIICase(name, "Connection")
        case 14: return HTTPHeaders.equalIgnoringASCIICase(name, "Content-Length")
        case 17: return HTTPHeaders.equalIgnoringASCIICase(name, "Transfer-Encoding")
        default: return false
        }
    }

    /// A non-empty name of visible ASCII without a colon.
    private static func isSafeName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { !$0.isEmpty && $0.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != 0x3A } }
    }

    /// HTAB, visible ASCII, space and non-ASCII bytes; no control bytes, CR or LF.
    private static func isSafeValue(_ value: String) -> Bool {
        var value = value
        return value.withUTF8 { $0.allSatisfy { $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) } }
    }
}
