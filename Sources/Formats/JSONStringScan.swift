/// Finds where the plain run of a JSON string ends, eight bytes at a time: the first byte that
/// is a quote, a backslash, a control character (< 0x20) or not ASCII (≥ 0x80). `JSONReader`
/// calls it to skip the long unescaped runs (base64 payloads) that make up most of a push
/// body, and then looks at the stopping byte itself.
enum JSONStringScan {
    /// The index of the first byte at or after `start` that is `"`, `\`, below 0x20 or at least
    /// 0x80; `bytes.count` if there is none.
    static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        let count = bytes.count
        // Most strings (names, codes, numbers) are short: byte by byte first, words after.
        let shortEnd = min(count, start + 16)
        while i < shortEnd {
            let b = bytes[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return i }
            i += 1
        }
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            while i + 8 <= count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // A zero byte in w ^ c marks a byte equal to c; (w - n·ones) & ~w & highs is
                // non-zero exactly when some byte is below n (n ≤ 128); the high bit marks ≥ 0x80.
                let quote = word ^ (ones &* 0x22), backslash = word ^ (ones &* 0x5C)
                let special = ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash)
                    | ((word &- ones &* 0x20) & ~word) | word
                if special & highs != 0 { break }
                i += 8
            }
        }
        while i < count {
            let b = bytes[i]
            if b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 { return i }
            i += 1
        }
        return count
    }
}
