import Foundation
import Formats
import Model
import Replication
import Testing
import TestSupport
@testable import CityNode

@Suite struct PushTests {
    /// Two origins' whole histories: several publications (superseded versions included), a
    /// purged retraction and a forked header, in publication order.
    static func histories() throws -> (a: TestNode, k: TestNode, items: [Envelope]) {
        let a = try TestNode(city: "Aachen", seed: 2), k = try TestNode(city: "Kempten", seed: 3)
        var items = try a.node.ownKeyRecords() + k.node.ownKeyRecords()
        items += try a.publish([("MOB.EV_CHARGERS", "2022", "1"), ("MOB.EV_CHARGERS", "2023", "2")])
        items += try k.publish([("MOB.EV_CHARGERS", "2023", "8")])
        items += try a.publish([("MOB.EV_CHARGERS", "2023", "3"), ("MOB.EV_CHARGERS", "2024", "4")])
        let retraction = try a.node.retract(subject: "kpi/2022", purge: true, reason: nil)
        items += retraction.records + (retraction.head.map { [$0] } ?? [])
        items += try k.publish([("MOB.EV_CHARGERS", "2023", "9")])
        // A fork: k signs a second, different header under an n it already used.
        let headN = try Header.parse(items.last!.headerBytes).n
        let fork = Header(origin: k.origin, keyID: KeyIDs.keyID(k.firstPublicKey), n: headN, at: 1,
                          body: .record(subject: .kpi(Period("2030")!), operation: .retract, payloadHash: nil, purge: false, reason: nil))
        items.append(Signing.seal(fork, payload: nil, with: k.signingKey))
        return (a, k, items)
    }

    /// What a replica serves for the two origins, order-independent.
    static func state(_ s: RunningServer, as client: TestNode, origins: [String]) throws -> [String] {
        try origins.flatMap { try s.allChanges(as: client, limit: 2_000, origin: $0) }.sorted()
    }

