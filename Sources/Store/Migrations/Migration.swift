/// One named, append-only step of the database schema. Once released, a migration's name and
/// SQL never change; a later change is a new migration appended to `Migration.all`.
public struct Migration: Sendable, Hashable {
    /// Unique, stable name recorded in the `schema_migrations` table (e.g. `0001-local-data`).
    public let name: String
    /// SQL run once, inside the transaction that records the migration.
    public let sql: String

    public init(name: String, sql: String) {
        self.name = name
        self.sql = sql
    }
}

extension Migration {
    /// Every migration in the order it is applied. Other modules append their migrations here,
    /// at the end, never in between.
    public static let all: [Migration] = [
        .localData,
        .replication,
        .peerAPI,
        .sync,
    ]
}
