/// Why the local database refused an operation, with a stable code and a sentence a city clerk can act on.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        /// The database file does not exist where a home says it should.
        case missingDatabase = "missing_database"
        /// The file is not a SQLite database, or is damaged beyond opening.
        case notADatabase = "not_a_database"
        /// The file is a SQLite database of some other application.
        case foreignDatabase = "foreign_database"
        /// The database was written by a newer citybench (it knows migrations this one does not).
        case newerSchema = "newer_schema"
        /// The database records migrations that differ from this program's list.
        case migrationMismatch = "migration_mismatch"
        /// The file or its directory cannot be written.
        case readOnly = "read_only"
        /// Another process held the write lock for longer than the busy timeout.
        case busy
        /// A uniqueness or foreign-key rule was violated.
        case constraint
        /// The disk is full.
        case diskFull = "disk_full"
        /// Any other SQLite failure.
        case sqlite
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
