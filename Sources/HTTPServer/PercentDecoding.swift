/// Strict percent-decoding of request targets (RFC 3986 §2.1): every `%` must be followed by two
/// hex digits and decoded text must be valid UTF-8, otherwise the request is rejected with 400.
/// A `+` is a literal plus sign, not a space (that is an HTML-form convention, not URI syntax).
enum PercentDecoding {
    /// Whether every `%` in `bytes` starts a valid `%HH` escape.
    static func isWellFormed(_ bytes: ArraySlice<UInt8>) -> Bool {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            if bytes[index] == percent {
                guard index + 2 < bytes.endIndex,
                    hexDigit(bytes[index + 1]) != nil, hexDigit(bytes[index + 2]) != nil
                else { return false }
                index += 3
            } else {
                index += 1
            }
        }
        return true
    }

    /// Decodes `bytes` (one name or value), or nil for a bad escape or invalid UTF-8.
    static func decode(_ bytes: ArraySlice<UInt8>) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == percent {
                guard index + 2 < bytes.endIndex, let high = hexDigit(bytes[index + 1]),
                    let low = hexDigit(bytes[index + 2])
                else { return nil }
                output.append(high << 4 | low)
                index += 3
            } else {
                output.append(byte)
                index += 1
            }
        }
        return String(validating: output, as: UTF8.self)
    }

    /// Splits a query on `&` into decoded `name=value` items, skipping empty segments;
    /// nil when any name or value is badly encoded.
    static func queryItems(_ bytes: ArraySlice<UInt8>) -> [QueryItem]? {
        var items: [QueryItem] = []
        for segment in bytes.split(separator: ampersand, omittingEmptySubsequences: true) {
            let equals = segment.firstIndex(of: equalsSign)
            let nameBytes = segment[segment.startIndex..<(equals ?? segment.endIndex)]
            let valueBytes = equals.map { segment[($0 + 1)...] } ?? []
            guard let name = decode(nameBytes), let value = decode(valueBytes) else { return nil }
            items.append(QueryItem(name: name, value: value))
        }
        return items
    }

    private static let percent: UInt8 = 0x25
    private static let ampersand: UInt8 = 0x26
    private static let equalsSign: UInt8 = 0x3D

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
