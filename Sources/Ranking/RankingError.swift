/// Why a ranking could not be computed or its input not read; `code` is stable, the message
/// names the bad input (file, line, column, KPI) so a city clerk can fix it.
public struct RankingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        case tooFewCities = "too_few_cities"
        case unknownKPI = "unknown_kpi"
        case unknownWeight = "unknown_weight"
        case invalidWeight = "invalid_weight"
        case invalidOption = "invalid_option"
        case duplicateCell = "duplicate_cell"
        case malformedInput = "malformed_input"
        case unreadableFile = "unreadable_file"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
