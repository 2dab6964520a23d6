import Foundation
import Formats
import Testing
import TestSupport

@Suite struct DataEntryCommandTests {
    @Test func initPrintsTheIdentityAndIdentityJSONHasTheDescriptorKeysInOrder() throws {
        let h = try TemporaryHome(["--population", "180000", "--url", "https://sb.example"])
        let r = h.run("identity", "--json")
        #expect(r.exitCode == 0)
        let o = try #require(try JSONReader.parse(r.stdout.trimmingCharacters(in: .newlines)).objectValue)
        #expect(o.keys == ["origin", "label", "publicKey", "url", "tlsPin", "keys"])
        #expect(o["keys"]?.arrayValue?.count == 1)
        #expect(o["label"]?.stringValue == "Saarbrücken")
        #expect(o["url"]?.stringValue == "https://sb.example")
        #expect(h.run("identity").stdout.contains("tlsPin"))
        let pretty = h.run("identity", "--json", "--pretty").stdout
        #expect(pretty.contains("\n  \"origin\": "))
    }

    @Test func identityPinMatchesTheOpenSSLPipeline() throws {
        let h = try TemporaryHome()
        let pin = try #require(try JSONReader.parse(h.run("identity", "--json").stdout.trimmingCharacters(in: .newlines))["tlsPin"]?.stringValue)
        let script = "openssl x509 -in '\(h.home)/keys/tls-cert.pem' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let expected = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        p.waitUntilExit()
        #expect(pin == "sha256//" + expected)
    }

    @Test func setImportAndExportKeepDecimalsExactly() throws {
        let h = try TemporaryHome()
        #expect(h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "12.50", "--source", "Stadtwerke").exitCode == 0)
        let csv = h.file("v.csv", "kpi;period;value\nMOB.EV_CHARGERS;2023;1.234,50\n")
        let imported = h.run("kpi", "import", csv)
        #expect(imported.exitCode == 0, "\(imported)")
        #expect(h.run("kpi", "export").stdout == "kpi,period,value,unit,source,note\nMOB.EV_CHARGERS,2023,1234.5,count,,\nMOB.EV_CHARGERS,2024,12.5,count,Stadtwerke,\n")
    }

    @Test func defineAndListLocalKPIsAsJSON() throws {
        let h = try TemporaryHome()
        let r = h.run("kpi", "define", "LOC.BENCHES", "--name", "Smart benches", "--unit", "count", "--direction", "higher",
                      "--field", "living", "--per-capita", "10000", "--ref", "local survey")
        #expect(r.exitCode == 0, "\(r)")
        let list = try #require(try JSONReader.parse(h.run("kpi", "list", "--json").stdout.trimmingCharacters(in: .newlines)).arrayValue)
        let mine = try #require(list.first { $0["code"]?.stringValue == "LOC.BENCHES" }?.objectValue)
        #expect(mine.keys == ["code", "name", "unit", "direction", "field", "perCapita", "personCount", "refs"])
        #expect(mine["perCapita"]?.numberValue?.intValue == 10000)
    }

    @Test func projectCommandsRoundTrip() throws {
        let h = try TemporaryHome()
        let add = h.run("project", "add", "Digitale Bauakte", "--field", "egov", "--category", "digital-permit", "--status", "active",
                        "--start", "2022", "--budget", "99000.5", "--kpi", "MOB.EV_CHARGERS", "--kpi", "POP.TOTAL")
        #expect(add.exitCode == 0, "\(add)")
        let id = add.stdout.trimmingCharacters(in: .newlines)
        #expect(id.count == 16)
        let show = h.run("project", "show", id, "--json")
        let o = try #require(try JSONReader.parse(show.stdout.trimmingCharacters(in: .newlines)).objectValue)
        #expect(o.keys == ["id", "name", "field", "category", "status", "start", "end", "budget", "description", "goal", "kpis"])
        #expect(o["budget"]?.stringValue == "99000.5")
        #expect(h.run("project", "update", id, "--status=done", "--end", "2024").exitCode == 0)
        #expect(h.run("project", "show", id).stdout.contains("status       done"))
        #expect(h.run("project", "update", id, "--clear-kpis").exitCode == 0)
        #expect(h.run("project", "show", id).stdout.contains("kpis         -"))
        #expect(h.run("project", "list").stdout.contains("Digitale Bauakte"))
        let csv = h.file("p.csv", "name,field,category,kpis\nWLAN,infrastructure,public-wifi,MOB.EV_CHARGERS\n")
        let imported = h.run("project", "import", csv)
        #expect(imported.exitCode == 0, "\(imported)")
        #expect(h.run("project", "list", "--json").stdout.contains("\"WLAN\""))
    }

