extension Migration {
    /// Replicated records of every origin, this node's own publications, the arrival log that
    /// serves `changes`, fork evidence, the publication audit and the ε ledger (design §4–5).
    ///
    /// `item` holds every validly signed header ever accepted (for fork detection and evidence);
    /// payload bytes are kept only while an item is current. `arrival` is the item's position in
    /// the arrival log while it is current (keys: for good); replacing an item clears the old
    /// row's arrival and gives the new one the next position, so `changes` never sends
    /// superseded versions.
    public static let replication = Migration(name: "0002-replication", sql: """
        CREATE TABLE origin (
            origin TEXT PRIMARY KEY,
            own INTEGER NOT NULL DEFAULT 0 CHECK (own IN (0, 1)),
            trusted INTEGER NOT NULL DEFAULT 0 CHECK (trusted IN (0, 1)),
            label TEXT,
            key_fork_at INTEGER
        ) STRICT;
        CREATE TABLE item (
            id INTEGER PRIMARY KEY,
            origin TEXT NOT NULL,
            n INTEGER NOT NULL,
            hash BLOB NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('record', 'head', 'key')),
            subject TEXT,
            kid TEXT NOT NULL,
            header BLOB NOT NULL,
            signature BLOB NOT NULL,
            payload BLOB,
            current INTEGER NOT NULL DEFAULT 0 CHECK (current IN (0, 1)),
            arrival INTEGER,
            quarantine_peer TEXT,
            UNIQUE (origin, n, hash)
        ) STRICT;
        CREATE UNIQUE INDEX item_arrival ON item (arrival) WHERE arrival IS NOT NULL;
        CREATE INDEX item_current ON item (origin, kind, subject) WHERE current = 1;
        CREATE TABLE fork (
            origin TEXT NOT NULL,
            n INTEGER NOT NULL,
            PRIMARY KEY (origin, n)
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE publication_log (
            n INTEGER PRIMARY KEY,
            subject TEXT NOT NULL,
            op TEXT NOT NULL CHECK (op IN ('set', 'retract', 'head', 'key')),
            payload_hash BLOB,
            published_at INTEGER NOT NULL,
            payload BLOB
        ) STRICT;
        CREATE TABLE retraction (
            subject TEXT PRIMARY KEY,
            payload_hash BLOB
        ) STRICT, WITHOUT ROWID;
        CREATE TABLE epsilon_ledger (
            kpi TEXT NOT NULL,
            period TEXT NOT NULL,
            epsilon REAL NOT NULL,
            noise_u REAL NOT NULL,
            charged_at INTEGER NOT NULL,
            PRIMARY KEY (kpi, period, noise_u)
        ) STRICT, WITHOUT ROWID;
        """)
}
