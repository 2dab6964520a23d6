/// A validation failure in the domain model, with a stable code and a sentence a city clerk can act on.
public struct ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        case unknownField = "unknown_field"
        case unknownCategory = "unknown_category"
        case unknownStatus = "unknown_status"
        case malformedPeriod = "malformed_period"
        case malformedValue = "malformed_value"
        case malformedCode = "malformed_code"
        case invalidDefinition = "invalid_definition"
        case invalidProject = "invalid_project"
        case invalidCountry = "invalid_country"
        case invalidProfile = "invalid_profile"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
