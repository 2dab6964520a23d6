import Foundation
import Formats
import Testing
import TestSupport
@testable import Sync

/// The real binary: exit codes 0 / 75 / 1 / 64 and the `--json` shapes of design §6.
@Suite struct SyncCommandTests {
    @Test func noPeersExitsZeroWithAnEmptyList() throws {
        let home = try TemporaryHome(city: "Ulm")
        let r = home.run("sync", "--json")
        #expect(r.exitCode == 0)
        #expect(r.stdout == "{\"peers\":[]}\n")
    }

    @Test func unreachablePeerExitsSeventyFiveAndNamesTheCause() throws {
        let a = try TemporaryHome(city: "Aachen", ["--url", "https://127.0.0.1:1"])
        let b = try TemporaryHome(city: "Kempten")
        let descriptor = a.run("identity", "--json").stdout
        #expect(b.run("peer", "add", b.file("aachen.json", descriptor)).exitCode == 0)
        let r = b.run("sync", "--json")
        #expect(r.exitCode == 75, "\(r)")
        let json = try JSONReader.parse(r.stdout)
        let peer = try #require(json["peers"]?.arrayValue?.first)
        #expect(peer["peer"]?.stringValue == "Aachen" && peer["state"]?.stringValue == "failed")
        #expect(peer["error"]?.stringValue?.contains("Aachen") == true)
        #expect(peer.objectValue?.keys == ["peer", "state", "received", "sent", "roundTrips", "requestBytes", "responseBytes", "ms", "error"])
        // The delay is drawn with full jitter from [0, 30·2^failures) s (design §6), so it may be
        // over before the next command starts: --force fails again (doubling the window) until
        // the drawn next try lies at least 60 s ahead; a handful of rounds make that near certain.
        func peerStatus() throws -> JSONValue? { try JSONReader.parse(b.run("status", "--json").stdout)["peers"]?.arrayValue?.first }
        var failures = 1
        while let next = try peerStatus()?["nextTry"]?.numberValue?.intValue, next < Int(Date().timeIntervalSince1970) + 60, failures < 12 {
            #expect(b.run("sync", "--force").exitCode == 75)
            failures += 1
        }
        #expect(try peerStatus()?["failures"]?.numberValue?.intValue == failures)
        // Now in backoff: nothing is attempted and the run succeeds; --force tries again.
        let waiting = b.run("sync", "--json")
        #expect(waiting.exitCode == 0)
        #expect(try JSONReader.parse(waiting.stdout)["peers"]?.arrayValue?.first?["state"]?.stringValue == "backoff")
        #expect(b.run("sync", "--force").exitCode == 75)
        #expect(try peerStatus()?["failures"]?.numberValue?.intValue == failures + 1)
        #expect(b.run("status").stdout.contains("peer         Aachen: last success never, failures \(failures + 1), next try "))
    }

    @Test func heldLockSkipsTheRunAndExitsZero() throws {
        let home = try TemporaryHome(city: "Jena")
        let lock = try #require(try SyncLock.tryAcquire(path: home.home + "/sync.lock"))
        let r = home.run("sync", "--json")
        #expect(r.exitCode == 0)
        #expect(r.stdout == "{\"peers\":[],\"skipped\":\"locked\"}\n")
        withExtendedLifetime(lock) {}
    }

    @Test func unknownPeerIsAUsageError() throws {
        let home = try TemporaryHome(city: "Jena")
        #expect(home.run("sync", "--peer", "nobody").exitCode == 64)
        #expect(home.run("sync", "--bogus").exitCode == 64)
    }

    @Test func missingHomeIsALocalError() throws {
        let dir = TemporaryDirectory()
        let r = CLIRunner.run(["--home", dir.file("nothing"), "sync"])
        #expect(r.exitCode == 1)
    }

    @Test func peerCommandsRoundTripThroughTheCommandLine() throws {
        let a = try TemporaryHome(city: "Aachen", ["--url", "https://127.0.0.1:8443"])
        let b = try TemporaryHome(city: "Kempten")
        let id = try JSONReader.parse(a.run("identity", "--json").stdout)
        let key = try #require(id["publicKey"]?.stringValue)
        #expect(b.run("peer", "add", "--name", "aachen", "--url", "https://127.0.0.1:8443", "--key", key).exitCode == 0)
        let list = try JSONReader.parse(b.run("peer", "list", "--json").stdout)
        #expect(list.arrayValue?.first?["name"]?.stringValue == "aachen")
        #expect(list.arrayValue?.first?["origin"]?.stringValue == id["origin"]?.stringValue)
        #expect(b.run("peer", "add", "--name", "x", "--url", "https://127.0.0.1:8443", "--key", "bm90LWEta2V5").exitCode == 1)
        #expect(b.run("peer", "add").exitCode == 64)
        #expect(b.run("peer", "remove", "aachen").exitCode == 0)
        #expect(b.run("peer", "remove", "aachen").exitCode == 1)
        #expect(b.run("peer", "list", "--json").stdout == "[]\n")
    }
}
