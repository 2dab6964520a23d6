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

    /// Four tables that map a character at each position of a quartet straight to its bits in
    /// the three output bytes (little-endian in a `UInt32`), so a quartet decodes with four
    /// lookups and three ORs; a character outside the alphabet sets bit 24 instead.
    private static let quartetTables: [[UInt32]] = {
        var tables = [[UInt32]](repeating: [UInt32](repeating: 1 << 24, count: 256), count: 4)
        for (i, c) in alphabet.enumerated() {
            let v = UInt32(i)
            tables[0][Int(c)] = v << 2
            tables[1][Int(c)] = v >> 4 | (v & 0xF) << 12
            tables[2][Int(c)] = (v >> 2) << 8 | (v & 3) << 22
            tables[3][Int(c)] = v << 16
        }
        return tables
    }()

    /// `decode(_:)` over the text's UTF-8 bytes: four characters make three bytes, with no
    /// allocation but the output.
    public static func decode(bytes chars: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let count = chars.count
        if count % 4 == 1 { return nil }
        let outputCount = count / 4 * 3 + max(0, count % 4 - 1)
        let tables = quartetTables
        return tables[0].withUnsafeBufferPointer { t0 in tables[1].withUnsafeBufferPointer { t1 in
            tables[2].withUnsafeBufferPointer { t2 in tables[3].withUnsafeBufferPointer { t3 in
                decodeTable.withUnsafeBufferPointer { table -> [UInt8]? in
                    var valid = true
                    // One spare byte: each quartet stores four bytes, the last of which the next
                    // quartet (or the spare) overwrites.
                    let out = [UInt8](unsafeUninitializedCapacity: outputCount + 1) { out, initialized in
                        let raw = UnsafeMutableRawPointer(out.baseAddress!)
                        var i = 0, o = 0
                        var bad: UInt32 = 0
                        while i + 4 <= count {
                            let x = t0[Int(chars[i])] | t1[Int(chars[i + 1])] | t2[Int(chars[i + 2])] | t3[Int(chars[i + 3])]
                            bad |= x
                            raw.storeBytes(of: x.littleEndian, toByteOffset: o, as: UInt32.self)
                            i += 4
                            o += 3
                        }
                        if bad & (1 << 24) != 0 { valid = false; return }
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
            } }
        } }
    }
}
