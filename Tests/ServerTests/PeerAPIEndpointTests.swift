import Foundation
import Formats
import Replication
import Testing
import TestSupport
@testable import CityNode

@Suite struct PeerAPIEndpointTests {
    @Test func healthAndInfoAnswerWithoutAuthenticationAndInfoNamesANamedNode() throws {
        let s = try RunningServer(city: "Braunschweig")
        let health = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/health")
        #expect(health?.status == 200 && health?.text == #"{"status":"ok"}"#)
        let info = try #require(LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/info"))
        let json = try JSONReader.parse(info.body)
        #expect(json["protocol"]?.numberValue?.intValue == 1)
        #expect(json["epoch"]?.stringValue == (try s.host.node.currentEpoch().id))
        #expect(json["origin"]?.stringValue == s.host.origin && json["label"]?.stringValue == "Braunschweig")
    }

    @Test func infoOfAPseudonymousNodeGivesNeitherOriginNorLabel() throws {
        let s = try RunningServer(city: "Emsdetten", pseudonymous: true)
        let json = try JSONReader.parse(try #require(LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/info")).body)
        #expect(json["origin"] == nil && json["label"] == nil && json["epoch"]?.stringValue?.count == 16)
    }

    @Test func servedOpenAPIDocumentIsTheRepositoryFileByteForByte() throws {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let file = try Data(contentsOf: repo.appendingPathComponent("docs/openapi.json"))
        var expected = Array(file)
        if expected.last == 10 { expected.removeLast() }
        #expect(Array(OpenAPIDocument.json.utf8) == expected, "run scripts/embed-openapi.sh after editing docs/openapi.json")
        let s = try RunningServer()
        let served = try #require(LoopbackHTTP.request(port: s.port, method: "GET", target: "/openapi.json"))
        #expect(served.status == 200 && served.body == expected)
        let doc = try JSONReader.parse(served.body)
        let paths = Set(doc["paths"]?.objectValue?.keys ?? [])
        #expect(paths == ["/v1/health", "/v1/info", "/openapi.json", "/metrics", "/v1/changes", "/v1/push", "/v1/reconcile"])
    }

    @Test func unknownPathsAndMethodsAre404And405BeforeAuthentication() throws {
        let s = try RunningServer()
        #expect(LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/nothing")?.status == 404)
        let wrong = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/push")
        #expect(wrong?.status == 405 && wrong?.headers["allow"] == "POST")
    }

    @Test func metricsCountRequestsByRouteAndStatusAndRecordsByOrigin() throws {
        let s = try RunningServer()
        let client = try TestNode(city: "Aachen", seed: 2)
        try s.trust(client)
        try client.publish([("MOB.EV_CHARGERS", "2024", "12")])
        #expect(RunningServer.statuses(s.push(client, try client.everything())).allSatisfy { $0 == "accepted" })
        _ = LoopbackHTTP.request(port: s.port, method: "GET", target: "/v1/changes?since=0")
        let text = try #require(LoopbackHTTP.request(port: s.port, method: "GET", target: "/metrics")).text
        #expect(text.contains(#"citybench_http_requests_total{route="/v1/push",status="200"} 1"#))
        #expect(text.contains(#"citybench_http_requests_total{route="/v1/changes",status="401"} 1"#))
        #expect(text.contains(#"citybench_http_request_duration_seconds_bucket{route="/v1/push",le="+Inf"} 1"#))
        #expect(text.contains("citybench_records{origin=\"\(client.origin)\",trust=\"trusted\"} \(try client.everything().count)"), "\(text)")
        #expect(!text.contains("MOB.EV_CHARGERS"))
    }

    @Test func changesPagesWithSmallLimitsResumeFromTheCursorAndFilterByOrigin() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2), k = try TestNode(city: "Kempten", seed: 3)
        try s.trust(a)
        try s.trust(k)
        try a.publish([("MOB.EV_CHARGERS", "2022", "1"), ("MOB.EV_CHARGERS", "2023", "2"), ("MOB.EV_CHARGERS", "2024", "3")])
        try k.publish([("MOB.EV_CHARGERS", "2024", "9")])
        #expect(RunningServer.statuses(s.push(a, try a.everything() + k.everything())).allSatisfy { $0 == "accepted" })
        let whole = try s.allChanges(as: a)
        // The server's own items (its first key record) are served too.
        #expect(whole.count == (try s.host.everything().count + a.everything().count + k.everything().count))
        // Pages of one item each give the same sequence; the cursor resumes exactly.
        #expect(try s.allChanges(as: a, limit: 1) == whole)
        #expect(try s.allChanges(as: a, limit: 700) == whole)
        let onlyK = try s.allChanges(as: a, origin: k.origin)
        #expect(onlyK == (try k.everything().map { JSONWriter.string($0.json) }))

