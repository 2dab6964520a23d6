import Formats
import Testing
@testable import CityNode

@Suite struct NodeConfigurationTests {
    @Test func roundTripsAndKeepsTheDisclosureObjectVerbatim() throws {
        let text = #"{"city":"Aachen","country":"DE","listen":"0.0.0.0:9443","disclosure":{"identity":"named","kpis":{"MOB.EV_CHARGERS":{"step":"5"}},"projects":"counts"},"future":{"x":1}}"#
        let c = try NodeConfiguration(json: Array(text.utf8))
        #expect(c.profile.name == "Aachen" && c.listen == "0.0.0.0:9443" && c.url == nil)
        #expect(c.tlsCertificate == NodeConfiguration.defaultTLSCertificate)
        #expect(JSONWriter.string(.object(c.disclosure)) == #"{"identity":"named","kpis":{"MOB.EV_CHARGERS":{"step":"5"}},"projects":"counts"}"#)
        let again = try NodeConfiguration(json: c.json)
        #expect(again == c)
    }

    @Test(arguments: [
        (#"{"country":"DE"}"#, "field 'city' is missing"),
        (#"{"city":"A","country":7}"#, "field 'country' must be a string"),
        (#"{"city":"A","country":"Deutschland"}"#, "country 'Deutschland'"),
        (#"{"city":"A","country":"DE","listen":"localhost"}"#, "field 'listen'"),
        (#"{"city":"A","country":"DE","url":"bs.example"}"#, "field 'url'"),
        (#"{"city":"A","country":"DE","disclosure":[]}"#, "field 'disclosure' must be a JSON object"),
        (#"{"city":"A","country":"DE","disclosure":{"identity":"anonymous"}}"#, "disclosure.identity"),
        (#"{"city":"A","city":"B","country":"DE"}"#, "not valid JSON"),
        (#"["city"]"#, "must hold a JSON object"),
    ])
    func refusesMalformedFilesNamingTheField(text: String, mention: String) {
        #expect {
            try NodeConfiguration(json: Array(text.utf8))
        } throws: { error in
            (error as? NodeError).map { $0.code == .invalidConfiguration && $0.message.contains(mention) } ?? false
        }
    }
}
