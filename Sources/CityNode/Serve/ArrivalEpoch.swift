import Crypto
import Foundation
import Store

/// The arrival log's epoch (design §5): 16 random lowercase hex characters kept in the database
/// (`meta('epoch')`) and, with the highest arrival position, in `HOME/epoch`. A cursor
/// `<epoch>.<pos>` is only valid within its epoch; a restored database gets a new epoch so peers
/// holding cursors into the lost future start over instead of silently missing items.
public struct ArrivalEpoch: Sendable, Hashable, CustomStringConvertible {
    /// Random bytes in an epoch id (16 hex characters).
    public static let byteCount = 8

    /// The epoch id, 16 lowercase hex characters.
    public let id: String
    /// The highest arrival position recorded with it.
    public let highestArrival: Int

    public init(id: String, highestArrival: Int) {
        self.id = id
        self.highestArrival = highestArrival
    }

    /// Whether `text` has an epoch id's shape.
    public static func isValidID<S: StringProtocol>(_ text: S) -> Bool {
        text.utf8.count == 2 * byteCount && text.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// `<epoch>.<pos>`, the file's line and a cursor's form.
    public var description: String { "\(id).\(highestArrival)" }

    /// Reads the `epoch` file's `<epoch>.<pos>` line; nil if it is missing or damaged.
    static func read(file path: String) -> ArrivalEpoch? {
        guard let data = FileManager.default.contents(atPath: path),
              let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              let cursor = ChangesCursor(text), case let .position(id, pos) = cursor else { return nil }
        return ArrivalEpoch(id: id, highestArrival: pos)
    }
}

extension Node {
    /// Meta keys of the arrival log.
    enum EpochMetaKey {
        static let epoch = "epoch"
        static let restored = "restored"
        static let arrival = "arrival"
    }

    /// The current epoch and highest arrival, read from the database (another process may have
    /// drawn a new epoch, e.g. `db restore`, so this is never cached).
    public func currentEpoch() throws(NodeError) -> ArrivalEpoch {
        try read { () throws(StoreError) in try epochInDatabase() }
    }

    func epochInDatabase() throws(StoreError) -> ArrivalEpoch {
        let stmt = try cachedStatement("""
            SELECT (SELECT value FROM meta WHERE key = 'epoch'),
                   coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'arrival'), 0)
            """)
        defer { stmt.reset() }
        _ = try stmt.step()
        return ArrivalEpoch(id: stmt.optionalText(0) ?? "", highestArrival: stmt.int(1))
    }

    /// Whether the node found (or was told of) a restored database and has not been told otherwise.
    public func isRestored() throws(NodeError) -> Bool { try meta(EpochMetaKey.restored) == "1" }

    /// Checks the database against `HOME/epoch` when the node opens (design §5): no epoch yet →
    /// draw one; the file names another epoch, or a higher arrival than the database holds (a
    /// restored database) → draw a new epoch and set `restored`; otherwise bring the file up to
    /// date. Returns a sentence for the operator when a new epoch was drawn after a restore.
    func checkEpochOnOpen() throws(NodeError) -> String? {
        // The file first, then the database: a writer commits before it rewrites the file, so the
        // file never runs ahead of what this read of the database can see.
        let file = ArrivalEpoch.read(file: home.epochFile)
        let stored = try currentEpoch()
        if !ArrivalEpoch.isValidID(stored.id) {
            try drawNewEpoch(restored: false)
            return nil
        }
        if let file, file.id != stored.id || file.highestArrival > stored.highestArrival {
            try drawNewEpoch(restored: true)
            let epoch = try currentEpoch()
            return "the database does not match \(home.epochFile) (it was restored or replaced); peers will read this node's changes afresh under the new epoch \(epoch.id)"
        }
        try recordArrivalHighWater(force: file == nil || file != stored)
        return nil
    }

    /// Draws a new random epoch in the database, optionally setting `restored`, and rewrites the file.
    public func drawNewEpoch(restored: Bool) throws(NodeError) {
        let bytes: [UInt8]
        // Always the system CSPRNG, never the injected source: an epoch must differ from every
        // earlier one of this home, and a seeded test stream must not shift because a node opened.
        do { bytes = try SecureRandom.bytes(ArrivalEpoch.byteCount) } catch {
            throw NodeError(.crypto, "could not draw a new epoch from the random source")
        }
        let id = bytes.hexString
        try write { () throws in
            // A first epoch never replaces one another process drew meanwhile (both then agree).
            let sql = restored ? "INSERT INTO meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
                : "INSERT INTO meta (key, value) VALUES ('epoch', ?) ON CONFLICT (key) DO NOTHING"
            try database.prepare(sql).run([.text(id)])
            if restored {
                try database.prepare("INSERT INTO meta (key, value) VALUES ('restored', '1') ON CONFLICT (key) DO UPDATE SET value = '1'").run()
            }
        }
    }

    /// Writes `<epoch>.<highest arrival>` to `HOME/epoch` (atomically, fsynced) when the highest
    /// arrival moved since this process last wrote it; called after every committed write.
    func recordArrivalHighWater(force: Bool = false) throws(NodeError) {
        let epoch = try currentEpoch()
        guard ArrivalEpoch.isValidID(epoch.id) else { return }
        if !force && epoch == recordedEpoch { return }
        try SecureFile.replaceAtomically(home.epochFile, contents: Array((epoch.description + "\n").utf8))
        recordedEpoch = epoch
    }

    /// Replaces the database with a `db backup` file and draws a new epoch (design §5), so peers
    /// holding cursors into the replaced log start over; `restored` is set for the operator.
    public func restoreDatabase(from file: String) throws(NodeError) {
        do { try database.restore(from: file) } catch { throw NodeError(.database, error.message) }
        try drawNewEpoch(restored: true)
    }
}