        // A cursor at the end gets an empty page with the same cursor; later items follow it.
        let first = try JSONReader.parse(try #require(s.signed(a, "GET", "/v1/changes?since=0")).body)
        let next = try #require(first["next"]?.stringValue)
        let empty = try #require(s.signed(a, "GET", "/v1/changes?since=\(next)"))
        #expect(empty.status == 200 && empty.text == "{\"epoch\":\"\(next.prefix(16))\",\"next\":\"\(next)\",\"more\":false,\"items\":[]}")
        #expect(empty.body.count <= 250)
        try a.publish([("MOB.EV_CHARGERS", "2025", "4")])
        _ = s.push(a, try a.everything())
        let later = try JSONReader.parse(try #require(s.signed(a, "GET", "/v1/changes?since=\(next)")).body)
        #expect(later["items"]?.arrayValue?.count == 2)
    }

    @Test func aCursorOfAnotherEpochOrBeyondTheLogIs409WithTheCurrentEpoch() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let epoch = try s.host.node.currentEpoch()
        let other = try #require(s.signed(a, "GET", "/v1/changes?since=0123456789abcdef.0"))
        #expect(other.status == 409)
        let body = try JSONReader.parse(other.body)
        #expect(body["error"]?["code"]?.stringValue == "epoch_changed" && body["epoch"]?.stringValue == epoch.id)
        let beyond = s.signed(a, "GET", "/v1/changes?since=\(epoch.id).\(epoch.highestArrival + 1)")
        #expect(beyond?.status == 409)
        #expect(s.signed(a, "GET", "/v1/changes?since=\(epoch.id).\(epoch.highestArrival)")?.status == 200)
        for bad in ["since=x", "since=0&since=0", "since=0&limit=0", "since=0&limit=99999999999", "since=0&origin=ZZ", "since=0&extra=1", "limit=5"] {
            let r = s.signed(a, "GET", "/v1/changes?\(bad)")
            #expect(r?.status == 400, "\(bad): \(String(describing: r))")
        }
    }

    @Test func reconcileAnswersEqualForTheSameDigestAndTheServersHeadsOtherwise() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let published = try a.publish([("MOB.EV_CHARGERS", "2024", "7")])
        _ = s.push(a, try a.everything())
        let heads = try s.host.node.trustedHeads()
        #expect(heads.map(\.origin) == [a.origin])  // the server itself has published no head yet
        let digest = Base64URL.encode(HeadsDigest.compute(heads))
        let equal = s.signed(a, "POST", "/v1/reconcile", body: Array("{\"digest\":\"\(digest)\"}".utf8))
        #expect(equal?.status == 200 && equal?.text == #"{"equal":true}"#)
        let different = try #require(s.signed(a, "POST", "/v1/reconcile", body: Array("{\"digest\":\"\(Base64URL.encode([UInt8](repeating: 0, count: 32)))\"}".utf8)))
        let json = try JSONReader.parse(different.body)
        let head = try #require(published.last)
        #expect(json["heads"]?[a.origin]?["n"]?.numberValue?.intValue == (try Header.parse(head.headerBytes).n))
        #expect(json["heads"]?[a.origin]?["hash"]?.stringValue == Base64URL.encode(head.headerHash))
        let byHeads = s.signed(a, "POST", "/v1/reconcile", body: Array("{\"heads\":{}}".utf8))
        #expect(byHeads?.status == 200 && byHeads?.body == different.body)
        for bad in [#"{}"#, #"{"digest":"abc"}"#, #"{"digest":"x","heads":{}}"#, #"{"heads":{"nothex":{"n":1,"hash":"x"}}}"#, #"[]"#] {
            #expect(s.signed(a, "POST", "/v1/reconcile", body: Array(bad.utf8))?.status == 400, "\(bad)")
        }
    }
}
