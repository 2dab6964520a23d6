import Foundation
import Formats
import HTTPServer
import Replication
import Store
import Synchronization
import Testing
import TestSupport
@testable import CityNode

/// A signed no-change `/v1/changes` is answered on the event loop from memory (design §10's
/// scheduled-sync case). What the memory answers must always be what the database would: any
/// commit by another connection or process (new arrivals, trust taken away) is seen by the very
/// next request, and the memory serves only cursors that need no read of the log.
@Suite struct ChangesFromMemoryTests {
    static func page(_ response: LoopbackHTTP.Response?) throws -> JSONValue {
        let response = try #require(response)
        try #require(response.status == 200, "\(response.status) \(String(decoding: response.body, as: UTF8.self))")
        return try JSONReader.parse(response.body)
    }

    @Test func theNodesMemoryAnswersOnlyWhatNeedsNoReadAndForgetsAtTheNextCommitOfAnyConnection() throws {
        let served = try TestNode(city: "Braunschweig", seed: 1)
        let other = try Node(home: served.home)  // another connection, as another process would hold
        try served.publish([("MOB.EV_CHARGERS", "2024", "5")])
        let node = served.node
        #expect(node.changesFromMemo(since: .beginning) == nil, "nothing is known before the first read")
        guard case .page(let first) = try node.changes(since: .beginning, limitBytes: 262_144, origin: nil) else {
            Issue.record("a page")
            return
        }
        let upToDate = try #require(ChangesCursor(first.next))
        #expect(node.changesFromMemo(since: upToDate) == .page(ChangesPage(epoch: first.epoch, next: first.next, more: false, items: [])))
        #expect(node.changesFromMemo(since: .beginning) == nil, "a cursor behind the log needs a read")
        #expect(node.changesFromMemo(since: try #require(ChangesCursor("0123456789abcdef.1"))) == .epochChanged(current: first.epoch))
        // Another connection commits arrivals: the memory no longer vouches for anything …
        try other.setValue(code: "MOB.EV_CHARGERS", period: "2025", value: "6")
        _ = try other.publish()
        #expect(node.changesFromMemo(since: upToDate) == nil)
        // … and the read it defers to serves the new items.
        guard case .page(let second) = try node.changes(since: upToDate, limitBytes: 262_144, origin: nil) else {
            Issue.record("a page")
            return
        }
        #expect(!second.items.isEmpty && second.next != first.next)
        #expect(node.changesFromMemo(since: try #require(ChangesCursor(second.next))) != nil)
        // A commit that appends nothing to the log (a new origin trusted) also ends the memory.
        try other.trust(origin: String(repeating: "ab", count: 16), label: nil)
        #expect(node.changesFromMemo(since: try #require(ChangesCursor(second.next))) == nil)
    }

