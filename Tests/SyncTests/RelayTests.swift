import CityNode
import Crypto
import Foundation
import Replication
import Testing
import TestSupport
@testable import Sync

/// Nodes in a line: A(0) – B(1) – C(2); records must be relayed through B.
@Suite struct RelayTests {
    /// A and C trust each other without syncing; B syncs with both.
    func line(seed: UInt64, extra: Int = 0) throws -> Federation {
        let fed = try Federation(count: 3 + extra, seed: seed)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.connect(1, 2); try fed.connect(2, 1)
        try fed.trust(0, 2); try fed.trust(2, 0)
        return fed
    }

    func current(_ fed: Federation, _ i: Int, of origin: Int) throws -> Set<String> {
        try fed.strings(i, "SELECT n || ' ' || hex(hash) FROM item WHERE current = 1 AND quarantine_peer IS NULL AND origin = '\(try fed.nodes[origin].originID())'")
    }

    func rounds(_ fed: Federation, _ n: Int = 2, order: [Int] = [0, 1, 2]) throws {
        for _ in 0..<n { for i in order { #expect(try fed.sync(i).exitCode == 0) } }
    }

    @Test func recordsTravelBothWaysThroughTheRelayAndAnUntrustedOriginStaysQuarantined() throws {
        let fed = try line(seed: 31, extra: 1)
        // D(3) syncs with B, which trusts it; C does not.
        try fed.connect(3, 1); try fed.trust(1, 3)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "120")
        try fed.publish(2, code: "EGOV.CITIZEN_TERMINALS", period: "2024", value: "7")
        try fed.publish(3, code: "EGOV.PERMIT_DAYS", period: "2024", value: "30")
        #expect(try fed.sync(3).exitCode == 0)
        try rounds(fed)
        #expect(try current(fed, 2, of: 0) == current(fed, 0, of: 0), "C holds A's records, verified against A's key")
        #expect(try current(fed, 0, of: 2) == current(fed, 2, of: 2), "A holds C's records")
        #expect(try !fed.nodes[2].partialOrigins().contains(fed.nodes[0].originID()))
        let d = try fed.nodes[3].originID()
        #expect(try current(fed, 2, of: 3).isEmpty, "D's records are not in C's replicated state")
        #expect(try fed.int(2, "SELECT count(*) FROM item WHERE origin = '\(d)' AND quarantine_peer IS NOT NULL") > 0, "they wait in quarantine")
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(d)' AND quarantine_peer IS NULL") == 0,
                "A, which does not trust D either, holds D's records only in quarantine")
        try fed.nodes[2].trustQuarantinedOrigin(d, name: nil)
        #expect(try current(fed, 2, of: 3) == current(fed, 3, of: 3), "peer trust ORIGIN releases the quarantine")
    }

    @Test func keyRotationAndPurgePropagateThroughTheRelay() throws {
        let fed = try line(seed: 32)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2023", value: "100")
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "110")
        try rounds(fed)
        _ = try fed.nodes[0].rotateKey()
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "111")
        _ = try fed.nodes[0].retract(subject: "kpi/2023", purge: true, reason: "error")
        // B pulls first: until a peer has A's new key record it cannot authenticate A's requests.
        try rounds(fed, order: [1, 0, 2])
        let a = try fed.nodes[0].originID()
        #expect(try current(fed, 2, of: 0) == current(fed, 0, of: 0))
        #expect(try fed.int(2, "SELECT count(*) FROM item WHERE origin = '\(a)' AND kind = 'key' AND current = 1") == 2, "C learned the new key")
        #expect(try fed.int(2, "SELECT count(*) FROM item WHERE origin = '\(a)' AND subject = 'kpi/2023' AND payload IS NOT NULL") == 0,
                "the purged payload is gone at C")
        #expect(try fed.nodes[2].partialOrigins().isEmpty)
    }

    @Test func aForkIsDetectedAndResolvedIdenticallyOnEveryNode() throws {
        let fed = try line(seed: 33)
        try fed.publish(0, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "5")
        try rounds(fed)
        // A second, validly signed header reusing an `n` A already used, offered to C only.
        let a = try fed.nodes[0].originID()
        let pem = try #require(FileManager.default.contents(atPath: fed.nodes[0].home.signingKeyFile))
        let key = try Ed25519SigningKey(pkcs8PEM: String(decoding: pem, as: UTF8.self))
        let usedN = try fed.int(0, "SELECT max(n) FROM item WHERE origin = '\(a)' AND kind = 'record'")
        let payload = Array(#"{"period":"2019","values":[]}"#.utf8)
        let header = Header(origin: a, keyID: KeyIDs.keyID(key.publicKey), n: usedN, at: 1_700_000_000,
                            body: .record(subject: Subject("kpi/2019")!, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil))
        let forged = Signing.seal(header, payload: payload, with: key)
        let r = try fed.nodes[2].ingest([forged], relayedBy: nil)
        #expect(r.first?.status == .accepted || r.first?.status == .fork)
        try rounds(fed, 3)
        let forks = try (0..<3).map { try fed.strings($0, "SELECT origin || ' ' || n FROM fork") }
        #expect(forks[0] == ["\(a) \(usedN)"])
        #expect(forks[1] == forks[0] && forks[2] == forks[0], "every node reports the same fork")
        let states = try (0..<3).map { try current(fed, $0, of: 0) }
        #expect(states[1] == states[0] && states[2] == states[0], "and keeps the same current records")
    }
}
