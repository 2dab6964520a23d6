import CityNode
import Testing
import TestSupport
@testable import Sync

@Suite struct ConvergenceTests {
    static let codes = ["EGOV.ONLINE_SERVICES", "EGOV.CITIZEN_TERMINALS", "EGOV.PERMIT_DAYS"]
    static let periods = ["2022", "2023", "2024"]

    @Test(arguments: [(UInt64(1), 5), (UInt64(2), 6), (UInt64(3), 7)])
    func randomPublicationsAndPairwiseSyncsConvergeToTheSameState(seed: UInt64, count: Int) throws {
        let fed = try Federation(count: count, seed: seed)
        try fed.connectAll()
        var g = SeededGenerator(seed: seed &* 7919)
        for _ in 0..<(count * 5) {
            let i = Int(g.next() % UInt64(count))
            if g.next() % 2 == 0 {
                try fed.publish(i, code: Self.codes[Int(g.next() % 3)], period: Self.periods[Int(g.next() % 3)], value: String(g.next() % 500))
            } else {
                var j = Int(g.next() % UInt64(count))
                if j == i { j = (j + 1) % count }
                try fed.sync(i, with: j)
            }
        }
        // Final round: everyone syncs with everyone, twice (the second pass relays the first's arrivals).
        for _ in 0..<2 {
            for i in 0..<count {
                let report = try fed.sync(i)
                #expect(report.exitCode == 0, "\(report.peers.compactMap(\.error?.message).prefix(2)) \(report.localError?.message ?? "")")
            }
        }
        let expected = try fed.expectedState()
        for i in 0..<count {
            let state = try fed.state(i)
            #expect(state.subtracting(expected).count == 0, "node \(i) holds nothing unexpected")
            #expect(expected.subtracting(state).count == 0, "node \(i) lost nothing")
            #expect(try fed.nodes[i].partialOrigins().isEmpty)
        }
    }

    @Test func noChangeSyncTakesOneRoundTripWithinTheByteBudget() throws {
        let fed = try Federation(count: 2, seed: 11)
        try fed.connect(0, 1)
        try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "12")
        try fed.sync(0)
        try fed.sync(0)
        let report = try fed.sync(0)
        let peer = try #require(report.peers.first)
        #expect(peer.state == .ok)
        #expect(peer.roundTrips == 1)
        #expect(peer.requestBytes <= 300, "request \(peer.requestBytes) B")
        #expect(peer.responseBytes <= 250, "response body \(peer.responseBytes) B")
        #expect(peer.received == 0 && peer.sent == 0)
    }

    @Test func tinyPagesAndPushBatchesStillConverge() throws {
        let fed = try Federation(count: 3, seed: 12)
        try fed.connectAll()
        var configuration = SyncConfiguration()
        configuration.pageBytes = 600
        configuration.pushItems = 2
        for (i, code) in Self.codes.enumerated() {
            for period in Self.periods { try fed.publish(i, code: code, period: period, value: "\(i)\(period)") }
        }
        var paths: [String] = []
        fed.faults = { _, _, request in paths.append(request.path); return nil }
        for _ in 0..<2 { for i in 0..<3 { #expect(try fed.sync(i, configuration: configuration).exitCode == 0) } }
        #expect(paths.filter { $0.hasPrefix("/v1/changes?since=") && $0.hasSuffix("&limit=600") }.count > 6, "several pages per pull")
        #expect(paths.filter { $0 == "/v1/push" }.count > 6, "several batches per push")
        let expected = try fed.expectedState()
        for i in 0..<3 { #expect(try fed.state(i) == expected) }
    }
}