    @Test func overRandomCommitsByAnotherConnectionEveryAnswerIsTheDatabasesAndMostComeFromMemory() throws {
        let s = try RunningServer()
        let a = try TestNode(city: "Aachen", seed: 2)
        let b = try TestNode(city: "Bonn", seed: 3)
        try s.trust(a)
        try s.trust(b)
        var random = SeededGenerator(seed: 0x3E3)
        var cursor = "0"
        var bTrusted = true
        var fromMemoryBefore = s.server.api.changesFromMemory.load(ordering: .relaxed)
        for round in 0..<40 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0:  // a city's new records reach the node through another connection
                let year = String(1900 + round)
                let items = try a.publish([("MOB.EV_CHARGERS", year, String(round))])
                _ = try s.host.node.ingest(items, relayedBy: nil)
            case 1:  // the node's own city publishes, from another connection
                try s.host.node.setValue(code: "MOB.EV_CHARGERS", period: String(1900 + round), value: String(round))
                _ = try s.host.node.publish()
            case 2:  // trust of the caller taken away or given back by another connection
                if bTrusted { try s.host.node.distrust(origin: b.origin) } else { try s.trust(b) }
                bTrusted.toggle()
            default:
                break
            }
            // The reference: what the other connection reads from the database for this cursor.
            let expected = try s.host.node.changes(since: try #require(ChangesCursor(cursor)), limitBytes: 262_144, origin: nil)
            for ask in 0..<2 {
                let response = s.signed(b, "GET", "/v1/changes?since=\(cursor)")
                guard bTrusted else {
                    #expect(response?.status == 403, "round \(round): untrusted is refused at once")
                    continue
                }
                guard case .page(let page) = expected else {
                    Issue.record("round \(round): the reference is a page")
                    continue
                }
                let json = try Self.page(response)
                #expect(json["next"]?.stringValue == page.next && json["epoch"]?.stringValue == page.epoch,
                        "round \(round) ask \(ask)")
                #expect(json["items"]?.arrayValue?.count == page.items.count, "round \(round) ask \(ask)")
                if ask == 1 { cursor = page.next }
            }
            let fromMemory = s.server.api.changesFromMemory.load(ordering: .relaxed)
            if bTrusted, case .page(let page) = expected, page.items.isEmpty {
                // Two up-to-date asks with no commit between: at least the second from memory.
                #expect(fromMemory > fromMemoryBefore, "round \(round): an up-to-date cursor is answered from memory")
            }
            fromMemoryBefore = fromMemory
        }
        let metrics = try #require(LoopbackHTTP.request(port: s.port, method: "GET", target: "/metrics"))
        #expect(String(decoding: metrics.body, as: UTF8.self).contains("citybench_changes_answered_from_memory_total \(fromMemoryBefore)\n"))
    }

    /// A server trusting one client that has read the whole feed: the returned target asks with
    /// the up-to-date cursor, which the server has answered once (so the next comes from memory).
    static func upToDate(api: PeerAPIConfiguration = PeerAPIConfiguration()) throws -> (RunningServer, TestNode, String) {
        let s = try RunningServer(api: api)
        let a = try TestNode(city: "Aachen", seed: 2)
        try s.trust(a)
        let page = try Self.page(s.signed(a, "GET", "/v1/changes?since=0"))
        let target = "/v1/changes?since=\(try #require(page["next"]?.stringValue))"
        _ = try Self.page(s.signed(a, "GET", target))
        return (s, a, target)
    }

    @Test func aReplayedNoChangeRequestIsRefusedOnTheLoopPathToo() throws {
        let (s, a, target) = try Self.upToDate()
        let before = s.server.api.changesFromMemory.load(ordering: .relaxed)
        let value = s.authorization(a, "GET", target)
        let first = LoopbackHTTP.request(port: s.port, method: "GET", target: target, headers: [("Authorization", value)])
        #expect(first?.status == 200)
        #expect(s.server.api.changesFromMemory.load(ordering: .relaxed) == before + 1, "answered from memory")
        let replay = LoopbackHTTP.request(port: s.port, method: "GET", target: target, headers: [("Authorization", value)])
        #expect(replay?.status == 401 && AuthenticationTests.code(replay) == "auth_replayed")
    }

    @Test func anOriginWhoseNonceTableIsFullGets429OnTheLoopPathToo() throws {
        var api = PeerAPIConfiguration()
        api.replayCapacityPerOrigin = 4
        let (s, a, target) = try Self.upToDate(api: api)
        for _ in 0..<2 { _ = try Self.page(s.signed(a, "GET", target)) }
        let before = s.server.api.changesFromMemory.load(ordering: .relaxed)
        let refused = s.signed(a, "GET", target)
        #expect(refused?.status == 429 && refused?.headers["retry-after"] != nil, "\(String(describing: refused?.status))")
        #expect(s.server.api.changesFromMemory.load(ordering: .relaxed) == before, "refused before any answer")
    }

    @Test func aRequestDeferredBecauseTheNodeIsBusyIsCheckedOnceOnThePool() throws {
        let (s, a, target) = try Self.upToDate()
        let api = s.server.api
        let request = HTTPRequest(method: "GET", path: "/v1/changes", query: String(target.split(separator: "?")[1]),
                                  queryItems: [QueryItem(name: "since", value: String(target.split(separator: "=")[1]))],
                                  headers: HTTPHeaders([("Authorization", s.authorization(a, "GET", target))]))
        // While a handler holds the node, the loop cannot even look at the memory: it hands the
        // whole request over before any check, so the pool's check spends the nonce once.
        let router = api.router
        let held = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        Thread { api.shared.withNode { _ in held.signal(); release.wait() } }.start()
        held.wait()
        let outcome = router.route(request)
        release.signal()
        guard case .block(let work) = outcome else {
            Issue.record("a busy node defers the request")
            return
        }
        #expect(work().status == .ok)
        #expect(router.respond(to: request).status == .unauthorized, "the same request again is a replay")
    }

    @Test func aRunningServeSeesAnotherProcesssPublishAndDistrustAtOnce() throws {
        let home = try TemporaryHome(city: "Wolfsburg")
        let client = try TestNode(city: "Aachen", seed: 2)
        try ServeProcessTests.trust(client, home: home.home)
        let serve = try ServeProcessTests.ServeProcess(home: home.home)
        defer { _ = serve.stop() }
        var nonce: UInt8 = 0
        func changes(_ cursor: String) -> LoopbackHTTP.Response? {
            nonce += 1
            let target = "/v1/changes?since=\(cursor)"
            let auth = RequestAuthorization.sign(origin: client.origin, key: client.signingKey, audience: serve.origin, method: "GET",
                                                 pathWithQuery: target, body: [], timestamp: Int(Date().timeIntervalSince1970),
                                                 nonce: Array(repeating: nonce, count: 16))
            return LoopbackHTTP.request(port: serve.port, method: "GET", target: target, headers: [("Authorization", auth)])
        }
        var cursor = "0"
        for _ in 0..<3 {
            let page = try Self.page(changes(cursor))
            cursor = try #require(page["next"]?.stringValue)
        }
        // Other processes open the database meanwhile: each must find SQLite's shared memory in
        // use (the server's locks intact), not rebuild it under the running server.
        for _ in 0..<3 {
            #expect(home.run("status").exitCode == 0)
            #expect(changes(cursor)?.status == 200)
        }
        // The up-to-date cursor is now answered from memory; the city publishes from the command line.
        let set = home.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "7")
        try #require(set.exitCode == 0, "\(set)")
        let publish = home.run("publish")
        try #require(publish.exitCode == 0, "\(publish)")
        let fresh = try Self.page(changes(cursor))
        #expect(fresh["items"]?.arrayValue?.isEmpty == false, "the records published by another process are served at once")
        cursor = try #require(fresh["next"]?.stringValue)
        _ = try Self.page(changes(cursor))
        _ = try Self.page(changes(cursor))
        // Trust taken away by another process: the next request is refused.
        let node = try Node(home: NodeHome(path: home.home))
        try node.distrust(origin: client.origin)
        #expect(changes(cursor)?.status == 403)
        let metrics = try #require(LoopbackHTTP.request(port: serve.port, method: "GET", target: "/metrics"))
        let line = String(decoding: metrics.body, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix("citybench_changes_answered_from_memory_total ") }
        #expect(line.flatMap { Int($0.split(separator: " ").last ?? "") }.map { $0 >= 2 } == true, "\(String(describing: line))")
    }
}
