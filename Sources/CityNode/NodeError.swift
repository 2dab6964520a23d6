/// Why a node command refused to act, with a stable code and a sentence a city clerk can act on.
/// Messages never contain keys or secrets.
public struct NodeError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        /// The home directory does not exist or has no node in it.
        case homeMissing = "home_missing"
        /// `init` was pointed at a directory that already holds something.
        case homeExists = "home_exists"
        /// The home (or a file in it) cannot be created or written.
        case homeUnwritable = "home_unwritable"
        /// `node.json` is unreadable or does not follow the format.
        case invalidConfiguration = "invalid_configuration"
        /// A key file is missing or unreadable.
        case invalidKeys = "invalid_keys"
        /// A KPI code that is neither in the catalog nor defined locally.
        case unknownKPI = "unknown_kpi"
        /// `kpi define` of a code that already exists.
        case duplicateKPI = "duplicate_kpi"
        /// A value, period, field, category or other input is malformed.
        case invalidInput = "invalid_input"
        /// An import file was refused; `problems` lists every bad row.
        case importRejected = "import_rejected"
        /// No project with the given id.
        case projectNotFound = "project_not_found"
        /// The database refused or failed.
        case database
        /// Key generation or signing failed.
        case crypto
    }

    public let code: Code
    public let message: String
    /// For `importRejected`: every problem found, in file order.
    public let problems: [ImportProblem]

    public init(_ code: Code, _ message: String, problems: [ImportProblem] = []) {
        self.code = code
        self.message = message
        self.problems = problems
    }

    public var description: String { message }
}

/// One rejected row (or file-level problem) of a CSV import.
public struct ImportProblem: Equatable, Sendable, CustomStringConvertible {
    /// The file's name as given, for messages.
    public let file: String
    /// 1-based line on which the record starts.
    public let line: Int
    /// The column's header name (or number), if the problem is in one field.
    public let column: String?
    /// What is wrong, naming the offending text.
    public let reason: String

    public init(file: String, line: Int, column: String?, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// E.g. "kpi.csv line 14, column value: 'zwölf' for MOB.EV_CHARGERS is not a number".
    public var description: String {
        if let column { return "\(file) line \(line), column \(column): \(reason)" }
        return "\(file) line \(line): \(reason)"
    }
}

extension NodeError {
    /// Wraps a database failure; its message is already written for a clerk.
    static func store(_ error: Error) -> NodeError {
        if let e = error as? NodeError { return e }
        return NodeError(.database, "\(error)")
    }
}
