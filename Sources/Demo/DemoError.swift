/// Why `citybench demo` stopped, with a stable code and a sentence the user can act on.
public struct DemoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        /// The demo directory holds something the demo did not make, or cannot be written.
        case directoryUnusable = "directory_unusable"
        /// A node refused a step (init, data entry, publish, trust, ingest).
        case nodeFailed = "node_failed"
        /// The federation did not converge: some node lacks some city's records.
        case incomplete
        /// Ranking or writing the report failed.
        case rankingFailed = "ranking_failed"
        /// Ctrl-C (or SIGTERM) stopped the demo between two steps.
        case interrupted
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
