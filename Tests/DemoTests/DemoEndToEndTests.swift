import Crypto
import Foundation
import Formats
import Replication
import Store
import Testing
import TestSupport
@testable import CityNode
@testable import Demo

@Suite(.serialized) struct DemoEndToEndTests {
    /// The demo directory of the one real run the tests below inspect.
    static let run: (dir: TemporaryDirectory, result: CLIResult) = {
        let dir = TemporaryDirectory(prefix: "demo")
        let result = CLIRunner.run(["demo", "--dir", dir.file("out"), "--uncertainty", "200"])
        return (dir, result)
    }()

    var out: String { Self.run.dir.file("out") }

    @Test func demoRunsToTheEndAndPrintsTheRankingWithIntervals() throws {
        let r = Self.run.result
        #expect(r.exitCode == 0, "\(r)")
        #expect(r.stdout.hasPrefix(DemoData.notice))
        #expect(r.stdout.contains("sync round 1 (along the line)"))
        #expect(r.stdout.contains("https://127.0.0.1:"))
        #expect(r.stdout.contains("Every node is complete: 6 cities"))
        #expect(r.stdout.contains("Overall ranking (illustrative"))
        #expect(r.stdout.contains("Best practice by action field"))
        // Six ranking lines: rank, city, score and an interval "a–b".
        let rows = r.stdout.split(separator: "\n").filter { $0.range(of: #"^\s+\d\s+\S.*\s\d+–\d+\s+\d+$"#, options: .regularExpression) != nil }
        #expect(rows.count == 6, "\(r.stdout)")
    }

    @Test func everyNodeHoldsAllSixCitiesAndRelayedRecordsVerify() throws {
        let homes = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).appendingPathComponent("homes")).sorted()
        #expect(homes.count == 6)
        var exports: Set<String> = []
        for name in homes {
            let home = NodeHome(path: (out as NSString).appendingPathComponent("homes/\(name)"))
            let node = try Node(home: home)
            #expect(try node.federationCells().origins.count == 6, "\(name)")
            exports.insert(CLIRunner.run(["--home", home.path, "export", "--format", "csv"]).stdout)
            try verifyEveryOrigin(node)
        }
        #expect(exports.count == 1, "every node exports the same cells")
    }

    /// Re-verifies every stored record of every other origin against its key chain, and that
    /// each origin's current records hash to the root of its latest head (complete replica).
    func verifyEveryOrigin(_ node: Node) throws {
        let own = try node.identity().origin
        let origins = try node.federationCells().origins.filter { $0 != own }
        #expect(origins.count == 5)
        for origin in origins {
            let rows = try node.database.prepare("SELECT header, signature, payload, kind FROM item WHERE origin = ? AND current = 1 ORDER BY n")
            try rows.bind([.text(origin)])
            var chain = KeyChain(origin: origin)
            var entries: [HeadRoot.Entry] = []
            var headRoot: [UInt8]?
            while try rows.step() {
                let envelope = Envelope(headerBytes: rows.blob(0), signature: rows.blob(1), payload: rows.isNull(2) ? nil : rows.blob(2))
                let item = try Verifier.verify(envelope, chain: chain)
                let header = item.header
                switch header.body {
                case .key:
                    _ = chain.insert(KeyChain.Entry(verifiedKeyRecord: header, headerHash: SHA256.hash(envelope.headerBytes))!)
                case .head(_, let root):
                    headRoot = root
                case .record:
                    entries.append(HeadRoot.Entry(subject: header.subject!, n: header.n, headerHash: SHA256.hash(envelope.headerBytes)))
                }
            }
            #expect(headRoot != nil && HeadRoot.compute(entries) == headRoot, "origin \(origin) is complete")
        }
    }

    @Test func reportIsWrittenAsWellFormedHTMLLabelledIllustrative() throws {
        let path = (out as NSString).appendingPathComponent("report.html")
        let html = try String(contentsOfFile: path, encoding: .utf8)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains(DemoData.notice))
        #expect(html.contains("Overall ranking"))
        #expect(HTMLWellFormedness.problem(in: html) == nil, "\(HTMLWellFormedness.problem(in: html) ?? "")")
    }

    @Test func rosterHoldsOneDescriptorPerCityAndTwoArePseudonymous() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: (out as NSString).appendingPathComponent("peers")).sorted()
        #expect(files.count == 6)
        #expect(files.filter { $0.hasPrefix("city-") }.count == 2)
        for file in files {
            let bytes = try #require(FileManager.default.contents(atPath: (out as NSString).appendingPathComponent("peers/\(file)")))
            let json = try JSONReader.parse(Array(bytes))
            #expect(json["origin"]?.stringValue?.count == 32)
            #expect(json["tlsPin"]?.stringValue?.hasPrefix("sha256//") == true)
        }
    }

    @Test func aSecondRunReusesItsOwnDirectoryButRefusesForeignOnes() throws {
        let foreign = TemporaryDirectory(prefix: "foreign")
        foreign.write("thesis.txt", "not the demo's")
        let r = CLIRunner.run(["demo", "--dir", foreign.path, "--uncertainty", "0"])
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("not empty and was not made by 'citybench demo'"), "\(r)")
        #expect(FileManager.default.fileExists(atPath: foreign.file("thesis.txt")))
    }
}

@Suite struct DemoKeepRunningTests {
    @Test func keepRunningWaitsForCtrlCThenStopsCleanlyWithExitZero() throws {
        let dir = TemporaryDirectory(prefix: "demo-keep")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
        process.arguments = ["demo", "--dir", dir.file("out"), "--uncertainty", "0", "--keep-running"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read until the demo says it waits; bounded by the demo finishing its work, not by a clock.
        var text = ""
        let handle = output.fileHandleForReading
        while !text.contains("press Ctrl-C") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }  // the process ended without waiting
            text += String(decoding: chunk, as: UTF8.self)
        }
        #expect(text.contains("press Ctrl-C"), "\(text)")
        #expect(process.isRunning)
        // Each node's real HTTPS server answers while the demo waits.
        let urls = Set(text.split(separator: "\n").compactMap { line in
            line.split(separator: " ").first { $0.hasPrefix("https://127.0.0.1:") }.map(String.init)
        })
        #expect(urls.count == 6, "\(text)")
        for url in urls {
            let health = try curl(["-sk", "--max-time", "10", url + "/v1/health"])
            #expect(health.contains("\"status\":\"ok\""), "\(url): \(health)")
        }
        process.interrupt()  // SIGINT, as Ctrl-C sends
        text += String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationReason == .exit)
        #expect(process.terminationStatus == 0)
        #expect(text.contains("Stopping the demo nodes."))
    }

    /// Runs `curl` (a set-up dependency of the project) and returns its standard output.
    func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
