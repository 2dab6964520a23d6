import CityNode
import Testing
import TestSupport
@testable import Sync

@Suite struct RecoveryTests {
    @Test func restoredNodeGetsNewEpochPublishesNothingAndPeersReconcileWithoutLoss() throws {
        let fed = try Federation(count: 2, seed: 41)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2023", value: "10")
        let backup = fed.dir.file("a-backup.sqlite")
        try fed.nodes[0].database.backup(to: backup)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "20")
        #expect(try fed.sync(1).exitCode == 0)
        let before = try fed.state(1)
        let oldEpoch = try fed.nodes[0].currentEpoch().id

        try fed.nodes[0].database.restore(from: backup)
        let report = try fed.sync(0)
        let finding = try #require(report.restore, "the own records above the counter reveal the restore")
        #expect(report.publishedN == nil)
        #expect(try fed.nodes[0].isRestored())
        #expect(try fed.nodes[0].currentEpoch().id != oldEpoch)
        #expect(finding.differingSubjects.contains("kpi/2024"), "the 2024 value was entered after the backup")
        #expect(throws: NodeError.self) { try fed.nodes[0].publish() }

        // The peer's cursor into A's old epoch is refused; it resets, reconciles and loses nothing.
        #expect(try fed.sync(1).exitCode == 0)
        #expect(try fed.state(1).isSuperset(of: before))
        #expect(try fed.nodes[1].peer(named: fed.names[0])?.epoch == fed.nodes[0].currentEpoch().id)

        try fed.nodes[0].setValue(code: "EGOV.ONLINE_SERVICES", period: "2024", value: "20")
        let republished = try fed.nodes[0].publish(afterRestore: true)
        let highestBefore = try fed.int(1, "SELECT max(n) FROM item WHERE origin = '\(try fed.nodes[0].originID())'")
        if let n = republished.n { #expect(n > highestBefore, "no sequence number is signed twice") }
        #expect(try !fed.nodes[0].isRestored())
        for _ in 0..<2 { #expect(try fed.sync(0).exitCode == 0); #expect(try fed.sync(1).exitCode == 0) }
        #expect(try fed.state(0) == fed.state(1))
    }

    @Test func publishFirstFetchesOwnRecordsFromPeersAndRefusesAfterARestore() throws {
        let fed = try Federation(count: 2, seed: 43)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2023", value: "10")
        #expect(try fed.pullOwnRecords(0).restore == nil, "nothing newer than what the node signed")
        let backup = fed.dir.file("a-backup.sqlite")
        try fed.nodes[0].database.backup(to: backup)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "20")
        #expect(try fed.sync(1).exitCode == 0)
        try fed.nodes[0].database.restore(from: backup)
        let pulled = try fed.pullOwnRecords(0)
        #expect(pulled.unreachable.isEmpty)
        let finding = try #require(pulled.restore, "the peer handed back own records above the restored counter")
        #expect(finding.differingSubjects.contains("kpi/2024"))
        #expect(try fed.nodes[0].isRestored())
        #expect(throws: NodeError.self) { try fed.nodes[0].publish() }
    }

    @Test func peerEpochChangeResetsTheCursorAndReconciles() throws {
        let fed = try Federation(count: 2, seed: 42)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "3")
        #expect(try fed.sync(0).exitCode == 0)
        try fed.nodes[1].drawNewEpoch(restored: true)  // a replaced epoch (restored: false only draws a first one)
        let newEpoch = try fed.nodes[1].currentEpoch().id
        var paths: [String] = []
        fed.faults = { _, _, request in paths.append(request.path); return nil }
        #expect(try fed.sync(0).exitCode == 0)
        #expect(paths.contains { $0.hasPrefix("/v1/changes?since=0") }, "pulled again from 0")
        #expect(paths.contains("/v1/reconcile"), "and reconciled")
        #expect(try fed.nodes[0].peer(named: fed.names[1])?.epoch == newEpoch)
        #expect(try fed.state(0) == fed.state(1))
    }

    @Test func reconcileRunsOnFirstContactAndEvery24thRunOnly() throws {
        let fed = try Federation(count: 2, seed: 43)
        try fed.connect(0, 1); try fed.connect(1, 0)
        var reconciles: [Int] = []
        var run = 0
        fed.faults = { client, _, request in
            if client == 0, request.path == "/v1/reconcile" { reconciles.append(run) }
            return nil
        }
        for r in 1...25 {
            run = r
            #expect(try fed.sync(0).exitCode == 0)
        }
        #expect(reconciles == [1, 24])
    }
}
