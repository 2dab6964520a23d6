/// A strict, fast JSON reader for untrusted input (RFC 8259 with the refusals design §2 asks
/// for): duplicate object keys, invalid UTF-8, lone surrogates, control characters in strings,
/// nesting beyond a limit, numbers that overflow a double (`1e400`) or carry more digits than
/// any honest value needs, and trailing bytes are all rejected with the byte offset.
public struct JSONReader {
    /// Limits for one document; the defaults suit the peer protocol.
    public struct Limits: Sendable {
        /// Deepest nesting of arrays and objects accepted (`[[[…]]]`).
        public var maxDepth: Int = 64
        /// Longest number literal, in characters (the longest honest value is a 2^53 integer
        /// or a 38-digit decimal).
        public var maxNumberLength: Int = 64
        /// Most members one object or elements one array may have.
        public var maxContainerCount: Int = 1_000_000

        public init(maxDepth: Int = 64, maxNumberLength: Int = 64, maxContainerCount: Int = 1_000_000) {
            self.maxDepth = maxDepth
            self.maxNumberLength = maxNumberLength
            self.maxContainerCount = maxContainerCount
        }
    }

    /// Parses one complete JSON document.
    public static func parse(_ bytes: [UInt8], limits: Limits = Limits()) throws(JSONError) -> JSONValue {
        try bytes.withUnsafeBufferPointer { (buffer) throws(JSONError) -> JSONValue in
            var reader = JSONReader(buffer: buffer, limits: limits)
            reader.skipWhitespace()
            let value = try reader.parseValue(depth: 0)
            reader.skipWhitespace()
            guard reader.pos == buffer.count else { throw reader.error(.trailingData, "unexpected data after the JSON value") }
            return value
        }
    }

    /// Parses a document given as a Swift string.
    public static func parse(_ text: String, limits: Limits = Limits()) throws(JSONError) -> JSONValue {
        try parse(Array(text.utf8), limits: limits)
    }

    private let buffer: UnsafeBufferPointer<UInt8>
    private let limits: Limits
    private var pos = 0

    private init(buffer: UnsafeBufferPointer<UInt8>, limits: Limits) {
        self.buffer = buffer
        self.limits = limits
    }

    private func error(_ code: JSONError.Code, _ message: String) -> JSONError {
        JSONError(code: code, offset: pos, message: message)
    }

