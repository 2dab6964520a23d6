/// Base64url without padding (RFC 4648 §5), the encoding of every binary field on the wire
/// (design §4). Decoding is strict: no padding, no whitespace, no non-zero trailing bits, so each
/// byte string has exactly one text.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let decodeTable: [Int8] = {
        var t = [Int8](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { t[Int(c)] = Int8(i) }
        return t
    }()

    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        if let text = bytes.withContiguousStorageIfAvailable({ encode(bytes: $0) }) { return text }
        return Array(bytes).withUnsafeBufferPointer { encode(bytes: $0) }
    }

    /// `encode(_:)` over contiguous bytes: three bytes make four characters, written straight
    /// into the string's storage.
    public static func encode(bytes: UnsafeBufferPointer<UInt8>) -> String {
        let count = bytes.count
        let full = count / 3, rest = count % 3
        let length = full * 4 + (rest == 0 ? 0 : rest + 1)
        if length == 0 { return "" }
        return alphabet.withUnsafeBufferPointer { alphabet in
            String(unsafeUninitializedCapacity: length) { out in
                var i = 0, o = 0
                while i + 3 <= count {
                    let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
                    out[o] = alphabet[Int(v >> 18)]
                    out[o + 1] = alphabet[Int(v >> 12 & 63)]
                    out[o + 2] = alphabet[Int(v >> 6 & 63)]
                    out[o + 3] = alphabet[Int(v & 63)]
                    i += 3
                    o += 4
                }
                if rest > 0 {
                    let a = bytes[i], b: UInt8 = rest == 2 ? bytes[i + 1] : 0
                    out[o] = alphabet[Int(a >> 2)]
                    out[o + 1] = alphabet[Int((a & 3) << 4 | b >> 4)]
                    if rest == 2 { out[o + 2] = alphabet[Int((b & 15) << 2)] }
                }
                return length
            }
        }
    }

    /// Decodes strictly; nil for any character outside the alphabet, padding, a length of
    /// 1 mod 4, or non-zero unused bits.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        if let decoded = text.utf8.withContiguousStorageIfAvailable({ decode(bytes: $0) }) { return decoded }
        return Array(text.utf8).withUnsafeBufferPointer { decode(bytes: $0) }
    }

    /// `decode(_:)` over the text's UTF-8 bytes: four characters make three bytes, with no
    /// allocation but the output.
    public static func decode(bytes chars: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = chars.count
        if count % 4 == 1 { return nil }
        let outputCount = count / 4 * 3 + max(0, count % 4 - 1)
        return decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
            var valid = true
            let out = [UInt8](unsafeUninitializedCapacity: outputCount) { out, initialized in
                var i = 0, o = 0
                while i + 4 <= count {
                    let a = table[Int(chars[i])], b = table[Int(chars[i + 1])]
                    let c = table[Int(chars[i + 2])], d = table[Int(chars[i + 3])]
                    if (a | b | c | d) < 0 { valid = false; return }
                    let v = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                    out[o] = UInt8(truncatingIfNeeded: v >> 16)
                    out[o + 1] = UInt8(truncatingIfNeeded: v >> 8)
                    out[o + 2] = UInt8(truncatingIfNeeded: v)
                    i += 4
                    o += 3
                }
                let rest = count - i
                if rest >= 2 {
                    let a = table[Int(chars[i])], b = table[Int(chars[i + 1])]
                    let c: Int8 = rest == 3 ? table[Int(chars[i + 2])] : 0
                    if (a | b | c) < 0 { valid = false; return }
                    out[o] = UInt8(a) << 2 | UInt8(b) >> 4
                    if rest == 3 {
                        out[o + 1] = UInt8(b) << 4 | UInt8(c) >> 2
                        // Unused low bits must be zero so each byte string has exactly one text.
                        if c & 3 != 0 { valid = false; return }
                    } else if b & 15 != 0 {
                        valid = false
                        return
                    }
                    o += rest - 1
                }
                initialized = o
            }
            return valid ? out : nil
        }
    }
}
