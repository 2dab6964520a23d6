import CityNode
import Foundation
import Store
import Testing
import TestSupport
@testable import Sync

/// The real thing: `NodeServer` over HTTPS on loopback, the libcurl client, pinned certificates.
@Suite(.serialized) struct LoopbackSyncTests {
    @Test func relayOverHTTPSCarriesRecordsBothWaysAndQuarantinesAnUntrustedOrigin() throws {
        let fed = try LoopbackFederation(count: 4, seed: 71)
        try fed.connect(0, 1); try fed.connect(1, 0); try fed.connect(1, 2); try fed.connect(2, 1)
        try fed.trust(0, 2); try fed.trust(2, 0)
        try fed.connect(3, 1); try fed.trust(1, 3)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "120")
        try fed.publish(2, code: "EGOV.CITIZEN_TERMINALS", period: "2024", value: "7")
        try fed.publish(3, code: "EGOV.PERMIT_DAYS", period: "2024", value: "30")
        #expect(try fed.sync(3).exitCode == 0)
        for _ in 0..<2 {
            for i in 0..<3 {
                let report = try fed.sync(i)
                #expect(report.exitCode == 0, "\(report.peers.compactMap(\.error?.message))")
            }
        }
        #expect(try fed.current(2, of: 0) == fed.current(0, of: 0), "C holds A's records, verified against A's key")
        #expect(try fed.current(0, of: 2) == fed.current(2, of: 2), "A holds C's records")
        #expect(try fed.current(2, of: 3).isEmpty, "D's records are not in C's replicated state")
        let d = try fed.nodes[3].originID()
        #expect(try fed.nodes[2].database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND quarantine_peer IS NOT NULL", [.text(d)]) > 0)
    }

    @Test func noChangeSyncOverHTTPSIsOneRoundTripWithinTheByteBudget() throws {
        let fed = try LoopbackFederation(count: 2, seed: 72)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "12")
        try fed.sync(0)
        try fed.sync(0)
        let peer = try #require(try fed.sync(0).peers.first)
        #expect(peer.state == .ok && peer.roundTrips == 1)
        #expect(peer.requestBytes <= 300, "request \(peer.requestBytes) B")
        #expect(peer.responseBytes <= 250, "response body \(peer.responseBytes) B")
    }

    @Test func wrongPinFailsWithPinMismatchAndBacksOff() throws {
        let fed = try LoopbackFederation(count: 3, seed: 73)
        var d = try fed.descriptor(1)
        d.tlsPin = try fed.nodes[2].identity().tlsPin
        try fed.nodes[0].addPeer(d, name: "impostor")
        try fed.connect(1, 0)
        let report = try SyncEngine(node: fed.nodes[0]).run()
        #expect(report.exitCode == 75)
        #expect(report.peers.first?.error?.code == "pin_mismatch")
        #expect(try fed.nodes[0].peer(named: "impostor")?.failures == 1)
    }

    /// A `citybench sync` process killed with SIGKILL at ≥ 100 random points: afterwards the
    /// database passes `db check`, the cursor never points past data that is stored, and the next
    /// run completes. (The longer sweep lives in scripts/soak-sync.sh.)
    @Test func syncKilledAtRandomPointsLeavesASoundDatabaseAndResumes() throws {
        let points = Int(ProcessInfo.processInfo.environment["CITYBENCH_KILL_POINTS"] ?? "") ?? 100
        let fed = try LoopbackFederation(count: 2, seed: 74)
        try fed.connect(0, 1); try fed.connect(1, 0)
        // A has plenty to send: 120 monthly records.
        for month in 0..<120 {
            try fed.nodes[1].setValue(code: "EGOV.ONLINE_SERVICES", period: String(format: "%04d-%02d", 2010 + month / 12, month % 12 + 1), value: "\(month)")
        }
        _ = try fed.nodes[1].publish()
        var g = SeededGenerator(seed: 74)
        let started = Date()
        let probe = CLIRunner.run(["--home", fed.homes[0].path, "sync", "--force"])
        #expect(probe.exitCode == 0, "\(probe)")
        let typical = max(Date().timeIntervalSince(started), 0.05)
        var killedMidway = 0
        for point in 0..<points {
            if point % 10 == 0 {
                try fed.nodes[1].setValue(code: "EGOV.CITIZEN_TERMINALS", period: "20\(10 + point % 15)", value: "\(point)")
                _ = try fed.nodes[1].publish()
            }
            let delay = Double(g.next() % 1000) / 1000 * typical
            let exited = try SyncProcess.runAndKill(home: fed.homes[0].path, after: delay)
            if !exited { killedMidway += 1 }
            let node = try Node(home: fed.homes[0])
            #expect(try node.checkDatabase().isSound, "kill point \(point): db check")
            try expectCursorWithinStoredData(client: node, server: fed.nodes[1], peer: fed.names[1], point: point)
        }
        #expect(killedMidway > 0, "kills hit running syncs (\(killedMidway) of \(points))")
        let final = CLIRunner.run(["--home", fed.homes[0].path, "sync", "--force"])
        #expect(final.exitCode == 0, "\(final)")
        #expect(try fed.current(0, of: 1) == fed.current(1, of: 1))
    }

    /// Every item the server served at or before the client's cursor is stored at the client.
    private func expectCursorWithinStoredData(client: Node, server: Node, peer: String, point: Int) throws {
        guard let cursor = try client.peer(named: peer)?.cursor, cursor != "0",
              let position = Int(cursor.split(separator: ".").last ?? "") else { return }
        let log = try server.arrivalLog(after: 0, maxBytes: .max).entries.filter { $0.position <= position }
        let held = try Set(client.database.prepareStrings("SELECT hex(hash) FROM item"))
        let missing = log.filter { entry in !held.contains(entry.envelope.headerHash.map { String(format: "%02X", $0) }.joined()) }
        #expect(missing.isEmpty, "kill point \(point): cursor \(position) is past \(missing.count) unapplied items")
    }
}

