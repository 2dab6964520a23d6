import CSQLite

/// One prepared SQL statement; owns its `sqlite3_stmt*` and finalizes it in `deinit`.
/// Not Sendable: it belongs to the connection that prepared it.
public final class Statement {
    private let handle: OpaquePointer
    /// The connection, for error messages. Unowned so that statements the connection caches
    /// (`Database.cached`) form no reference cycle; `keepAlive` holds it for all others.
    private unowned let database: Database
    /// The connection, held strongly by statements the caller owns (nil for cached ones).
    private let keepAlive: Database?

    init(database: Database, sql: String, cached: Bool = false) throws(StoreError) {
        var stmt: OpaquePointer?
        // sqlite3_prepare_v2 compiles one statement; -1 reads up to the terminating NUL.
        let rc = sqlite3_prepare_v2(database.handle, sql, -1, &stmt, nil)
        guard rc == SQLITE_OK, let stmt else {
            sqlite3_finalize(stmt)
            throw database.error(rc, doing: "prepare a statement")
        }
        self.handle = stmt
        self.database = database
        self.keepAlive = cached ? nil : database
    }

    deinit { sqlite3_finalize(handle) }

    /// Binds `value` to the 1-based parameter `index` (sqlite3_bind_*; text and blobs are copied
    /// with SQLITE_TRANSIENT, so no pointer outlives this call).
    public func bind(_ value: SQLValue, at index: Int) throws(StoreError) {
        let i = Int32(index)
        let rc: Int32
        switch value {
        case .null: rc = sqlite3_bind_null(handle, i)
        case .integer(let v): rc = sqlite3_bind_int64(handle, i, v)
        case .real(let v): rc = sqlite3_bind_double(handle, i, v)
        case .text(let s):
            var s = s
            rc = s.withUTF8 { buf in
                buf.withMemoryRebound(to: CChar.self) { chars in
                    // An empty Swift string may have no base address; SQLite binds NULL for a NULL
                    // pointer, so the empty text gets a literal's (valid, NUL-terminated) pointer.
                    guard let base = chars.baseAddress else { return sqlite3_bind_text(handle, i, "", 0, csqlite_transient()) }
                    return sqlite3_bind_text(handle, i, base, Int32(chars.count), csqlite_transient())
                }
            }
        case .blob(let bytes):
            rc = bytes.withUnsafeBytes { buf in
                sqlite3_bind_blob(handle, i, buf.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(buf.count), csqlite_transient())
            }
        }
        guard rc == SQLITE_OK else { throw database.error(rc, doing: "bind a value") }
    }

    /// Resets the statement and binds `values` to parameters 1, 2, ….
    public func bind(_ values: [SQLValue]) throws(StoreError) {
        reset()
        for (i, v) in values.enumerated() { try bind(v, at: i + 1) }
    }

    /// Advances to the next row (sqlite3_step): true while a row is available, false when done.
    @discardableResult
    public func step() throws(StoreError) -> Bool {
        let rc = sqlite3_step(handle)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw database.error(rc, doing: "run a statement")
        }
    }

    /// Binds `values`, runs the statement to completion and resets it, for INSERT/UPDATE/DELETE.
    /// Blobs of `inPlaceBlobBytes` or more are bound where they lie, not copied (a replicated
    /// record's payload is tens of kilobytes): `values` holds them for the whole run, and the
    /// bindings are cleared before their buffers go out of scope.
    public func run(_ values: [SQLValue] = []) throws(StoreError) {
        reset()
        try withBindings(values[...], from: 1) { () throws(StoreError) in
            defer { reset() }
            while try step() {}
        }
    }

    /// Blobs at least this long are bound in place by `run`.
    static let inPlaceBlobBytes = 4096

    /// Binds `values` to parameters `index`, `index + 1`, … and calls `body` while large blobs'
    /// buffers are held open for SQLite (SQLITE_STATIC); `body` must clear the bindings, and a
    /// failed bind clears them itself.
    private func withBindings(_ values: ArraySlice<SQLValue>, from index: Int, _ body: () throws(StoreError) -> Void) throws(StoreError) {
        guard let value = values.first else { return try body() }
        guard case .blob(let bytes) = value, bytes.count >= Self.inPlaceBlobBytes else {
            do { try bind(value, at: index) } catch {
                // An earlier blob may be bound in place: clear it before its buffer's scope ends.
                reset()
                throw error
            }
            return try withBindings(values.dropFirst(), from: index + 1, body)
        }
        try bytes.withUnsafeBufferPointer { (buffer) throws(StoreError) in
            let rc = sqlite3_bind_blob(handle, Int32(index), buffer.baseAddress, Int32(buffer.count), nil)
            guard rc == SQLITE_OK else {
                let error = database.error(rc, doing: "bind a value")
                reset()
                throw error
            }
            try withBindings(values.dropFirst(), from: index + 1, body)
        }
    }

    /// Rewinds the statement and clears its bindings (sqlite3_reset, sqlite3_clear_bindings).
    public func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Rewinds the statement but keeps its bindings (sqlite3_reset), for loops that rebind
    /// every parameter anyway.
    public func rewind() {
        sqlite3_reset(handle)
    }

    /// True if column `index` (0-based) of the current row is NULL.
    public func isNull(_ index: Int) -> Bool { sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL }

    /// Column `index` as an integer (sqlite3_column_int64).
    public func int(_ index: Int) -> Int { Int(sqlite3_column_int64(handle, Int32(index))) }

    /// Column `index` as an integer, or nil for NULL.
    public func optionalInt(_ index: Int) -> Int? { isNull(index) ? nil : int(index) }

    /// Column `index` as a double (sqlite3_column_double).
    public func double(_ index: Int) -> Double { sqlite3_column_double(handle, Int32(index)) }

    /// Column `index` as a double, or nil for NULL.
    public func optionalDouble(_ index: Int) -> Double? { isNull(index) ? nil : double(index) }

    /// Column `index` as text (sqlite3_column_text); NULL reads as the empty string.
    public func text(_ index: Int) -> String {
        guard let p = sqlite3_column_text(handle, Int32(index)) else { return "" }
        let n = Int(sqlite3_column_bytes(handle, Int32(index)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    /// Column `index` as text, or nil for NULL.
    public func optionalText(_ index: Int) -> String? { isNull(index) ? nil : text(index) }

    /// Column `index` as bytes (sqlite3_column_blob).
    public func blob(_ index: Int) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(handle, Int32(index)))
        guard n > 0, let p = sqlite3_column_blob(handle, Int32(index)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }
}