    private mutating func skipWhitespace() {
        while pos < buffer.count {
            switch buffer[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    private mutating func parseValue(depth: Int) throws(JSONError) -> JSONValue {
        guard pos < buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
        switch buffer[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw error(.unexpectedCharacter, "unexpected character in JSON")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let n = literal.utf8CodeUnitCount
        guard pos + n <= buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
        let p = literal.utf8Start
        for i in 0..<n where buffer[pos + i] != p[i] {
            throw error(.unexpectedCharacter, "unexpected character in JSON")
        }
        pos += n
    }

    private mutating func parseObject(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw error(.tooDeep, "JSON nesting deeper than \(limits.maxDepth) levels") }
        pos += 1
        var object = JSONObject()
        // Duplicate keys: a linear scan while objects are small (the common case: no hashing,
        // no allocation), a set once they grow.
        var seen: Set<String>? = nil
        skipWhitespace()
        if pos < buffer.count && buffer[pos] == UInt8(ascii: "}") { pos += 1; return .object(object) }
        while true {
            skipWhitespace()
            guard pos < buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
            guard buffer[pos] == UInt8(ascii: "\"") else { throw error(.unexpectedCharacter, "expected a member name in quotes") }
            let keyOffset = pos
            let key = try parseString()
            let duplicate: Bool
            if seen != nil {
                duplicate = !seen!.insert(key).inserted
            } else if object.count < 16 {
                duplicate = object.keys.contains(key)
            } else {
                seen = Set(object.keys)
                duplicate = !seen!.insert(key).inserted
            }
            guard !duplicate else {
                throw JSONError(code: .duplicateKey, offset: keyOffset, message: "duplicate key \"\(key.prefix(40))\" in a JSON object")
            }
            skipWhitespace()
            guard pos < buffer.count, buffer[pos] == UInt8(ascii: ":") else { throw error(.unexpectedCharacter, "expected ':' after a member name") }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            object.appendUnchecked(key, value)
            guard object.count <= limits.maxContainerCount else { throw error(.tooLarge, "JSON object with more than \(limits.maxContainerCount) members") }
            skipWhitespace()
            guard pos < buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
            if buffer[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buffer[pos] == UInt8(ascii: "}") { pos += 1; return .object(object) }
            throw error(.unexpectedCharacter, "expected ',' or '}' in a JSON object")
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONError) -> JSONValue {
        guard depth <= limits.maxDepth else { throw error(.tooDeep, "JSON nesting deeper than \(limits.maxDepth) levels") }
        pos += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if pos < buffer.count && buffer[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try parseValue(depth: depth))
            guard items.count <= limits.maxContainerCount else { throw error(.tooLarge, "JSON array with more than \(limits.maxContainerCount) elements") }
            skipWhitespace()
            guard pos < buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
            if buffer[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buffer[pos] == UInt8(ascii: "]") { pos += 1; return .array(items) }
            throw error(.unexpectedCharacter, "expected ',' or ']' in a JSON array")
        }
    }

    private mutating func parseNumber() throws(JSONError) -> JSONNumber {
        let start = pos
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        if buffer[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < buffer.count, isDigit(buffer[pos]) else { throw error(.invalidNumber, "malformed JSON number") }
        if buffer[pos] == 48 {
            pos += 1
            if pos < buffer.count && isDigit(buffer[pos]) { throw error(.invalidNumber, "JSON numbers may not have leading zeros") }
        } else {
            while pos < buffer.count && isDigit(buffer[pos]) { pos += 1 }
        }
        if pos < buffer.count && buffer[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < buffer.count, isDigit(buffer[pos]) else { throw error(.invalidNumber, "malformed JSON number") }
            while pos < buffer.count && isDigit(buffer[pos]) { pos += 1 }
        }
        if pos < buffer.count && (buffer[pos] == UInt8(ascii: "e") || buffer[pos] == UInt8(ascii: "E")) {
            pos += 1
            if pos < buffer.count && (buffer[pos] == UInt8(ascii: "+") || buffer[pos] == UInt8(ascii: "-")) { pos += 1 }
            guard pos < buffer.count, isDigit(buffer[pos]) else { throw error(.invalidNumber, "malformed JSON number") }
            while pos < buffer.count && isDigit(buffer[pos]) { pos += 1 }
        }
        guard pos - start <= limits.maxNumberLength else {
            throw JSONError(code: .invalidNumber, offset: start, message: "JSON number longer than \(limits.maxNumberLength) characters")
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<pos]), as: UTF8.self)
        guard let d = Double(text), d.isFinite else {
            throw JSONError(code: .invalidNumber, offset: start, message: "JSON number out of range")
        }
        return JSONNumber(validatedText: text)
    }

    private mutating func parseString() throws(JSONError) -> String {
        pos += 1 // opening quote
        let start = pos
        var asciiOnly = true
        // Fast path: no escapes.
        while pos < buffer.count {
            pos = JSONStringScan.plainRunEnd(buffer, from: pos)
            guard pos < buffer.count else { break }
            let b = buffer[pos]
            if b == UInt8(ascii: "\"") {
                let slice = UnsafeBufferPointer(rebasing: buffer[start..<pos])
                pos += 1
                // ASCII needs no validation (the common case for keys, codes and numbers).
                if asciiOnly { return String(decoding: slice, as: UTF8.self) }
                guard let s = String(validating: slice, as: UTF8.self) else {
                    throw JSONError(code: .invalidUTF8, offset: start, message: "JSON string is not valid UTF-8")
                }
                return s
            }
            if b == 92 { break }
            if b < 0x20 { throw error(.controlCharacter, "unescaped control character in a JSON string") }
            if b >= 0x80 { asciiOnly = false }
            pos += 1
        }
        // Slow path with escapes.
        var bytes = Array(UnsafeBufferPointer(rebasing: buffer[start..<pos]))
        while pos < buffer.count {
            let b = buffer[pos]
            if b == UInt8(ascii: "\"") {
                pos += 1
                guard let s = String(validating: bytes, as: UTF8.self) else {
                    throw JSONError(code: .invalidUTF8, offset: start, message: "JSON string is not valid UTF-8")
                }
                return s
            }
            if b < 0x20 { throw error(.controlCharacter, "unescaped control character in a JSON string") }
            if b != 92 { bytes.append(b); pos += 1; continue }
            pos += 1
            guard pos < buffer.count else { break }
            let e = buffer[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(34)
            case 92: bytes.append(92)
            case UInt8(ascii: "/"): bytes.append(47)
            case UInt8(ascii: "b"): bytes.append(8)
            case UInt8(ascii: "f"): bytes.append(12)
            case UInt8(ascii: "n"): bytes.append(10)
            case UInt8(ascii: "r"): bytes.append(13)
            case UInt8(ascii: "t"): bytes.append(9)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    guard pos + 1 < buffer.count, buffer[pos] == 92, buffer[pos + 1] == UInt8(ascii: "u") else {
                        throw error(.invalidEscape, "lone surrogate in a JSON string")
                    }
                    pos += 2
                    let low = try parseHex4()
                    guard low >= 0xDC00 && low <= 0xDFFF else { throw error(.invalidEscape, "lone surrogate in a JSON string") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    throw error(.invalidEscape, "lone surrogate in a JSON string")
                }
                guard let u = Unicode.Scalar(scalar) else { throw error(.invalidEscape, "invalid \\u escape") }
                bytes.append(contentsOf: UTF8.encode(u)!)
            default:
                throw error(.invalidEscape, "invalid escape in a JSON string")
            }
        }
        throw error(.unexpectedEnd, "unterminated JSON string")
    }

    private mutating func parseHex4() throws(JSONError) -> UInt32 {
        guard pos + 4 <= buffer.count else { throw error(.unexpectedEnd, "the JSON text ends early") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = buffer[pos]
            let d: UInt32
            switch b {
            case 48...57: d = UInt32(b - 48)
            case 65...70: d = UInt32(b - 55)
            case 97...102: d = UInt32(b - 87)
            default: throw error(.invalidEscape, "invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }
}

/// Why a JSON document was refused; `code` is stable.
public struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case unexpectedEnd = "unexpected_end"
        case unexpectedCharacter = "unexpected_character"
        case trailingData = "trailing_data"
        case duplicateKey = "duplicate_key"
        case invalidUTF8 = "invalid_utf8"
        case invalidEscape = "invalid_escape"
        case controlCharacter = "control_character"
        case invalidNumber = "invalid_number"
        case tooDeep = "too_deep"
        case tooLarge = "too_large"
    }

    public let code: Code
    /// Byte offset into the document where the problem was found.
    public let offset: Int
    public let message: String

    public var description: String { "\(message) (at byte \(offset))" }
}
