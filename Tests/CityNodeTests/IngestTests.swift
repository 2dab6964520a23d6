import Foundation
import Model
import Replication
import Testing
import TestSupport
@testable import CityNode

@Suite struct IngestTests {
    /// Everything node `a` has published, key records first.
    func published(by a: NodeFixture) throws -> [Envelope] {
        try a.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "42")
        let result = try a.node.publish()
        return try a.node.ownKeyRecords() + result.records + [result.head!]
    }

    @Test func itemsOfAnUnknownOriginAreQuarantinedUntilTrustedThenReleasedKeysFirst() throws {
        let a = try NodeFixture(options: InitOptions(city: "Aachen", country: "DE"))
        let b = try NodeFixture(options: InitOptions(city: "Kempten", country: "DE"))
        let items = try published(by: a)
        let origin = try a.node.identity().origin
        let results = try b.node.ingest(items, relayedBy: "peer-x")
        #expect(results.allSatisfy { $0.status == .quarantined }, "\(results)")
        #expect(try b.node.database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND quarantine_peer = 'peer-x'", [.text(origin)]) == items.count)
        // Offering the same items again changes nothing.
        #expect(try b.node.ingest(items, relayedBy: "peer-x").allSatisfy { $0.status == .duplicate })

        let before = try b.node.database.scalarInt("SELECT coalesce(max(arrival), 0) FROM item")
        try b.node.trust(origin: origin, label: "Aachen")
        let released = try b.node.database.prepare("SELECT kind FROM item WHERE origin = ? AND arrival > ? ORDER BY arrival")
        try released.bind([.text(origin), .integer(Int64(before))])
        var kinds: [String] = []
        while try released.step() { kinds.append(released.text(0)) }
        #expect(kinds.first == "key" && kinds.count == items.count)
        #expect(try b.node.database.scalarInt("SELECT count(*) FROM item WHERE quarantine_peer IS NOT NULL") == 0)
    }

    @Test func aTrustedOriginsItemsMergeDirectlyAndForgeriesAreRejected() throws {
        let a = try NodeFixture(options: InitOptions(city: "Aachen", country: "DE"))
        let b = try NodeFixture(options: InitOptions(city: "Kempten", country: "DE"))
        let items = try published(by: a)
        try b.node.trust(origin: try a.node.identity().origin, label: nil)
        var forged = items[1]
        var payload = forged.payload!
        payload[payload.count - 3] ^= 1
        forged = Envelope(headerBytes: forged.headerBytes, signature: forged.signature, payload: payload)
        // The key record first, then the forgery, then the genuine items.
        let results = try b.node.ingest([items[0], forged] + items.dropFirst(), relayedBy: "a")
        #expect(results[1] == IngestResult(status: .rejected, reason: "payload_hash_mismatch"))
        #expect(([results[0]] + results.dropFirst(2)).allSatisfy { $0.status == .accepted }, "\(results)")
    }

    @Test func aKeyRotationInsideOneBatchIsHonouredForTheItemsAfterIt() throws {
        let a = try NodeFixture(options: InitOptions(city: "Aachen", country: "DE"))
        let b = try NodeFixture(options: InitOptions(city: "Kempten", country: "DE"))
        let first = try published(by: a)
        let rotation = try a.node.rotateKey()
        try a.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "43")
        let second = try a.node.publish()
        try b.node.trust(origin: try a.node.identity().origin, label: nil)
        // One batch: the chain read for the first items must not be reused for those signed by the new key.
        let batch = first + [rotation] + second.records + [second.head!]
        let results = try b.node.ingest(batch, relayedBy: "a")
        #expect(results.allSatisfy { $0.status == .accepted }, "\(results)")
        // Every current item got its own arrival position, and the counter in meta is the highest one.
        let db = b.node.database
        #expect(try db.scalarInt("SELECT count(DISTINCT arrival) FROM item WHERE arrival IS NOT NULL")
                == db.scalarInt("SELECT count(*) FROM item WHERE arrival IS NOT NULL"))
        #expect(try db.scalarInt("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'arrival'") == db.scalarInt("SELECT max(arrival) FROM item"))
    }

    @Test func quarantineIsCappedPerRelayingPeer() throws {
        let b = try NodeFixture(options: InitOptions(city: "Kempten", country: "DE"))
        let strangers = try (0..<3).map { i in try NodeFixture(seed: UInt64(100 + i), options: InitOptions(city: "S\(i)", country: "DE")) }
        let limits = QuarantineLimits(originsPerPeer: 2, bytesPerPeer: 1 << 20)
        var statuses: [PushStatus] = []
        for s in strangers {
            statuses += try b.node.ingest(try s.node.ownKeyRecords(), relayedBy: "noisy", limits: limits).map(\.status)
        }
        #expect(statuses == [.quarantined, .quarantined, .rejected])
        // Another peer has its own share.
        #expect(try b.node.ingest(try strangers[2].node.ownKeyRecords(), relayedBy: "other", limits: limits).map(\.status) == [.quarantined])
    }
}
