/// A value bound to or read from a SQL statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    /// An optional string: `null` when absent.
    public static func text(_ value: String?) -> SQLValue { value.map { .text($0) } ?? .null }
    /// An optional integer: `null` when absent.
    public static func integer(_ value: Int?) -> SQLValue { value.map { .integer(Int64($0)) } ?? .null }
    /// An optional double: `null` when absent.
    public static func real(_ value: Double?) -> SQLValue { value.map { .real($0) } ?? .null }
}
