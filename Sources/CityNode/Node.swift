import Foundation
import Formats
import Model
import Replication
import Store

/// A city node opened from its home: its configuration, its one writer connection to the
/// database and the KPI catalog it uses (built-in plus local definitions). Every data-entry
/// command is a method on it, so tests drive the same code as the command line.
/// Not Sendable: it owns one SQLite connection.
public final class Node {
    public let home: NodeHome
    public let configuration: NodeConfiguration
    /// The one writer connection of this process.
    public let database: Database
    let randomness: NodeRandomness
    /// The epoch and highest arrival this process last wrote to `HOME/epoch`.
    var recordedEpoch: ArrivalEpoch?
    /// Set when opening found a restored database and drew a new epoch (design §5), for the operator.
    public private(set) var epochNotice: String?
    /// Compiled statements of the peer API's per-request queries, kept for this connection.
    private var statementCache: [String: Statement] = [:]
    /// Key-chain entries parsed from stored key records, by header hash (bounded; key records never change).
    var keyEntryCache: [[UInt8]: KeyChain.Entry] = [:]
    /// Answers of `requestKey(origin:)` (nil: not trusted), good while the database's change
    /// stamp is the one they were read at, so a trust change by any process is seen at once.
    var requestKeyMemo: (stamp: Database.ChangeStamp, keys: [String: [UInt8]?])?
    /// The arrival epoch as `changes` last read it, with the change stamp it was read at.
    var epochMemo: (stamp: Database.ChangeStamp, epoch: ArrivalEpoch)?

    /// Opens the node in `home`; never creates anything, so a missing home or database is an error.
    public init(home: NodeHome, randomness: NodeRandomness = .system) throws(NodeError) {
        self.home = home
        self.randomness = randomness
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: home.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw NodeError(.homeMissing, "the home \(home.path) does not exist; run 'citybench init' first or pass the right --home")
        }
        guard let data = FileManager.default.contents(atPath: home.configurationFile) else {
            throw NodeError(.homeMissing, "\(home.path) holds no citybench node (node.json is missing or unreadable); run 'citybench init' first or pass the right --home")
        }
        configuration = try NodeConfiguration(json: Array(data), file: home.configurationFile)
        do {
            database = try Database(path: home.databaseFile, mode: .openExisting)
        } catch {
            throw NodeError(.database, error.message)
        }
        epochNotice = try checkEpochOnOpen()
    }

    /// The built-in catalog merged with this node's local definitions.
    public func catalog() throws(NodeError) -> KPICatalog {
        KPICatalog.builtIn.merging(KPICatalog(try localDefinitions()))
    }

    /// Runs `body` in one write transaction, mapping database failures to `NodeError`.
    /// After the commit, `HOME/epoch` is brought up to date if the arrival log grew (design §5).
    func write<T>(_ body: () throws -> T) throws(NodeError) -> T {
        let result = try writeWithoutEpoch(body)
        try recordArrivalHighWater()
        return result
    }

    private func writeWithoutEpoch<T>(_ body: () throws -> T) throws(NodeError) -> T {
        do { return try database.transaction(body) } catch let error as NodeError {
            throw error
        } catch let error as StoreError {
            throw NodeError(.database, error.message)
        } catch {
            throw NodeError(.database, "\(error)")
        }
    }

    /// Runs a read, mapping database failures to `NodeError`.
    func read<T>(_ body: () throws(StoreError) -> T) throws(NodeError) -> T {
        do { return try body() } catch { throw NodeError(.database, error.message) }
    }

    /// `sql` compiled once per connection (sqlite3_prepare_v2 re-prepares after a schema change).
    /// The caller resets it when done, so no finished query holds a read snapshot open.
    func cachedStatement(_ sql: String) throws(StoreError) -> Statement {
        if let cached = statementCache[sql] { return cached }
        let statement = try database.prepare(sql)
        statementCache[sql] = statement
        return statement
    }

    /// The current time in Unix seconds, for `entered_at` and `updated_at`.
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970) }
}

extension Period {
    /// A sortable integer: chronological, and within one start the coarser period first.
    var sortKey: Int64 {
        let rank: Int64 = switch granularity { case .year: 0; case .quarter: 1; case .month: 2 }
        return Int64(year) * 1000 + Int64(startMonth) * 10 + rank
    }
}