    @Test func statusAndDbCheckReportAHealthyNode() throws {
        let h = try TemporaryHome(["--population", "180000"])
        let status = h.run("status", "--json")
        let o = try #require(try JSONReader.parse(status.stdout.trimmingCharacters(in: .newlines)).objectValue)
        #expect(Array(o.keys.prefix(8)) == ["origin", "label", "epoch", "restored", "counts", "origins", "peers", "epsilon"])
        #expect(o["counts"]?["kpiValues"]?.numberValue?.intValue == 1)
        #expect(h.run("status").stdout.contains("population   180000 (large)"))
        let check = h.run("db", "check")
        #expect(check.exitCode == 0)
        #expect(check.stdout.hasPrefix("ok:"))
    }

    @Test func homeComesFromTheFlagAfterTheCommandOrTheEnvironment() throws {
        let h = try TemporaryHome()
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "3")
        let after = CLIRunner.run(["kpi", "export", "--home", h.home])
        let equals = CLIRunner.run(["kpi", "export", "--home=\(h.home)"])
        let env = CLIRunner.run(["kpi", "export"], environment: ["CITYBENCH_HOME": h.home])
        #expect(after.exitCode == 0 && after.stdout.contains("MOB.EV_CHARGERS,2024,3"))
        #expect(equals.stdout == after.stdout && env.stdout == after.stdout)
    }

    @Test func dbBackupAndRestoreBringBackTheData() throws {
        let h = try TemporaryHome()
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "3")
        let backup = h.dir.file("backup.sqlite")
        #expect(h.run("db", "backup", backup).exitCode == 0)
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "4")
        let restored = h.run("db", "restore", backup)
        #expect(restored.exitCode == 0, "\(restored)")
        #expect(h.run("kpi", "export").stdout.contains("MOB.EV_CHARGERS,2024,3,"))
    }

    @Test(arguments: [["init"], ["identity"], ["status"], ["db", "check"], ["db", "backup"], ["db", "restore"], ["kpi", "define"],
                      ["kpi", "list"], ["kpi", "set"], ["kpi", "import"], ["kpi", "export"], ["project", "add"], ["project", "list"],
                      ["project", "show"], ["project", "update"], ["project", "import"]])
    func everyCommandPrintsHelp(command: [String]) {
        let r = CLIRunner.run(command + ["--help"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.hasPrefix("Usage: citybench [--home DIR] \(command.joined(separator: " "))"))
        #expect(r.stdout.contains("--home DIR"))
    }

    @Test func negativeValuesAreArgumentsNotOptions() throws {
        let h = try TemporaryHome()
        let r = h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "-5.25", "--note", "-- corrected --")
        #expect(r.exitCode == 0, "\(r)")
        #expect(h.run("kpi", "export").stdout.contains("MOB.EV_CHARGERS,2024,-5.25,count,,-- corrected --"))
        #expect(h.run("kpi", "set", "--", "MOB.EV_CHARGERS", "2023", "-1").exitCode == 0)
    }

    @Test func concurrentWritersFromSeveralProcessesAllSucceed() throws {
        let h = try TemporaryHome()
        let codes = ResultBox()
        let home = h.home
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            let r = CLIRunner.run(["--home", home, "kpi", "set", "MOB.EV_CHARGERS", "\(2010 + i)", "\(i)"])
            codes.append(r.exitCode)
        }
        #expect(codes.values == Array(repeating: 0, count: 6))
        #expect(h.run("kpi", "export").stdout.split(separator: "\n").count == 7)
    }

    @Test func noCommandPrintsTheOverviewAsAUsageError() {
        let r = CLIRunner.run([])
        #expect(r.exitCode == 64)
        #expect(r.stderr.contains("Commands:") && r.stdout.isEmpty)
        let group = CLIRunner.run(["project", "--help"])
        #expect(group.exitCode == 0 && group.stdout.contains("project import") && !group.stdout.contains("kpi set"))
    }

    @Test func topLevelHelpListsTheCommands() {
        let r = CLIRunner.run(["--help"])
        #expect(r.exitCode == 0)
        #expect(r.stdout.contains("kpi import") && r.stdout.contains("project update") && r.stdout.contains("db check"))
    }
}

/// Exit codes collected from concurrent runs.
final class ResultBox: @unchecked Sendable {
    // Sendable because every access to `codes` holds `lock`.
    private let lock = NSLock()
    private var codes: [Int32] = []

    func append(_ code: Int32) {
        lock.lock()
        codes.append(code)
        lock.unlock()
    }

    var values: [Int32] {
        lock.lock()
        defer { lock.unlock() }
        return codes
    }
}
