extension Migration {
    /// The node's own data: profile and meta values, local KPI definitions, KPI values, projects
    /// and their KPI links (issue 2). Values are decimal TEXT, never REAL; `noise_u` is the
    /// Laplace(0, 1) draw stored with each value of a `personCount` KPI (design §4).
    public static let localData = Migration(name: "0001-local-data", sql: """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) STRICT;
        CREATE TABLE profile (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            name TEXT NOT NULL,
            country TEXT NOT NULL,
            region TEXT,
            ags TEXT
        ) STRICT;
        CREATE TABLE kpi_definition (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            name_de TEXT,
            unit TEXT NOT NULL,
            direction TEXT NOT NULL CHECK (direction IN ('higher', 'lower')),
            field TEXT NOT NULL,
            per_capita INTEGER,
            person_count INTEGER NOT NULL CHECK (person_count IN (0, 1)),
            refs TEXT NOT NULL DEFAULT '[]',
            defined_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE kpi_value (
            code TEXT NOT NULL,
            period TEXT NOT NULL,
            period_order INTEGER NOT NULL,
            value TEXT NOT NULL,
            source TEXT,
            note TEXT,
            noise_u REAL,
            entered_at INTEGER NOT NULL,
            PRIMARY KEY (code, period)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX kpi_value_export ON kpi_value (code, period_order);
        CREATE TABLE project (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            field TEXT NOT NULL,
            category TEXT NOT NULL,
            status TEXT NOT NULL,
            start_year INTEGER,
            end_year INTEGER,
            budget TEXT,
            description TEXT,
            goal TEXT,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE project_kpi (
            project_id TEXT NOT NULL REFERENCES project (id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            code TEXT NOT NULL,
            PRIMARY KEY (project_id, position)
        ) STRICT, WITHOUT ROWID;
        """)
}
