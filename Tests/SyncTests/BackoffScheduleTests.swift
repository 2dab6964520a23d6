import CityNode
import Testing
import TestSupport
@testable import Sync

@Suite struct BackoffScheduleTests {
    /// Peer 1 answers 500, then times out, then refuses; peer 2 is healthy throughout.
    @Test func failingPeerBacksOffWithGrowingWindowsWhileOthersSyncOnSchedule() throws {
        let fed = try Federation(count: 3, seed: 51)
        try fed.connect(0, 1); try fed.connect(0, 2); try fed.connect(1, 0); try fed.connect(2, 0)
        let policy = BackoffPolicy()
        let failures: [Fault] = [.status(500, retryAfter: nil), .drop, .partition]
        var current: Fault? = nil
        fed.faults = { _, server, _ in server == 1 ? current : nil }
        for (k, fault) in failures.enumerated() {
            current = fault
            let start = fed.now
            let report = try fed.sync(0, force: false)
            #expect(report.exitCode == 75)
            let bad = try #require(report.peers.first { $0.peer == fed.names[1] })
            let good = try #require(report.peers.first { $0.peer == fed.names[2] })
            #expect(bad.state == .failed && good.state == .ok)
            let record = try #require(try fed.nodes[0].peer(named: fed.names[1]))
            #expect(record.failures == k + 1)
            let wait = try #require(record.nextTry) - start
            #expect(wait >= 0 && wait <= Int64(policy.window(failures: k)), "delay \(wait) within window \(policy.window(failures: k))")
            // Still waiting one second before the next try: backoff, the healthy peer syncs, exit 0.
            if wait > 0 {
                fed.now = record.nextTry! - 1
                let waiting = try fed.sync(0, force: false)
                #expect(waiting.peers.first { $0.peer == fed.names[1] }?.state == .backoff)
                #expect(waiting.peers.first { $0.peer == fed.names[2] }?.state == .ok)
                #expect(waiting.exitCode == 0)
            }
            fed.now = record.nextTry!
        }
        // Healed: one catch-up run brings what peer 1 published meanwhile and resets the backoff.
        current = nil
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "77")
        let report = try fed.sync(0, force: false)
        #expect(report.exitCode == 0)
        #expect(report.peers.first { $0.peer == fed.names[1] }.map { $0.received > 0 } == true)
        let healed = try #require(try fed.nodes[0].peer(named: fed.names[1]))
        #expect(healed.failures == 0 && healed.nextTry == nil && healed.lastSuccess != nil)
    }

    @Test func retryAfterPushesTheNextTryOutAndForceIgnoresIt() throws {
        let fed = try Federation(count: 2, seed: 52)
        try fed.connect(0, 1); try fed.connect(1, 0)
        fed.faults = { _, _, _ in .status(429, retryAfter: 5400) }
        let start = fed.now
        #expect(try fed.sync(0, force: false).exitCode == 75)
        let record = try #require(try fed.nodes[0].peer(named: fed.names[1]))
        #expect(try #require(record.nextTry) >= start + 5400)
        fed.faults = { _, _, _ in nil }
        #expect(try fed.sync(0, force: false).peers.first?.state == .backoff)
        #expect(try fed.sync(0, force: true).peers.first?.state == .ok)
    }
}
