/// Lowercase hexadecimal text for byte strings: origin ids, kids, payload hashes in logs.
extension Collection where Element == UInt8 {
    /// The bytes as lowercase hex, two characters per byte (`[0xab, 0x01]` → `"ab01"`).
    public var hexString: String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: count * 2) { buffer in
            digits.withUTF8Buffer { table in
                var i = 0
                for byte in self {
                    buffer[i] = table[Int(byte >> 4)]
                    buffer[i + 1] = table[Int(byte & 0x0f)]
                    i += 2
                }
                return i
            }
        }
    }
}

extension Array where Element == UInt8 {
    /// Parses hex text of either case (`"AB01"` or `"ab01"`); nil for an odd length or any
    /// character that is not a hex digit.
    public init?(hexString text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var high: UInt8? = nil
        for char in utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        self = bytes
    }
}
