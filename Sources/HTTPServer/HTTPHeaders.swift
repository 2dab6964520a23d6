/// An ordered list of header fields with case-insensitive lookup by name (RFC 9110 §5.1).
///
/// Order and spelling are kept as received so that nothing is silently merged; lookups compare
/// names byte by byte with ASCII case folding, without allocating.
public struct HTTPHeaders: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    /// One header field as received or as it will be sent.
    public struct Field: Sendable, Hashable {
        /// The field name as spelled by the sender.
        public var name: String
        /// The field value with surrounding whitespace removed.
        public var value: String

        /// A field named `name` (any case) with `value`.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }

        /// Whether this field's name equals `other` ignoring ASCII case.
        func hasName(_ other: String) -> Bool { HTTPHeaders.equalIgnoringASCIICase(name, other) }
    }

    private var fields: [Field] = []

    /// No header fields.
    public init() {}

    /// Header fields in the given order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// Header fields in literal order, e.g. `["Content-Type": "application/json"]`.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }

    /// Number of fields, counting repeated names separately.
    public var count: Int { fields.count }

    /// The first value of the field `name` (any case), or nil.
    public subscript(name: String) -> String? {
        fields.first { $0.hasName(name) }?.value
    }

    /// Every value of the field `name` (any case), in order.
    public func values(for name: String) -> [String] {
        var result: [String] = []
        for field in fields where field.hasName(name) { result.append(field.value) }
        return result
    }

    /// Whether a field `name` (any case) is present.
    public func contains(_ name: String) -> Bool { self[name] != nil }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field `name` (any case) with one field holding `value`.
    public mutating func replace(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field `name` (any case).
    public mutating func remove(name: String) {
        fields.removeAll { $0.hasName(name) }
    }

    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// Compares two names byte by byte, folding ASCII letters only (header names are tokens).
    static func equalIgnoringASCIICase(_ lhs: String, _ rhs: String) -> Bool {
        guard lhs.utf8.count == rhs.utf8.count else { return false }
        var left = lhs.utf8.makeIterator()
        var right = rhs.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil):
                return true
            case (let a?, let b?):
                if a != b && (a | 0x20 != b | 0x20 || !((a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)) { return false }
            default:
                return false
            }
        }
    }

    /// Lowercases ASCII letters only; header names are tokens, so this is exact and locale-free.
    static func lowercasedASCII(_ text: String) -> String {
        var needsWork = false
        for byte in text.utf8 where byte >= 0x41 && byte <= 0x5A {
            needsWork = true
            break
        }
        if !needsWork { return text }
        return String(decoding: text.utf8.map { ($0 >= 0x41 && $0 <= 0x5A) ? $0 | 0x20 : $0 }, as: UTF8.self)
    }
}
