import Foundation
import Formats
import Replication
import Store
import Testing
import TestSupport
@testable import CityNode

/// `citybench serve` as an operator runs it: the real binary, a real home, real signals.
@Suite struct ServeProcessTests {
    /// A running `citybench serve` child process and the address it printed.
    final class ServeProcess {
        let process = Process()
        let output = Pipe()
        let errors = Pipe()
        private(set) var port: UInt16 = 0
        private(set) var origin = ""

        init(home: String, _ extra: [String] = ["--listen", "127.0.0.1:0", "--plain-http"]) throws {
            process.executableURL = URL(fileURLWithPath: CLIRunner.binary)
            process.arguments = ["--home", home, "serve"] + extra
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            // "listening on http://127.0.0.1:PORT as origin ORIGIN"
            var line = ""
            let deadline = Date(timeIntervalSinceNow: 30)
            while !line.contains("\n") && Date() < deadline && process.isRunning {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                line += String(decoding: data, as: UTF8.self)
            }
            let words = line.split(separator: " ")
            guard words.count >= 6, let url = words.dropFirst(2).first, let colon = url.lastIndex(of: ":"),
                  let port = UInt16(url[url.index(after: colon)...]) else {
                process.terminate()
                throw FixtureError("serve did not print its address: \(line)")
            }
            self.port = port
            origin = String(words[5].trimmingCharacters(in: .whitespacesAndNewlines))
        }

        /// Sends `signal` and waits for the exit status.
        func stop(_ signal: Int32 = SIGTERM) -> Int32 {
            kill(process.processIdentifier, signal)
            process.waitUntilExit()
            return process.terminationStatus
        }

        var stderr: String { String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) }
    }

    /// Trusts `client` in the home's database, as `peer add` in another process would.
    static func trust(_ client: TestNode, home: String) throws {
        let node = try Node(home: NodeHome(path: home))
        try node.database.prepare("INSERT INTO origin (origin, trusted, first_key) VALUES (?, 1, ?)")
            .run([.text(client.origin), .blob(client.firstPublicKey)])
    }

    @Test func sigtermDuringAPushAppliesAllOrNothingAndExitsZeroWithASoundDatabase() throws {
        let home = try TemporaryHome(city: "Wolfsburg")
        let client = try TestNode(city: "Aachen", seed: 2)
        try Self.trust(client, home: home.home)
        var values: [(String, String, String)] = []
        for year in 1900...2099 { values.append(("MOB.EV_CHARGERS", String(year), String(year % 97))) }
        try client.publish(values)
        let items = try client.everything()
        let body = JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(items.map(\.json)))])))
        for attempt in 0..<3 {
            let serve = try ServeProcess(home: home.home)
            let auth = RequestAuthorization.sign(origin: client.origin, key: client.signingKey, audience: serve.origin, method: "POST",
                                                 pathWithQuery: "/v1/push", body: body, timestamp: Int(Date().timeIntervalSince1970),
                                                 nonce: Array(repeating: UInt8(attempt + 1), count: 16))
            let done = DispatchSemaphore(value: 0)
            nonisolated(unsafe) var status: Int?
            let port = serve.port
            let thread = Thread {
                status = LoopbackHTTP.request(port: port, method: "POST", target: "/v1/push",
                                              headers: [("Authorization", auth)], body: body)?.status
                done.signal()
            }
            thread.start()
            usleep(UInt32(attempt) * 20_000)
            #expect(serve.stop(SIGTERM) == 0, "\(serve.stderr)")
            done.wait()
            let check = home.run("db", "check")
            #expect(check.exitCode == 0, "\(check)")
            let node = try Node(home: NodeHome(path: home.home))
            let held = try node.database.scalarInt("SELECT count(*) FROM item WHERE origin = ? AND arrival IS NOT NULL", [.text(client.origin)])
            #expect(held == 0 || held == items.count, "half-applied batch: \(held) of \(items.count)")
            if status == 200 { #expect(held == items.count) }
        }
    }

    @Test func serveRefusesPlainHTTPOnANonLoopbackAddress() throws {
        let home = try TemporaryHome()
        let r = home.run("serve", "--listen", "0.0.0.0:0", "--plain-http")
        #expect(r.exitCode == 1 && r.stderr.contains("loopback"), "\(r)")
    }

    @Test func serveSpeaksTLSWithTheNodesCertificateByDefault() throws {
        let home = try TemporaryHome()
        let serve = try ServeProcess(home: home.home, ["--listen", "127.0.0.1:0"])
        // A plain-HTTP request to the TLS port gets no HTTP answer.
        #expect(LoopbackHTTP.request(port: serve.port, method: "GET", target: "/v1/health", headers: [])?.status == nil)
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = ["-sk", "--max-time", "10", "https://127.0.0.1:\(serve.port)/v1/health"]
        let out = Pipe()
        curl.standardOutput = out
        try curl.run()
        curl.waitUntilExit()
        #expect(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == #"{"status":"ok"}"#)
        #expect(serve.stop(SIGINT) == 0)
        #expect(serve.stderr.contains("event=request method=GET path=/v1/health status=200"))
    }

    @Test func dbRestoreDrawsANewEpochAndStatusShowsRestored() throws {
        let home = try TemporaryHome()
        let before = try JSONReader.parse(home.run("status", "--json").stdout)
        let epoch = try #require(before["epoch"]?.stringValue)
        #expect(epoch.count == 16 && before["restored"]?.boolValue == false)
        let backup = home.dir.file("backup.sqlite")
        #expect(home.run("db", "backup", backup).exitCode == 0)
        let restore = home.run("db", "restore", backup)
        #expect(restore.exitCode == 0, "\(restore)")
        let after = try JSONReader.parse(home.run("status", "--json").stdout)
        #expect(after["epoch"]?.stringValue != epoch && after["restored"]?.boolValue == true)
        #expect(after["origins"]?.arrayValue == [] && after["peers"]?.arrayValue == [] && after["epsilon"] != nil)
    }
}