    @Test func anyOrderDuplicationAndLossThenRedeliveryThroughPushGiveTheSameChanges() throws {
        let (a, k, items) = try Self.histories()
        var states: Set<[String]> = []
        var forkStatuses = 0
        for seed in UInt64(1)...6 {
            var random = SeededGenerator(seed: seed)
            let s = try RunningServer(seed: 100 + seed)
            try s.trust(a)
            try s.trust(k)
            // A random permutation with random duplicates, in random batches, some of it lost…
            var delivery = items.shuffled(using: &random)
            for _ in 0..<Int.random(in: 0...5, using: &random) { delivery.insert(items.randomElement(using: &random)!, at: Int.random(in: 0...delivery.count, using: &random)) }
            delivery = delivery.filter { _ in Int.random(in: 0..<4, using: &random) != 0 }
            while !delivery.isEmpty {
                let batch = Array(delivery.prefix(Int.random(in: 1...5, using: &random)))
                delivery.removeFirst(batch.count)
                let statuses = RunningServer.statuses(s.push(a, batch))
                #expect(statuses.count == batch.count)
                forkStatuses += statuses.filter { $0 == "fork" }.count
            }
            // …then everything redelivered, again in random orders (an item that came before its
            // key record is rejected as unknown_key and arrives again, as a completeness check does).
            _ = s.push(a, items.shuffled(using: &random))
            _ = s.push(a, items.shuffled(using: &random))
            states.insert(try Self.state(s, as: a, origins: [a.origin, k.origin]))
        }
        #expect(states.count == 1)
        // The reference: everything in publication order.
        let reference = try RunningServer(seed: 99)
        try reference.trust(a)
        try reference.trust(k)
        _ = reference.push(a, items)
        let expected = try Self.state(reference, as: a, origins: [a.origin, k.origin])
        #expect(states.first == expected)
        // The purged subject's payload is gone everywhere; the fork stays as evidence.
        #expect(try reference.host.node.database.scalarInt(
            "SELECT count(*) FROM item WHERE origin = ? AND subject = 'kpi/2022' AND payload IS NOT NULL", [.text(a.origin)]) == 0)
        let served2022 = try expected.compactMap { text -> JSONValue? in
            let envelope = try Envelope(json: try JSONReader.parse(text))
            return try Header.parse(envelope.headerBytes).subject == .kpi(Period("2022")!) ? try JSONReader.parse(text) : nil
        }
        #expect(served2022.count == 1 && served2022[0]["p"] == nil)
        #expect(try reference.host.node.database.scalarInt("SELECT count(*) FROM fork WHERE origin = ?", [.text(k.origin)]) == 1)
        #expect(try reference.host.node.originStatuses().first { $0.origin == k.origin }?.complete == false)
        #expect(try reference.host.node.originStatuses().first { $0.origin == a.origin }?.complete == true)
    }

    @Test func aBatchIsAnsweredPerItemInOrder() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let items = try a.node.ownKeyRecords() + a.publish([("MOB.EV_CHARGERS", "2024", "1")])
        // A new record (not in the batch) with a corrupted signature: held items are duplicates
        // whatever their signature, so only a new one shows the check.
        var forged = try a.publish([("MOB.EV_CHARGERS", "2025", "2")])[0]
        forged = Envelope(headerBytes: forged.headerBytes, signature: Array(forged.signature.reversed()), payload: forged.payload)
        let body = Array(#"{"items":[{"h":"!"},"#.utf8) + JSONWriter.bytes(.array(items.map(\.json))).dropFirst().dropLast()
            + [0x2C] + JSONWriter.bytes(forged.json) + Array("]}".utf8)
        let r = try #require(s.signed(a, "POST", "/v1/push", body: body))
        let results = try JSONReader.parse(r.body)["results"]?.arrayValue ?? []
        #expect(results.first?["status"]?.stringValue == "rejected" && results.first?["reason"]?.stringValue == "malformed_envelope")
        #expect(results.last?["reason"]?.stringValue == "bad_signature")
        #expect(results.dropFirst().dropLast().map { $0["status"]?.stringValue } == items.map { _ in "accepted" })
    }

    @Test func hostileBodiesAre400LeaveTheDatabaseUnchangedAndTheServerAnswersTheNextClient() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let before = try s.fingerprint()
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let tenThousand = "{\"items\":[" + Array(repeating: "{}", count: 10_000).joined(separator: ",") + "]}"
        let bodies: [(String, [UInt8])] = [
            ("malformed JSON", Array(#"{"items":[{"h":"#.utf8)),
            ("invalid UTF-8", Array(#"{"items":[{"h":""#.utf8) + [0xFF, 0xFE] + Array(#""}]}"#.utf8)),
            ("nesting 10,000", Array("{\"items\":\(deep)}".utf8)),
            ("NaN", Array(#"{"items":[{"h":NaN}]}"#.utf8)),
            ("Infinity", Array(#"{"items":[],"n":Infinity}"#.utf8)),
            ("1e400", Array(#"{"items":[],"n":1e400}"#.utf8)),
            ("duplicate keys", Array(#"{"items":[],"items":[]}"#.utf8)),
            ("10,000 items", Array(tenThousand.utf8)),
            ("not an object", Array("[]".utf8)),
            ("items not an array", Array(#"{"items":{}}"#.utf8)),
        ]
        for (name, body) in bodies {
            let r = s.signed(a, "POST", "/v1/push", body: body)
            #expect(r?.status == 400, "\(name): \(String(describing: r))")
            #expect(r.map { !$0.text.contains("NaN") && !$0.text.contains("1e400") && !$0.text.contains("[[") } ?? false, "\(name) echoed input")
            #expect(try s.fingerprint() == before, "\(name)")
            #expect(s.answersHealth, "\(name)")
        }
    }

    @Test func untrustedItemsRelayedByATrustedPeerAreQuarantinedAndNeverServed() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2), stranger = try TestNode(city: "Fremdstadt", seed: 5)
        try s.trust(a)
        try stranger.publish([("MOB.EV_CHARGERS", "2024", "3")])
        let items = try stranger.everything()
        #expect(RunningServer.statuses(s.push(a, items)) == items.map { _ in "quarantined" })
        #expect(try s.allChanges(as: a, origin: stranger.origin).isEmpty)
        let status = try #require(try s.host.node.originStatuses().first { $0.origin == stranger.origin })
        #expect(!status.trusted && status.quarantined == items.count)
        // Once trusted (here by another connection, as `peer add` in another process would), the
        // same items are accepted although copies sit in quarantine, key record first in the feed.
        try s.trust(stranger)
        #expect(RunningServer.statuses(s.push(a, items)).allSatisfy { $0 == "accepted" || $0 == "duplicate" })
        let served = try s.allChanges(as: a, origin: stranger.origin)
        #expect(served == items.map { JSONWriter.string($0.json) })
        #expect(try s.host.node.database.scalarInt("SELECT count(*) FROM item WHERE quarantine_peer IS NOT NULL") == 0)
    }

    @Test func quarantineIsCappedPerRelayingPeerByOriginsAndBytes() throws {
        var api = PeerAPIConfiguration()
        api.quarantine = QuarantineLimits(originsPerPeer: 2, bytesPerPeer: 64 << 20)
        let s = try RunningServer(api: api)
        let a = try TestNode(city: "Aachen", seed: 2), k = try TestNode(city: "Kempten", seed: 3)
        try s.trust(a)
        try s.trust(k)
        let strangers = try (0..<3).map { try TestNode(city: "S\($0)", seed: 10 + UInt64($0)) }
        var statuses: [String] = []
        for stranger in strangers { statuses += RunningServer.statuses(s.push(a, try stranger.node.ownKeyRecords())) }
        #expect(statuses == ["quarantined", "quarantined", "rejected"])
        let full = try JSONReader.parse(try #require(s.push(a, try strangers[2].node.ownKeyRecords())).body)
        #expect(full["results"]?[0]?["reason"]?.stringValue == "quarantine_full")
        // The cap is per relaying peer: k may still relay the third stranger.
        #expect(RunningServer.statuses(s.push(k, try strangers[2].node.ownKeyRecords())) == ["quarantined"])

        var small = PeerAPIConfiguration()
        small.quarantine = QuarantineLimits(originsPerPeer: 1_000, bytesPerPeer: 600)
        let t = try RunningServer(seed: 7, api: small)
        try t.trust(a)
        let bytes = strangers.map { RunningServer.statuses(t.push(a, try! $0.node.ownKeyRecords())) }.flatMap { $0 }
        #expect(bytes.first == "quarantined" && bytes.last == "rejected")
    }

    /// Bodies laid out as nodes write them are read in place, yet under the same limits: with a
    /// body depth below an envelope's, the compact body is refused exactly as the pretty one.
    @Test func aPushDeeperThanTheBodyDepthLimitIsRefusedInEveryLayout() throws {
        var api = PeerAPIConfiguration()
        api.maxBodyDepth = EnvelopeList.depth - 1
        let s = try RunningServer(api: api)
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let compact = try #require(s.push(a, try a.node.ownKeyRecords()))
        let body = JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(try a.node.ownKeyRecords().map(\.json)))])), pretty: true)
        let pretty = try #require(s.signed(a, "POST", "/v1/push", body: body))
        #expect(pretty.status == 400)
        #expect(compact.status == pretty.status, "compact body: \(compact.status), same body pretty-printed: \(pretty.status)")
    }
}

extension JSONValue {
    subscript(index: Int) -> JSONValue? {
        guard let array = arrayValue, array.indices.contains(index) else { return nil }
        return array[index]
    }
}
