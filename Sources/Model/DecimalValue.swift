import Foundation

/// An exact decimal number as entered by a city: stored and sent as its canonical decimal text,
/// never as a binary float (design §3). Backed by Foundation's `Decimal` (38 significant digits).
public struct DecimalValue: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// How the text writes its decimal mark.
    public enum Style: Sendable {
        /// `1234.5`: `.` is the decimal mark, no grouping (CSV with `,` separators, the wire format).
        case point
        /// `1.234,5`: `,` is the decimal mark and `.` may group thousands (CSV with `;` separators).
        case comma
    }

    /// Most significant digits a value may carry (the precision of Foundation's `Decimal`).
    public static let maxSignificantDigits = 38

    public let decimal: Decimal

    public init(_ decimal: Decimal) { self.decimal = decimal }
    public init(_ int: Int) { self.decimal = Decimal(int) }

    /// Parses decimal text strictly: optional sign, digits, an optional fraction; no exponent,
    /// no spaces, no `NaN`/`Infinity`. Returns nil for anything else.
    public init?(_ text: String, style: Style = .point) {
        guard let canonical = DecimalText.canonical(text, style: style) else { return nil }
        if let fast = DecimalValue.exact(canonical) {
            self.decimal = fast
            return
        }
        guard let d = Decimal(string: canonical, locale: DecimalValue.posix) else { return nil }
        self.decimal = d
    }

    /// The locale whose decimal mark is `.`, made once (creating a Locale per parse is slow).
    private static let posix = Locale(identifier: "en_US_POSIX")

    /// Builds the decimal directly from canonical text of up to 19 digits (the common case),
    /// without Foundation's locale-aware scanner.
    private static func exact(_ canonical: String) -> Decimal? {
        var mantissa: UInt64 = 0
        var digits = 0
        var fraction = -1
        var negative = false
        for c in canonical.utf8 {
            switch c {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): fraction = 0
            default:
                digits += 1
                if digits > 19 { return nil }
                mantissa = mantissa * 10 + UInt64(c - 48)
                if fraction >= 0 { fraction += 1 }
            }
        }
        let exponent = fraction > 0 ? -fraction : 0
        return Decimal(sign: negative && mantissa != 0 ? .minus : .plus, exponent: exponent, significand: Decimal(mantissa))
    }

    /// Parses or throws a sentence naming the offending text and `what` it was meant to be.
    public static func parse(_ text: String, style: Style = .point, what: String = "value") throws(ModelError) -> DecimalValue {
        guard let v = DecimalValue(text, style: style) else {
            let hint = style == .point ? "a decimal number such as 1234.5" : "a decimal number such as 1.234,5"
            throw ModelError(.malformedValue, "\(what) '\(text)' is not a number (expected \(hint))")
        }
        return v
    }

    /// The canonical text of a strict decimal (what `description` of the parsed value gives),
    /// or nil where the initialiser would refuse it; cheaper than parsing when only text is needed.
    public static func canonicalText(_ text: String, style: Style = .point) -> String? {
        DecimalText.canonical(text, style: style)
    }

    /// Canonical text: no exponent, no trailing fractional zeros, `-` only for negatives, `0` for zero.
    public var description: String {
        if decimal.isZero { return "0" }
        return decimal.description
    }

    /// The nearest binary double, for ranking arithmetic only.
    public var doubleValue: Double { Double(description) ?? .nan }

    public var isNegative: Bool { decimal < 0 }
    public var isZero: Bool { decimal.isZero }

    public static func < (a: DecimalValue, b: DecimalValue) -> Bool { a.decimal < b.decimal }
    public static func == (a: DecimalValue, b: DecimalValue) -> Bool { a.decimal == b.decimal }
    public func hash(into h: inout Hasher) { h.combine(description) }

    /// Rounds half-even to `digits` significant digits (used for pseudonymous per-capita scaling).
    public func roundedHalfEven(significantDigits digits: Int) -> DecimalValue {
        if decimal.isZero { return self }
        // Position of the leading digit: floor(log10(|x|)), found from the canonical text.
        let text = DecimalValue(decimal.magnitude).description
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let intDigits = parts[0] == "0" ? 0 : parts[0].count
        let leading: Int
        if intDigits > 0 {
            leading = intDigits - 1
        } else {
            let frac = parts.count > 1 ? parts[1] : ""
            leading = -(frac.prefix(while: { $0 == "0" }).count + 1)
        }
        let scale = digits - 1 - leading
        return roundedHalfEven(scale: scale)
    }

    /// Rounds half-even to `scale` digits after the decimal point (negative: to tens, hundreds, …).
    public func roundedHalfEven(scale: Int) -> DecimalValue {
        var input = decimal
        var result = Decimal()
        NSDecimalRound(&result, &input, scale, .bankers)
        return DecimalValue(result)
    }

    /// Rounds half-even to a multiple of `step` (a positive decimal such as 5 or 0.1).
    public func roundedHalfEven(toMultipleOf step: DecimalValue) -> DecimalValue {
        precondition(step.decimal > 0, "rounding step must be positive")
        var quotient = decimal / step.decimal
        var whole = Decimal()
        NSDecimalRound(&whole, &quotient, 0, .bankers)
        return DecimalValue(whole * step.decimal)
    }

    public static func + (a: DecimalValue, b: DecimalValue) -> DecimalValue { DecimalValue(a.decimal + b.decimal) }
    public static func - (a: DecimalValue, b: DecimalValue) -> DecimalValue { DecimalValue(a.decimal - b.decimal) }
    public static func * (a: DecimalValue, b: DecimalValue) -> DecimalValue { DecimalValue(a.decimal * b.decimal) }
    public static func / (a: DecimalValue, b: DecimalValue) -> DecimalValue { DecimalValue(a.decimal / b.decimal) }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let v = DecimalValue(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a decimal"))
        }
        self = v
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
