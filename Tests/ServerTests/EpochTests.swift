import Foundation
import Formats
import Replication
import Store
import Testing
import TestSupport
@testable import CityNode

/// Design §5: the epoch lives in the database and, with the highest arrival, in `HOME/epoch`;
/// a database that does not match the file (restored, replaced) gets a new epoch and `restored`.
@Suite struct EpochTests {
    func fileText(_ n: TestNode) throws -> String {
        try String(contentsOfFile: n.home.epochFile, encoding: .utf8)
    }

    @Test func theEpochFileFollowsEveryCommitThatAppendsToTheArrivalLog() throws {
        let n = try TestNode(city: "Aachen", seed: 2)
        let start = try n.node.currentEpoch()
        #expect(ArrivalEpoch.isValidID(start.id))
        #expect(try fileText(n) == "\(start.id).\(start.highestArrival)\n")
        try n.publish([("MOB.EV_CHARGERS", "2024", "1")])
        let after = try n.node.currentEpoch()
        #expect(after.id == start.id && after.highestArrival > start.highestArrival)
        #expect(try fileText(n) == "\(after.id).\(after.highestArrival)\n")
        // Reopening an unchanged home keeps the epoch.
        #expect(try Node(home: n.home).currentEpoch() == after)
        #expect(try !Node(home: n.home).isRestored())
    }

    @Test func aDatabaseBehindTheEpochFileGetsANewEpochAndIsMarkedRestored() throws {
        let n = try TestNode(city: "Aachen", seed: 2)
        let backup = n.dir.file("old.sqlite")
        try n.node.database.backup(to: backup)
        try n.publish([("MOB.EV_CHARGERS", "2024", "1")])
        let epoch = try n.node.currentEpoch()
        // The whole database file replaced behind the node's back (a VM snapshot or a copy).
        let db = n.home.databaseFile
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        try FileManager.default.copyItem(atPath: backup, toPath: db)
        let reopened = try Node(home: n.home)
        #expect(reopened.epochNotice != nil)
        #expect(try reopened.currentEpoch().id != epoch.id)
        #expect(try reopened.isRestored())
        #expect(try reopened.status().restored)
    }

    @Test func anEpochFileNamingAnotherEpochGetsANewEpoch() throws {
        let n = try TestNode(city: "Aachen", seed: 2)
        let epoch = try n.node.currentEpoch()
        try "0123456789abcdef.0\n".write(toFile: n.home.epochFile, atomically: true, encoding: .utf8)
        let reopened = try Node(home: n.home)
        #expect(try reopened.currentEpoch().id != epoch.id && reopened.isRestored())
        #expect(try fileText(n).hasPrefix(try reopened.currentEpoch().id))
    }

    @Test func cursorsParseStrictly() {
        #expect(ChangesCursor("0") == .beginning)
        #expect(ChangesCursor("0123456789abcdef.42") == .position(epoch: "0123456789abcdef", pos: 42))
        for bad in ["", "00", "1", "0123456789abcdef", "0123456789abcdef.", "0123456789ABCDEF.1", "0123456789abcdef.01",
                    "0123456789abcdef.-1", "0123456789abcdef.1.2", "0123456789abcdef.99999999999999999", " 0"] {
            #expect(ChangesCursor(bad) == nil, "\(bad)")
        }
    }
}
