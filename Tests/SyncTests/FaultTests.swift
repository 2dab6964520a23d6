import CityNode
import PeerClient
import Testing
import TestSupport
@testable import Sync

@Suite struct FaultTests {
    /// Random drops, delays, duplicates, truncations, corruptions and partitions while nodes
    /// publish and sync; after healing, one more round: nothing lost, nothing unexpected, and
    /// no node ever stored a header its origin did not sign.
    @Test(arguments: [UInt64(21), 22])
    func faultyLinksHealWithoutLossAndNeverStoreCorruptedData(seed: UInt64) throws {
        let count = 5
        let fed = try Federation(count: count, seed: seed)
        try fed.connectAll()
        var g = SeededGenerator(seed: seed)
        let faults = SharedSeededGenerator(seed: seed ^ 0xFA17)
        var seen: Set<Fault> = []
        fed.faults = { client, server, _ in
            if (client + server) % 4 == 1 { return .partition }
            let draw = faults.next() % 10
            guard draw < 6 else { return nil }
            let fault = [Fault.drop, .delay, .duplicate, .truncate, .corrupt, .corrupt][Int(draw)]
            seen.insert(fault)
            return fault
        }
        var failedRuns = 0
        for _ in 0..<30 {
            let i = Int(g.next() % UInt64(count))
            if g.next() % 3 == 0 {
                try fed.publish(i, code: ConvergenceTests.codes[Int(g.next() % 3)], period: "2024", value: String(g.next() % 900))
            } else {
                if try fed.sync(i).exitCode == 75 { failedRuns += 1 }
            }
        }
        #expect(failedRuns > 0, "the faults did bite")
        #expect(seen.isSuperset(of: [.drop, .delay, .duplicate, .truncate, .corrupt]))
        let signed = try fed.everSigned()
        for i in 0..<count { #expect(try fed.storedHashes(i).isSubset(of: signed), "node \(i) stored only genuine headers") }

        fed.faults = { _, _, _ in nil }
        for _ in 0..<2 { for i in 0..<count { #expect(try fed.sync(i).exitCode == 0) } }
        let expected = try fed.expectedState()
        for i in 0..<count {
            let state = try fed.state(i)
            #expect(state.subtracting(expected).count == 0, "node \(i): nothing unexpected")
            #expect(expected.subtracting(state).count == 0, "node \(i): nothing lost")
            #expect(try fed.storedHashes(i).isSubset(of: signed))
        }
    }

    @Test func corruptedPageIsRejectedWholeAndTheCursorStays() throws {
        let fed = try Federation(count: 2, seed: 5)
        try fed.connect(0, 1)
        try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "40")
        fed.faults = { _, _, request in request.path.hasPrefix("/v1/changes") ? .corrupt : nil }
        let report = try fed.sync(0)
        #expect(report.exitCode == 75)
        #expect(try fed.nodes[0].peer(named: fed.names[1])?.cursor == "0")
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(try fed.nodes[1].originID())'") == 0)
        fed.faults = { _, _, _ in nil }
        #expect(try fed.sync(0).exitCode == 0)
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(try fed.nodes[1].originID())' AND current = 1") > 0)
    }
}
