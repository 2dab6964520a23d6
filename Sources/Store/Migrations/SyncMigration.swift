extension Migration {
    /// Peers and per-peer sync state (issue 5, design §6). `cursor` is the `next` value of the
    /// peer's last applied `changes` page (`0` before first contact) and `epoch` the peer epoch
    /// it belongs to; `pushed_through` is this node's arrival position up to which the peer has
    /// acknowledged every pushed item; `failures`, `next_try` and `retry_after` are the persisted
    /// backoff; `runs` counts sync runs with this peer (reconcile every 24th).
    ///
    /// `item.via_peer` names the peer an item was pulled from, so push never sends a peer its
    /// own deliveries back.
    public static let sync = Migration(name: "0004-sync", sql: """
        CREATE TABLE peer (
            name TEXT PRIMARY KEY,
            origin TEXT NOT NULL UNIQUE,
            url TEXT,
            tls_pin TEXT,
            public_key TEXT,
            sync_peer INTEGER NOT NULL DEFAULT 0 CHECK (sync_peer IN (0, 1)),
            cursor TEXT NOT NULL DEFAULT '0',
            epoch TEXT,
            pushed_through INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            next_try INTEGER,
            last_success INTEGER,
            runs INTEGER NOT NULL DEFAULT 0,
            retry_after INTEGER,
            last_error TEXT,
            added_at INTEGER NOT NULL
        ) STRICT;
        ALTER TABLE item ADD COLUMN via_peer TEXT;
        """)
}
