/// The strict decimal grammar of `DecimalValue`, producing canonical text straight from input
/// text, byte for byte what `DecimalValue(text, style:)?.description` gives, without
/// Foundation's `Decimal` (whose parse and print cost about 9 µs per value). `DecimalValue`
/// parses through it; the import's hot path uses the text directly. A property test checks it
/// against `DecimalValue` on seeded random inputs.
enum DecimalText {
    /// The canonical form (`[-]digits[.digits]`, no leading or trailing zeros, `0` for zero), or
    /// nil where `DecimalValue` would refuse the text.
    static func canonical(_ text: String, style: DecimalValue.Style) -> String? {
        var text = text
        return text.withUTF8 { canonical(bytes: $0, style: style) }
    }

    private static func canonical(bytes: UnsafeBufferPointer<UInt8>, style: DecimalValue.Style) -> String? {
        guard !bytes.isEmpty, bytes.count <= 200 else { return nil }
        var i = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
        }
        let mark = style == .point ? UInt8(ascii: ".") : UInt8(ascii: ",")
        let group: UInt8 = style == .comma ? UInt8(ascii: ".") : 0
        var intDigits: [UInt8] = []
        var fracDigits: [UInt8] = []
        intDigits.reserveCapacity(bytes.count)
        var seenMark = false
        var firstGroup = 0, groupCount = 0, currentGroup = 0, badGroup = false
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if b >= 48 && b <= 57 {
                if seenMark { fracDigits.append(b) } else { intDigits.append(b); currentGroup += 1 }
            } else if b == mark && !seenMark {
                seenMark = true
            } else if group != 0 && b == group && !seenMark {
                if groupCount == 0 { firstGroup = currentGroup } else if currentGroup != 3 { badGroup = true }
                groupCount += 1
                currentGroup = 0
            } else {
                return nil
            }
        }
        if groupCount > 0 {
            guard !badGroup, (1...3).contains(firstGroup), currentGroup == 3 else { return nil }
        }
        guard !intDigits.isEmpty || !fracDigits.isEmpty else { return nil }
        if seenMark && fracDigits.isEmpty { return nil }
        // Significant digits as DecimalValue counts them: all digits after the leading zeros.
        let intZeros = intDigits.prefix { $0 == 48 }.count
        let leadingZeros = intZeros == intDigits.count ? intZeros + fracDigits.prefix { $0 == 48 }.count : intZeros
        guard intDigits.count + fracDigits.count - leadingZeros <= DecimalValue.maxSignificantDigits else { return nil }
        let intStart = intDigits.firstIndex { $0 != 48 } ?? intDigits.count
        let fracEnd = (fracDigits.lastIndex { $0 != 48 } ?? -1) + 1
        let intPart = intDigits[intStart...]
        let fracPart = fracDigits[..<fracEnd]
        if intPart.isEmpty && fracPart.isEmpty { return "0" }
        var out: [UInt8] = []
        out.reserveCapacity(intPart.count + fracPart.count + 3)
        if negative { out.append(UInt8(ascii: "-")) }
        if intPart.isEmpty { out.append(48) } else { out.append(contentsOf: intPart) }
        if !fracPart.isEmpty {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: fracPart)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
