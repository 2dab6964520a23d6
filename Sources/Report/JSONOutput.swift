import Formats

/// Appends compact JSON to a byte buffer directly, for outputs too large to build as a
/// `JSONValue` tree first. Strings are escaped and numbers written exactly as `JSONWriter`
/// does (doubles as their shortest round-trip text), so the bytes are the same.
struct JSONOutput {
    private(set) var bytes: [UInt8] = []
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    mutating func beginObject() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    mutating func endObject() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    mutating func beginArray() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    mutating func endArray() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// A member name; the value written next belongs to it.
    mutating func key(_ k: String) {
        separator()
        escaped(k)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func string(_ s: String?) {
        separator()
        if let s { escaped(s) } else { bytes.append(contentsOf: "null".utf8) }
        needsComma = true
    }

    mutating func int(_ i: Int) { raw(String(i)) }
    mutating func double(_ d: Double) { raw(d.isFinite ? JSONNumber(double: d).text : "null") }
    mutating func null() { raw("null") }

    /// A value already rendered as JSON.
    mutating func value(_ v: JSONValue) { raw(JSONWriter.string(v)) }

    private mutating func raw(_ s: String) {
        separator()
        var s = s
        s.withUTF8 { bytes.append(contentsOf: $0) }
        needsComma = true
    }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")); needsComma = false }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    private mutating func escaped(_ s: String) {
        bytes.append(UInt8(ascii: "\""))
        // Most names need no escaping: copy their bytes in one go.
        var s = s
        let copied = s.withUTF8 { utf8 in
            guard !utf8.contains(where: { $0 < 32 || $0 == 34 || $0 == 92 || $0 == 127 }) else { return false }
            bytes.append(contentsOf: utf8)
            return true
        }
        if copied {
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): bytes.append(92); bytes.append(b)
            case 92: bytes.append(92); bytes.append(92)
            case 10: bytes.append(92); bytes.append(UInt8(ascii: "n"))
            case 13: bytes.append(92); bytes.append(UInt8(ascii: "r"))
            case 9: bytes.append(92); bytes.append(UInt8(ascii: "t"))
            case 0..<32, 127:
                bytes.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, JSONOutput.hexDigits[Int(b >> 4)], JSONOutput.hexDigits[Int(b & 15)]])
            default: bytes.append(b)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