extension Database {
    func prepareStrings(_ sql: String) throws -> [String] {
        let stmt = try prepare(sql)
        var out: [String] = []
        while try stmt.step() { out.append(stmt.text(0)) }
        return out
    }
}

/// Runs `citybench sync --force` and sends it SIGKILL after `delay` seconds unless it ended.
enum SyncProcess {
    /// Returns true if the process exited on its own before the kill.
    static func runAndKill(home: String, after delay: TimeInterval) throws -> Bool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["--home", home, "sync", "--force"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(delay)
        while process.isRunning && Date() < deadline { usleep(500) }
        guard process.isRunning else { return true }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return false
    }
}

@Suite struct PeriodicSyncTests {
    /// The cycle `serve --sync-every` runs: it syncs on its own, and skips while a cron-run
    /// `sync` holds the lock.
    @Test func periodicCycleSyncsInTheBackgroundAndSkipsWhileTheLockIsHeld() throws {
        let fed = try LoopbackFederation(count: 2, seed: 75)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "8")
        let lines = LineCollector()
        var lock: SyncLock? = try SyncLock.tryAcquire(path: fed.homes[0].syncLockFile)
        let periodic = PeriodicSync(home: fed.homes[0], schedule: SyncSchedule(every: 0.05), log: { lines.append($0) })
        periodic.start()
        defer { periodic.stop() }
        #expect(lines.waitFor { $0.contains("skipped=locked") }, "a held lock skips the cycle")
        #expect(try fed.current(0, of: 1).isEmpty)
        #expect(lock != nil)
        lock = nil  // a cron-run sync ends: the kernel lock is released
        #expect(lines.waitFor { $0.contains("event=sync peers=1 failed=0") }, "\(lines.all)")
        #expect(try fed.current(0, of: 1) == fed.current(1, of: 1))
    }
}

/// Log lines gathered from another thread.
final class LineCollector: @unchecked Sendable {
    // Sendable because `lines` is only touched while holding `lock`.
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }

    /// Polls until a line matches (at most 30 s, a generous bound for a loaded machine; never a timing assertion).
    func waitFor(_ match: (String) -> Bool) -> Bool {
        for _ in 0..<3000 {
            if all.contains(where: match) { return true }
            usleep(10_000)
        }
        return false
    }
}
