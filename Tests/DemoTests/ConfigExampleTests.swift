import Foundation
import Formats
import Model
import Publishing
import Ranking
import Testing
@testable import CityNode

/// The examples under `config/` are what operators copy: each must load as citybench loads it.
@Suite struct ConfigExampleTests {
    static let configDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("config").path

    func bytes(_ name: String) throws -> [UInt8] {
        Array(try #require(FileManager.default.contents(atPath: (Self.configDirectory as NSString).appendingPathComponent(name)), "config/\(name)"))
    }

    @Test func nodeExampleLoadsWithItsCommentsAndNamesEveryOption() throws {
        let configuration = try NodeConfiguration(json: try bytes("node.example.json"))
        #expect(configuration.listen == NodeConfiguration.defaultListen)
        #expect(configuration.tlsCertificate == NodeConfiguration.defaultTLSCertificate)
        #expect(configuration.tlsKey == NodeConfiguration.defaultTLSKey)
        let policy = try DisclosurePolicy(json: .object(configuration.disclosure))
        #expect(policy == DisclosurePolicy(defaults: DisclosurePolicy.KPIRule(share: true, minimumCount: 3)))
        let comments = (try JSONReader.parse(try bytes("node.example.json")))["//"]?.arrayValue?.compactMap(\.stringValue).joined() ?? ""
        for option in ["city", "country", "region", "ags", "url", "listen", "tlsCertificate", "disclosure.identity", "disclosure.kpis", "disclosure.projects"] {
            #expect(comments.contains(option), "node.example.json documents \(option)")
        }
    }

    @Test func disclosureExamplesLoadAndDifferAsTheirNamesSay() throws {
        let named = try DisclosurePolicy(json: try JSONReader.parse(try bytes("disclosure/named.json")))
        let pseudonymous = try DisclosurePolicy(json: try JSONReader.parse(try bytes("disclosure/pseudonymous.json")))
        let strict = try DisclosurePolicy(json: try JSONReader.parse(try bytes("disclosure/strict.json")))
        #expect(named.identity == .named && named.projects == .descriptors)
        #expect(pseudonymous.identity == .pseudonymous)
        #expect(strict.identity == .pseudonymous && strict.projects == .counts)
        #expect(strict.rule(for: "EGOV.ONLINE_TRANSACTIONS", inBuiltInCatalog: true).epsilon == 1.0)
        #expect(strict.rule(for: "ECO.UNEMPLOYMENT_RATE", inBuiltInCatalog: true).share == false)
        #expect(strict.rule(for: "MOB.EV_CHARGERS", inBuiltInCatalog: true).k == 10)
        for code in strict.rules.keys { #expect(KPICatalog.builtIn.contains(code), "\(code) is a catalog KPI") }
    }

    @Test func weightsExampleLoadsAgainstTheBuiltInCatalog() throws {
        let weights = try WeightsFile.load(bytes: try bytes("weights.example.json"))
        #expect(weights.fields[.egov] == 2)
        #expect(weights.kpis["EGOV.PERMIT_DAYS"] == 2)
        #expect(weights.targets["EGOV.PERMIT_DAYS"] == 30)
    }
}
