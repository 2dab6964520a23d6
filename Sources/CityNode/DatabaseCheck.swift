import Store

/// The verdict of `citybench db check`.
public struct DatabaseCheckResult: Sendable, Hashable {
    /// The database file checked.
    public var path: String
    /// `PRAGMA integrity_check` findings; empty when the database is sound.
    public var problems: [String]
    /// Migrations recorded in the database.
    public var migrations: [String]

    public var isSound: Bool { problems.isEmpty }
}

extension Node {
    /// Runs SQLite's integrity check over the whole database.
    public func checkDatabase() throws(NodeError) -> DatabaseCheckResult {
        try read { () throws(StoreError) in
            let findings = try database.integrityCheck()
            return DatabaseCheckResult(path: database.path, problems: findings == ["ok"] ? [] : findings,
                                       migrations: try database.appliedMigrations())
        }
    }
}
