import Foundation
import Testing
import TestSupport
@testable import Store

/// `Database.cached` and the scalar helpers that use it: compiled once, rebound cleanly, never
/// holding a read snapshot or the connection itself.
@Suite struct StatementCacheTests {
    let dir = TemporaryDirectory(prefix: "stmtcache")
    private let table = Migration(name: "0001-t", sql: "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT) STRICT;")

    @Test func cachedStatementIsCompiledOnceAndRebindsCleanly() throws {
        let db = try Database(path: dir.file("once.sqlite"), mode: .create, migrations: [table])
        let insert = try db.cached("INSERT INTO t (k, v) VALUES (?, ?)")
        #expect(try db.cached("INSERT INTO t (k, v) VALUES (?, ?)") === insert)
        for k in 1...5 { try db.cached("INSERT INTO t (k, v) VALUES (?, ?)").run([.integer(Int64(k)), .text("v\(k)")]) }
        for k in 1...5 {
            #expect(try db.scalarText("SELECT v FROM t WHERE k = ?", [.integer(Int64(k))]) == "v\(k)")
        }
        // A NULL bound after a value does not inherit the earlier binding.
        try db.cached("INSERT INTO t (k, v) VALUES (?, ?)").run([.integer(6), .null])
        #expect(try db.scalarInt("SELECT count(*) FROM t WHERE v IS NULL") == 1)
    }

    @Test func cachedScalarQueriesDoNotHoldAReadSnapshot() throws {
        let path = dir.file("snapshot.sqlite")
        let reader = try Database(path: path, mode: .create, migrations: [table])
        let writer = try Database(path: path, mode: .openExisting, migrations: [table])
        #expect(try reader.scalarInt("SELECT count(*) FROM t") == 0)
        try writer.execute("INSERT INTO t (k, v) VALUES (1, 'a')")
        // Were the cached statement left mid-step, the reader would still see its old snapshot.
        #expect(try reader.scalarInt("SELECT count(*) FROM t") == 1)
    }

    @Test func aConnectionWithCachedStatementsIsFreed() throws {
        weak var released: Database?
        do {
            let db = try Database(path: dir.file("freed.sqlite"), mode: .create, migrations: [table])
            _ = try db.scalarInt("SELECT count(*) FROM t")
            try db.cached("INSERT INTO t (k, v) VALUES (?, ?)").run([.integer(1), .text("x")])
            released = db
        }
        #expect(released == nil)
    }

    @Test func cacheStaysBoundedAndCorrectPastItsCapacity() throws {
        let db = try Database(path: dir.file("bounded.sqlite"), mode: .create, migrations: [table])
        for i in 0..<(Database.statementCacheCapacity * 2 + 3) {
            #expect(try db.scalarInt("SELECT \(i) + ?", [.integer(1)]) == i + 1)
        }
    }

    @Test func theChangeStampMovesWithEveryCommitOfAnyConnectionAndOnlyThen() throws {
        let path = dir.file("stamp.sqlite")
        let reader = try Database(path: path, mode: .create, migrations: [table])
        let writer = try Database(path: path, mode: .openExisting, migrations: [table])
        let start = try reader.changeStamp()
        _ = try reader.scalarInt("SELECT count(*) FROM t")
        #expect(try reader.changeStamp() == start, "reading changes nothing")
        try writer.execute("INSERT INTO t (k, v) VALUES (1, 'a')")
        let afterOther = try reader.changeStamp()
        #expect(afterOther != start, "another connection's commit moves the stamp")
        try reader.execute("UPDATE t SET v = 'b' WHERE k = 1")
        #expect(try reader.changeStamp() != afterOther, "this connection's own change moves it too")
        let settled = try reader.changeStamp()
        try reader.execute("UPDATE t SET v = 'c' WHERE k = 99")
        #expect(try reader.changeStamp() == settled, "a statement that changes no row leaves it")
    }
}
