import Crypto
import Foundation
import Formats
import Model
import Replication
import Testing
import TestSupport
@testable import CityNode

@Suite struct PublicationTests {
    /// Rewrites node.json's disclosure object and reopens the node.
    func withPolicy(_ f: NodeFixture, _ disclosure: String) throws -> Node {
        let path = f.home.configurationFile
        var config = try #require(try JSONReader.parse(Array(FileManager.default.contents(atPath: path)!)).objectValue)
        config["disclosure"] = try JSONReader.parse(disclosure)
        try Data(JSONWriter.bytes(.object(config), pretty: true)).write(to: URL(fileURLWithPath: path))
        return try Node(home: f.home, randomness: NodeFixture.randomness(f.random))
    }

    func replicaOf(_ node: Node, _ items: [Envelope]) throws -> ReplicaState {
        var replica = ReplicaState()
        for key in try node.ownKeyRecords() { replica.offer(key) }
        for item in items { replica.offer(item) }
        return replica
    }

    @Test func publishesChangedSubjectsOnlyAndUsesNoNumberWhenNothingChanged() throws {
        let f = try NodeFixture(options: InitOptions(city: "Wolfsburg", country: "DE", population: "125000"))
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "310")
        let first = try f.node.publish()
        let subjects = first.records.compactMap { try? Header.parse($0.headerBytes).subject?.description }
        #expect(subjects == subjects.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        #expect(subjects.contains("kpi/2024") && subjects.contains("profile"))
        let firstHead = try #require(first.n)
        #expect(try f.node.publish().n == nil)
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "320")
        let second = try f.node.publish()
        #expect(second.records.count == 1)
        #expect(try Header.parse(second.records[0].headerBytes).n == firstHead + 1)
        #expect(second.n == firstHead + 2)
        // A replica fed the key records, everything published and the latest head is complete.
        let replica = try replicaOf(f.node, first.records + [first.head!] + second.records + [second.head!])
        #expect(replica.origins.values.first?.isComplete == true)
    }

    @Test func previewShowsExactlyThePayloadsLaterSignedAndStoresNothing() throws {
        let f = try NodeFixture()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024-Q3", value: "12.50")
        let preview = try f.node.previewPublication()
        #expect(try f.node.database.scalarInt("SELECT count(*) FROM item WHERE kind = 'record'") == 0)
        let published = try f.node.publish()
        #expect(preview.map(\.payload) == published.records.map(\.payload))
        #expect(try f.node.previewPublication().isEmpty)
    }

    @Test func everyPublishedSignatureVerifiesWithStockOpenSSL() throws {
        let f = try NodeFixture()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "7")
        let result = try f.node.publish()
        let pubPEM = try openssl(["pkey", "-in", f.home.signingKeyFile, "-pubout"])
        let pubFile = f.dir.write("pub.pem", bytes: pubPEM)
        for envelope in result.records + [result.head!] + (try f.node.ownKeyRecords()) {
            let header = try Header.parse(envelope.headerBytes)
            let msg = f.dir.write("msg", bytes: Signing.signatureInput(kind: header.kind, headerBytes: envelope.headerBytes))
            let sig = f.dir.write("sig", bytes: envelope.signature)
            _ = try openssl(["pkeyutl", "-verify", "-pubin", "-inkey", pubFile, "-rawin", "-in", msg, "-sigfile", sig])
            if let payload = envelope.payload, case .record(_, _, let ph?, _, _) = header.body {
                #expect(SHA256.hash(payload) == ph)
            }
        }
    }

    @Test func retractionWithPurgeDropsPayloadBytesFromTheAuditButKeepsHashes() throws {
        let f = try NodeFixture()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2023", value: "70")
        _ = try f.node.publish()
        let retraction = try f.node.retract(subject: "kpi/2023", purge: true, reason: "error")
        #expect(retraction.records.count == 1)
        #expect(try f.node.database.scalarInt("SELECT count(*) FROM publication_log WHERE subject = 'kpi/2023' AND payload IS NOT NULL") == 0)
        #expect(try f.node.database.scalarInt("SELECT count(*) FROM publication_log WHERE subject = 'kpi/2023' AND payload_hash IS NOT NULL") == 1)
        // Unchanged data is not simply published again; a correction is.
        #expect(try f.node.publish().n == nil)
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2023", value: "71")
        #expect(try f.node.publish().records.count == 1)
        #expect(throws: NodeError.self) { try f.node.retract(subject: "kpi/1999", purge: false, reason: nil) }
        #expect(throws: NodeError.self) { try f.node.retract(subject: "people", purge: false, reason: nil) }
        #expect(throws: NodeError.self) { try f.node.retract(subject: "kpi/2023", purge: false, reason: "Not A Code") }
    }

    @Test func recordsAfterAKeyRotationVerifyThroughTheChainAndTheOriginStays() throws {
        let f = try NodeFixture()
        let origin = try f.node.identity().origin
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "1")
        let before = try f.node.publish()
        let keyRecord = try f.node.rotateKey()
        try f.node.setValue(code: "MOB.EV_CHARGERS", period: "2024", value: "2")
        let after = try f.node.publish()
        #expect(try f.node.identity().origin == origin)
        #expect(try f.node.ownKeyRecords().count == 2)
        #expect(try Header.parse(after.records[0].headerBytes).keyID != (try Header.parse(before.records[0].headerBytes).keyID))
        let replica = try replicaOf(f.node, before.records + [before.head!, keyRecord] + after.records + [after.head!])
        #expect(replica.origins[origin]?.isComplete == true)
        #expect(!FileManager.default.fileExists(atPath: f.home.signingKeyFile + ".new"))
    }

    @Test func anOriginThatPublishedByNameCannotTurnPseudonymous() throws {
        let f = try NodeFixture()
        _ = try f.node.publish()
        let node = try withPolicy(f, #"{"identity":"pseudonymous"}"#)
        #expect { try node.publish() } throws: { ($0 as? NodeError)?.message.contains("pseudonymous") == true }
    }

    @Test func noisedPersonCountsChargeEpsilonOnceAndRefuseAChangedEpsilon() throws {
        let f = try NodeFixture()
        try f.node.defineKPI(KPIDefinition(code: "LOC.VISITORS", name: "Visitors", unit: "count", direction: .higher, field: .living, personCount: true))
        try f.node.setValue(code: "LOC.VISITORS", period: "2024", value: "500")
        var node = try withPolicy(f, #"{"kpis":{"LOC.VISITORS":{"epsilon":0.5,"round":"10"}}}"#)
        _ = try node.publish()
        #expect(try node.epsilonSpent().map(\.spent) == [0.5])
        node = try withPolicy(f, #"{"kpis":{"LOC.VISITORS":{"epsilon":1.0,"round":"10"}}}"#)
        #expect { try node.previewPublication() } throws: { ($0 as? NodeError)?.message.contains("LOC.VISITORS") == true }
        try node.setValue(code: "LOC.VISITORS", period: "2024", value: "900")
        _ = try node.publish()
        #expect(try node.epsilonSpent().map(\.spent) == [1.5])
        let status = try node.status().json
        #expect(status["epsilon"]?.arrayValue?.first?["kpi"]?.stringValue == "LOC.VISITORS")
        #expect(status["epsilon"]?.arrayValue?.first?["spent"]?.numberValue?.doubleValue == 1.5)
    }

    @discardableResult
    func openssl(_ arguments: [String]) throws -> [UInt8] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "openssl \(arguments.joined(separator: " ")) failed")
        return Array(data)
    }
}
