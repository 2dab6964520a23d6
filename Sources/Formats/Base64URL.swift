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
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var it = bytes.makeIterator()
        while let a = it.next() {
            let b = it.next()
            let c = it.next()
            out.append(alphabet[Int(a >> 2)])
            out.append(alphabet[Int((a & 3) << 4 | (b ?? 0) >> 4)])
            if let b {
                out.append(alphabet[Int((b & 15) << 2 | (c ?? 0) >> 6)])
                if let c { out.append(alphabet[Int(c & 63)]) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes strictly; nil for any character outside the alphabet, padding, a length of
    /// 1 mod 4, or non-zero unused bits.
    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        let chars = Array(text.utf8)
        if chars.count % 4 == 1 { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count * 3 / 4)
        var i = 0
        while i < chars.count {
            let n = min(4, chars.count - i)
            var v: [UInt8] = [0, 0, 0, 0]
            for j in 0..<n {
                let d = decodeTable[Int(chars[i + j])]
                if d < 0 { return nil }
                v[j] = UInt8(d)
            }
            out.append(v[0] << 2 | v[1] >> 4)
            if n >= 3 { out.append(v[1] << 4 | v[2] >> 2) } else if v[1] & 15 != 0 { return nil }
            if n == 4 { out.append(v[2] << 6 | v[3]) } else if n == 3, v[2] & 3 != 0 { return nil }
            i += 4
        }
        return out
    }
}
