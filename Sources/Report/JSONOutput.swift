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
        plainString(s)
        needsComma = true
    }

    mutating func int(_ i: Int) {
        separator()
        plainInt(i)
        needsComma = true
    }

    /// A double as `JSONNumber(double:)` writes it (Swift's shortest round-trip text, `null`
    /// when not finite).
    mutating func double(_ d: Double) {
        separator()
        plainDouble(d)
        needsComma = true
    }

    // The `plain…` writers and `literal` add no comma and leave the comma state alone: for
    // hot loops that spell out their punctuation (e.g. `,{"city":`).

    /// Text written as is: punctuation and member names that need no escaping.
    mutating func literal(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string value, escaped, or `null`.
    mutating func plainString(_ s: String?) {
        if let s { escaped(s) } else { literal("null") }
    }

    mutating func plainInt(_ i: Int) {
        if i < 0 {
            bytes.append(UInt8(ascii: "-"))
            digits(i.magnitude)
        } else {
            digits(UInt(i))
        }
    }

    /// Short decimals are written directly; the rest go through `description`.
    mutating func plainDouble(_ d: Double) {
        guard d.isFinite else { return literal("null") }
        if !shortDecimal(d) {
            var text = d.description
            text.withUTF8 { bytes.append(contentsOf: $0) }
        }
    }

    mutating func null() { raw("null") }

    /// Already rendered members or elements (`JSONOutput.bytes` of a writer that wrote only
    /// those), joined to what came before with a comma.
    mutating func fragment(_ rendered: [UInt8]) {
        guard !rendered.isEmpty else { return }
        separator()
        bytes.append(contentsOf: rendered)
        needsComma = true
    }

    /// Magnitudes `shortDecimal` handles: below 2^33 a double's spacing is under 10^-6, so at
    /// most one decimal with up to six decimals lies within its rounding interval.
    static let shortDecimalRange = 0.001..<8_589_934_592.0

    /// Writes `d` if it is exactly the nearest double to a decimal with at most six decimals
    /// and in `shortDecimalRange`: then that decimal with its trailing zeros dropped is the
    /// shortest text that round-trips, which is what Swift's `description` prints (`12.5`,
    /// `100.0`). Zero is `0.0` or `-0.0`. False (nothing written) otherwise.
    ///
    /// Why stripping zeros finds the shortest: a shorter decimal that round-trips is also a
    /// six-decimal one, and only one six-decimal value lies within the rounding interval.
    /// If `d·10^6` rounds to the wrong integer (possible only near 2^33), the check fails and
    /// the caller falls back to `description`.
    private mutating func shortDecimal(_ d: Double) -> Bool {
        let magnitude = d.magnitude
        if magnitude == 0 {
            if d.sign == .minus { bytes.append(UInt8(ascii: "-")) }
            bytes.append(UInt8(ascii: "0"))
            bytes.append(UInt8(ascii: "."))
            bytes.append(UInt8(ascii: "0"))
            return true
        }
        guard JSONOutput.shortDecimalRange.contains(magnitude) else { return false }
        let scaled = (magnitude * 1e6).rounded()
        guard scaled / 1e6 == magnitude else { return false }
        var fraction = UInt(scaled)
        let whole = fraction / 1_000_000
        fraction %= 1_000_000
        if d.sign == .minus { bytes.append(UInt8(ascii: "-")) }
        digits(whole)
        bytes.append(UInt8(ascii: "."))
        if fraction == 0 {
            bytes.append(UInt8(ascii: "0"))
            return true
        }
        var decimals = 6
        while fraction % 10 == 0 {
            fraction /= 10
            decimals -= 1
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 6) { buffer in
            for i in stride(from: decimals - 1, through: 0, by: -1) {
                buffer[i] = UInt8(ascii: "0") &+ UInt8(fraction % 10)
                fraction /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[0..<decimals]))
        }
        return true
    }

    /// The decimal digits of `n`, formed right to left in a small stack buffer.
    private mutating func digits(_ n: UInt) {
        if n < 10 {
            bytes.append(UInt8(ascii: "0") &+ UInt8(n))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var n = n
            var i = 20
            while n > 0 {
                i -= 1
                buffer[i] = UInt8(ascii: "0") &+ UInt8(n % 10)
                n /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[i..<20]))
        }
    }

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

    private mutating func escaped(_ s: String) {
        JSONWriter.writeString(s, into: &bytes)
    }
}
