extension Migration {
    /// What the peer API needs beyond `0002-replication` (design §5):
    /// * `origin.first_key`: an origin's first Ed25519 public key (32 raw bytes) when it is known
    ///   before any of its key records arrived (`peer add --key`), so its first signed request
    ///   can be verified; the key must hash to the origin id.
    /// * an index serving `changes?origin=` in arrival order without scanning the log;
    /// * an index keeping the per-relaying-peer quarantine caps an indexed lookup per item.
    public static let peerAPI = Migration(name: "0003-peer-api", sql: """
        ALTER TABLE origin ADD COLUMN first_key BLOB;
        CREATE INDEX item_origin_arrival ON item (origin, arrival) WHERE arrival IS NOT NULL;
        CREATE INDEX item_quarantine ON item (quarantine_peer, origin) WHERE quarantine_peer IS NOT NULL;
        """)
}
