/// A JSON document as read from or written to the outside world. Numbers keep their text, so
/// integers up to 2^53, decimals and signed bytes survive a round trip exactly; objects keep
/// their key order, so writers control the bytes they produce.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// An integer number.
    public static func int(_ value: Int) -> JSONValue { .number(JSONNumber(int: value)) }
    /// A double at full precision (shortest round-trip text); non-finite values become `null`.
    public static func double(_ value: Double) -> JSONValue {
        value.isFinite ? .number(JSONNumber(double: value)) : .null
    }
    /// An optional string: `null` when absent.
    public static func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = self { n } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var isNull: Bool { if case .null = self { true } else { false } }

    /// Member lookup on an object; nil for other values or a missing key.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A JSON number kept as its exact text (validated by the reader or produced by a constructor).
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    public let text: String

    /// Trusts `text` to be a valid JSON number; the reader and constructors guarantee it.
    init(validatedText text: String) { self.text = text }
    public init(int: Int) { text = String(int) }
    public init(double: Double) {
        precondition(double.isFinite, "JSON cannot carry NaN or infinity")
        // Swift's description is the shortest text that round-trips, and is valid JSON
        // (e.g. 0.1, 100.0, 1e-05, 1e+21).
        text = double.description
    }

    /// The value as an integer, if the text is an integer without fraction or exponent that fits.
    public var intValue: Int? { Int(text) }
    /// The value as a double (nearest; may lose precision for long decimals).
    public var doubleValue: Double { Double(text) ?? .nan }
    /// True if the text is an integer literal (no `.`, `e` or `E`).
    public var isInteger: Bool { !text.utf8.contains { $0 == 46 || $0 == 101 || $0 == 69 } }
    public var description: String { text }
}

/// A JSON object with its members in order. Keys are unique (the reader rejects duplicates,
/// builders replace on assignment).
public struct JSONObject: Sendable, Hashable, Sequence {
    public private(set) var keys: [String] = []
    public private(set) var values: [JSONValue] = []

    public init() {}

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        for (k, v) in pairs { self[k] = v }
    }

    public init(pairs: [(String, JSONValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    /// Appends without a uniqueness check; for the reader, which has already checked.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    public var count: Int { keys.count }

    public subscript(key: String) -> JSONValue? {
        get { keys.firstIndex(of: key).map { values[$0] } }
        set {
            if let i = keys.firstIndex(of: key) {
                if let v = newValue { values[i] = v } else { keys.remove(at: i); values.remove(at: i) }
            } else if let v = newValue {
                keys.append(key)
                values.append(v)
            }
        }
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }
}
