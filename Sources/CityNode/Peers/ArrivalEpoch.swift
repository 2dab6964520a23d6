import Crypto
import Foundation
import Store

extension Node {
    /// Meta keys of the sync layer.
    enum SyncMetaKey {
        /// The arrival-log epoch: 16 lowercase hex characters (design §5).
        static let epoch = "epoch"
        /// Set to `1` while the node is restored and must not publish (design §6).
        static let restored = "restored"
        /// The own `n` up to which restored records were acknowledged by `publish --after-restore`.
        static let restoreAcknowledged = "restore_ack_n"
    }

    /// This node's arrival-log epoch, drawn on first use and kept in the database and `HOME/epoch`.
    public func arrivalEpoch() throws(NodeError) -> String {
        if let epoch = try meta(SyncMetaKey.epoch) { return epoch }
        return try drawNewEpoch()
    }

    /// The highest position of this node's arrival log (0 when empty).
    public func arrivalPosition() throws(NodeError) -> Int {
        try read { () throws(StoreError) in
            try database.scalarInt("SELECT coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'arrival'), 0)")
        }
    }

    /// Draws a fresh random epoch (after a restore), so every peer's cursor into this node's
    /// arrival log is refused with `epoch_changed` and they start over with a reconcile.
    @discardableResult
    public func drawNewEpoch() throws(NodeError) -> String {
        let bytes: [UInt8]
        do { bytes = try randomness.bytes(8) } catch { throw NodeError(.crypto, "no randomness for a new epoch: \(error)") }
        let epoch = bytes.map { String(format: "%02x", $0) }.joined()
        try write { () throws in
            try database.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
                .run([.text(SyncMetaKey.epoch), .text(epoch)])
        }
        try writeEpochFile(epoch)
        return epoch
    }

    /// Writes `HOME/epoch` (`<epoch> <highest arrival>`) and fsyncs it.
    func writeEpochFile(_ epoch: String) throws(NodeError) {
        let text = "\(epoch) \(try arrivalPosition())\n"
        let path = home.epochFile
        let tmp = path + ".tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw NodeError(.homeUnwritable, "cannot write \(path); check the home's permissions") }
        _ = Array(text.utf8).withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
        fsync(fd)
        close(fd)
        guard rename(tmp, path) == 0 else { throw NodeError(.homeUnwritable, "cannot replace \(path); check the home's permissions") }
    }
}
