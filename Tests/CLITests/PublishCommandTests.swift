import Foundation
import Formats
import Testing
import TestSupport

/// `publish`, `retract` and `key rotate` through the real binary.
@Suite struct PublishCommandTests {
    func json(_ r: CLIResult) throws -> JSONValue { try JSONReader.parse(r.stdout.trimmingCharacters(in: .newlines)) }

    @Test func previewPrintsSubjectLinesAndPayloadsAndStoresNothing() throws {
        let h = try TemporaryHome(["--population", "180000"])
        #expect(h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "95").exitCode == 0)
        let preview = h.run("publish", "--preview")
        #expect(preview.exitCode == 0)
        let lines = preview.stdout.split(separator: "\n").map(String.init)
        let subjectLines = lines.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)
        #expect(subjectLines.first == "kpi/2024 set")
        #expect(subjectLines.contains("profile set"))
        #expect(lines[1] == #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"95","flag":"ok","unit":"count"}]}"#)
        #expect(!preview.stdout.contains("\"at\"") && !preview.stderr.contains("level="))
        // Nothing was stored: the real publication still has everything to do.
        let published = try json(h.run("publish", "--json"))
        #expect(published["records"]?.arrayValue?.count == subjectLines.count)
        // The payloads signed are the payloads previewed, byte for byte.
        let payloads = published["records"]!.arrayValue!.compactMap { $0["p"]?.stringValue.flatMap(Base64URL.decode) }
        #expect(payloads.map { String(decoding: $0, as: UTF8.self) } == lines.enumerated().filter { $0.offset % 2 == 1 }.map(\.element))
    }

    @Test func publishJSONHasTheContractShapeAndNothingChangedIsNull() throws {
        let h = try TemporaryHome()
        let first = try json(h.run("publish", "--json"))
        #expect(first.objectValue?.keys == ["n", "records", "head"])
        #expect(first["n"]?.numberValue?.intValue != nil && first["head"]?["h"] != nil)
        let second = h.run("publish", "--json")
        #expect(second.exitCode == 0)
        #expect(second.stdout == "{\"n\":null,\"records\":[],\"head\":null}\n")
        #expect(h.run("publish").stdout.contains("Nothing changed"))
    }

    @Test func retractAndKeyRotateWorkAndRefuseBadInput() throws {
        let h = try TemporaryHome()
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2023", "10")
        h.run("publish")
        let retract = h.run("retract", "kpi/2023", "--purge", "--reason", "error")
        #expect(retract.exitCode == 0, "\(retract)")
        let notPublished = h.run("retract", "kpi/2022")
        #expect(notPublished.exitCode == 1 && notPublished.stderr.contains("kpi/2022"))
        #expect(h.run("retract", "nonsense").exitCode == 1)
        #expect(h.run("retract").exitCode == 64)
        let rotate = h.run("key", "rotate")
        #expect(rotate.exitCode == 0 && rotate.stdout.contains("Back up keys/"))
        let identity = try json(h.run("identity", "--json"))
        #expect(identity["keys"]?.arrayValue?.count == 2)
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2023", "11")
        let after = h.run("publish", "--json")
        let afterJSON = try json(after)
        #expect(after.exitCode == 0 && afterJSON["records"]?.arrayValue?.count == 1)
        let mode = try FileManager.default.attributesOfItem(atPath: h.home + "/keys/signing.pem")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
