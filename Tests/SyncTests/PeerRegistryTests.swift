import CityNode
import Formats
import Foundation
import Testing
import TestSupport

@Suite struct PeerRegistryTests {
    @Test func descriptorWhosePublicKeyDoesNotHashToItsOriginIsRefused() throws {
        let fed = try Federation(count: 3, seed: 61)
        var d = try fed.descriptor(1)
        d.origin = try fed.nodes[2].originID()
        let bytes = JSONWriter.bytes(d.json)
        #expect(throws: NodeError.self) { try PeerDescriptor(json: bytes, source: "forged.json") }
        #expect(try fed.nodes[0].peers().isEmpty)
    }

    @Test func addTrustsTheOriginMakesItASyncPeerAndWritesTheOperatorCopy() throws {
        let fed = try Federation(count: 2, seed: 62)
        let peer = try fed.nodes[0].addPeer(fed.descriptor(1), name: nil)
        #expect(peer.name == fed.names[1] && peer.syncPeer && peer.trusted)
        let list = JSONWriter.string(.array(try fed.nodes[0].peers().map(\.listJSON)))
        #expect(list == #"[{"name":"\#(fed.names[1])","origin":"\#(peer.origin)","url":"https://n1.test","syncPeer":true,"trusted":true}]"#)
        let copy = try #require(FileManager.default.contents(atPath: fed.nodes[0].home.peersDirectory + "/\(fed.names[1]).json"))
        #expect(try PeerDescriptor(json: Array(copy), source: "copy").origin == peer.origin)
    }

    @Test func peerNamesAreUniquePerNode() throws {
        let fed = try Federation(count: 3, seed: 63)
        try fed.nodes[0].addPeer(fed.descriptor(1), name: "partner")
        #expect(throws: NodeError.self) { try fed.nodes[0].addPeer(fed.descriptor(2), name: "partner") }
        try fed.nodes[0].addPeer(fed.descriptor(2), name: "other")
        #expect(try fed.nodes[0].peers().map(\.name) == ["other", "partner"])
    }

    @Test func nameFallsBackToOriginPrefixWithoutLabel() throws {
        let fed = try Federation(count: 2, seed: 64)
        var d = try fed.descriptor(1)
        d.label = nil
        #expect(try fed.nodes[0].trustPeer(d, name: nil).name == "origin-" + d.origin.prefix(10))
    }

    @Test func trustingAnOriginByIdNeedsItsFirstKeyRecordInQuarantine() throws {
        let fed = try Federation(count: 3, seed: 65)
        let c = try fed.nodes[2].originID()
        do {
            try fed.nodes[0].trustQuarantinedOrigin(c, name: nil)
            Issue.record("trusting an origin with nothing in quarantine must fail")
        } catch {
            #expect(error.message.contains(c), "the error names the origin")
        }
        // B relays C's records to A, which does not know C: they land in quarantine.
        try fed.connect(0, 1); try fed.connect(1, 0); try fed.connect(1, 2); try fed.connect(2, 1)
        try fed.publish(2, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "9")
        #expect(try fed.sync(2).exitCode == 0)
        #expect(try fed.sync(0).exitCode == 0)
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(c)' AND quarantine_peer IS NOT NULL") > 0)
        let peer = try fed.nodes[0].trustQuarantinedOrigin(c, name: nil)
        #expect(peer.name == fed.names[2], "named after the quarantined profile's label")
        #expect(!peer.syncPeer && peer.trusted)
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(c)' AND quarantine_peer IS NOT NULL") == 0)
    }

    @Test func removeStopsSyncingAndSendsItsRecordsToQuarantine() throws {
        let fed = try Federation(count: 2, seed: 66)
        try fed.connect(0, 1); try fed.connect(1, 0)
        try fed.publish(1, code: "EGOV.ONLINE_SERVICES", period: "2024", value: "4")
        #expect(try fed.sync(0).exitCode == 0)
        try fed.nodes[0].removePeer(named: fed.names[1])
        #expect(try fed.nodes[0].peers().isEmpty)
        let b = try fed.nodes[1].originID()
        #expect(try fed.int(0, "SELECT count(*) FROM item WHERE origin = '\(b)' AND quarantine_peer IS NULL") == 0)
        #expect(try fed.sync(0).peers.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fed.nodes[0].home.peersDirectory + "/\(fed.names[1]).json"))
    }

    @Test func importTrustsEveryDescriptorOfARosterButAddsNoSyncPeer() throws {
        let fed = try Federation(count: 4, seed: 67)
        let roster = fed.dir.file("roster")
        try FileManager.default.createDirectory(atPath: roster, withIntermediateDirectories: true)
        for i in 0..<4 {
            try Data(JSONWriter.bytes(try fed.descriptor(i).json)).write(to: URL(fileURLWithPath: roster + "/\(fed.names[i]).json"))
        }
        let imported = try fed.nodes[0].importPeers(directory: roster)
        #expect(imported.count == 3, "its own descriptor is skipped")
        #expect(try fed.nodes[0].peers().allSatisfy { $0.trusted && !$0.syncPeer })
    }
}

@Suite struct ExampleRosterTests {
    /// The repository's `peers/` roster: six valid, clearly illustrative descriptors.
    @Test func exampleRosterImportsAndEveryEntryIsMarkedIllustrative() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let roster = root.appendingPathComponent("peers").path
        let files = try FileManager.default.contentsOfDirectory(atPath: roster).filter { $0.hasSuffix(".json") }
        #expect(files.count == 6)
        for file in files {
            let bytes = Array(try #require(FileManager.default.contents(atPath: roster + "/" + file)))
            _ = try PeerDescriptor(json: bytes, source: file)
            #expect(try JSONReader.parse(bytes)["note"]?.stringValue?.hasPrefix("ILLUSTRATIVE") == true)
        }
        let fed = try Federation(count: 1, seed: 68)
        #expect(try fed.nodes[0].importPeers(directory: roster).count == 6)
    }
}
