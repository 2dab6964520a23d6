import Foundation
import Testing
import TestSupport

/// Every bad input of issue 2 point 7: one clear sentence, exit 1 (64 for usage), nothing changed.
@Suite struct BadInputCommandTests {
    /// A node with some data, so "nothing changed" compares against something.
    private func populated() throws -> CLIHome {
        let h = try CLIHome()
        h.run("kpi", "set", "MOB.EV_CHARGERS", "2024", "12")
        h.run("project", "add", "WLAN", "--field", "infrastructure", "--category", "public-wifi")
        return h
    }

    /// Runs `arguments`, checks the exit code and that stderr names `mention`, and that the
    /// node's data is exactly as before.
    private func expectRefused(_ h: CLIHome, _ arguments: [String], exit: Int32 = 1, mentioning mention: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let before = h.snapshot()
        let r = h.run(arguments)
        #expect(r.exitCode == exit, "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.hasPrefix("citybench: "), "\(r)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(mention), "\(r)", sourceLocation: sourceLocation)
        #expect(r.stdout.isEmpty, "\(r)", sourceLocation: sourceLocation)
        #expect(h.snapshot() == before, "data changed", sourceLocation: sourceLocation)
    }

    @Test func unknownKPICode() throws {
        let h = try populated()
        expectRefused(h, ["kpi", "set", "MOB.NOPE", "2024", "1"], mentioning: "unknown KPI code 'MOB.NOPE'")
        expectRefused(h, ["project", "add", "X", "--field", "egov", "--category", "other", "--kpi", "MOB.NOPE"], mentioning: "'MOB.NOPE'")
    }

    @Test func unknownFieldOrCategory() throws {
        let h = try populated()
        expectRefused(h, ["project", "add", "X", "--field", "traffic", "--category", "other"], mentioning: "unknown action field 'traffic'")
        expectRefused(h, ["project", "add", "X", "--field", "egov", "--category", "wifi"], mentioning: "unknown project category 'wifi'")
        expectRefused(h, ["kpi", "define", "LOC.X", "--name", "X", "--unit", "count", "--direction", "higher", "--field", "traffic"],
                      mentioning: "'traffic'")
    }

    @Test(arguments: ["2024-13", "24", "2024-Q5"])
    func malformedPeriod(period: String) throws {
        let h = try populated()
        expectRefused(h, ["kpi", "set", "MOB.EV_CHARGERS", period, "1"], mentioning: "malformed period '\(period)'")
    }

    @Test func nonNumericValue() throws {
        let h = try populated()
        expectRefused(h, ["kpi", "set", "MOB.EV_CHARGERS", "2024", "zwölf"], mentioning: "'zwölf' for MOB.EV_CHARGERS is not a number")
        expectRefused(h, ["project", "add", "X", "--field", "egov", "--category", "other", "--budget", "viel"], mentioning: "budget 'viel'")
    }

    @Test func unitMismatchOnImport() throws {
        let h = try populated()
        let csv = h.file("units.csv", "kpi,period,value,unit\nMOB.EV_CHARGERS,2023,5,count\nMOB.EV_CHARGERS,2022,5,percent\n")
        expectRefused(h, ["kpi", "import", csv], mentioning: "units.csv line 3, column unit: unit 'percent' does not match the unit 'count'")
    }

    @Test func duplicateKPIDefinition() throws {
        let h = try populated()
        expectRefused(h, ["kpi", "define", "MOB.EV_CHARGERS", "--name", "X", "--unit", "count", "--direction", "higher", "--field", "mobility"],
                      mentioning: "KPI MOB.EV_CHARGERS is already defined")
    }

    @Test func missingHomeIsRefusedAndNotCreated() throws {
        let dir = TemporaryDirectory()
        let home = dir.file("absent")
        for command in [["kpi", "list"], ["kpi", "set", "MOB.EV_CHARGERS", "2024", "1"], ["status"], ["db", "check"], ["identity"]] {
            let r = CLIRunner.run(["--home", home] + command)
            #expect(r.exitCode == 1, "\(r)")
            #expect(r.stderr.contains("does not exist"))
        }
        #expect(!FileManager.default.fileExists(atPath: home))
    }

    @Test func unwritableHomeLocationForInit() {
        let r = CLIRunner.run(["--home", "/proc/citybench-nowhere/home", "init", "--city", "X", "--country", "DE"])
        #expect(r.exitCode == 1, "\(r)")
        #expect(r.stderr.contains("cannot create"))
    }

    @Test func initRefusesAnExistingHome() throws {
        let h = try populated()
        let configBefore = FileFingerprint.of(h.home + "/node.json")
        expectRefused(h, ["init", "--city", "Other", "--country", "DE"], mentioning: "already exists and is not empty")
        #expect(FileFingerprint.of(h.home + "/node.json") == configBefore)
    }

    @Test func corruptDatabaseIsRefusedAndNeverRecreated() throws {
        let h = try populated()
        _ = h.run("db", "check")
        let db = h.home + "/citybench.sqlite"
        try? FileManager.default.removeItem(atPath: db + "-wal")
        try? FileManager.default.removeItem(atPath: db + "-shm")
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: db))
        let before = FileFingerprint.of(db)
        for command in [["kpi", "export"], ["kpi", "set", "MOB.EV_CHARGERS", "2024", "1"], ["db", "check"], ["status"]] {
            let r = h.run(command)
            #expect(r.exitCode == 1, "\(r)")
            #expect(r.stderr.contains("is not a citybench database or is damaged"), "\(r)")
        }
        #expect(FileFingerprint.of(db) == before)
    }

    @Test func foreignDatabaseIsRefusedAndLeftAlone() throws {
        let h = try populated()
        let db = h.home + "/citybench.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        p.arguments = [db, "CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (1);"]
        try p.run()
        p.waitUntilExit()
        let before = FileFingerprint.of(db)
        let r = h.run("kpi", "export")
        #expect(r.exitCode == 1)
        #expect(r.stderr.contains("is not a citybench database"))
        #expect(FileFingerprint.of(db) == before)
    }

    @Test func damagedPagesMakeDbCheckFail() throws {
        let h = try CLIHome()
        var csv = "kpi,period,value,note\n"
        for y in 1900...2199 { for m in 1...12 { csv += "MOB.EV_CHARGERS,\(y)-\(m < 10 ? "0" : "")\(m),\(y * m),a note to make the rows longer\n" } }
        #expect(h.run("kpi", "import", h.file("many.csv", csv)).exitCode == 0)
        let db = h.home + "/citybench.sqlite"
        // A checkpoint moves everything into the main file, so the damage below is what SQLite reads.
        let cp = Process()
        cp.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        cp.arguments = [db, "PRAGMA wal_checkpoint(TRUNCATE);"]
        try cp.run()
        cp.waitUntilExit()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: db)[.size] as? Int)
        let handle = try #require(FileHandle(forUpdatingAtPath: db))
        try handle.seek(toOffset: UInt64(size / 2))
        var rng = SeededGenerator(seed: 11)
        try handle.write(contentsOf: (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try handle.close()
        let r = h.run("db", "check")
        #expect(r.exitCode == 1, "\(r)")
        #expect(r.stderr.contains("damaged"))
    }

    @Test func raggedRowInvalidUTF8AndEmptyFile() throws {
        let h = try populated()
        let ragged = h.file("ragged.csv", "kpi,period,value\nMOB.EV_CHARGERS,2023,5\nMOB.EV_CHARGERS,2022\n")
        expectRefused(h, ["kpi", "import", ragged], mentioning: "ragged.csv line 3: has 2 fields where the header has 3")
        let latin1 = h.file("latin1.csv", bytes: Array("kpi,period,value,note\nMOB.EV_CHARGERS,2023,5,Gr".utf8) + [0xFC, 0xDF, 10])
        expectRefused(h, ["kpi", "import", latin1], mentioning: "latin1.csv line 2, column note: the text is not valid UTF-8")
        let empty = h.file("empty.csv", "")
        expectRefused(h, ["kpi", "import", empty], mentioning: "empty.csv was not imported: the file is empty")
        expectRefused(h, ["project", "import", empty], mentioning: "the file is empty")
        expectRefused(h, ["kpi", "import", h.dir.file("absent.csv")], mentioning: "absent.csv")
    }

    @Test func importReportsEveryBadRowOnItsOwnLine() throws {
        let h = try populated()
        let csv = h.file("kpi.csv", "kpi,period,value\nMOB.EV_CHARGERS,2024-13,1\nMOB.EV_CHARGERS,2023,zwölf\nNOPE.X,2023,1\n")
        let before = h.snapshot()
        let r = h.run("kpi", "import", csv)
        #expect(r.exitCode == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 4, "\(r)")
        #expect(lines[2] == "kpi.csv line 3, column value: 'zwölf' for MOB.EV_CHARGERS is not a number (expected a decimal number such as 1234.5)")
        #expect(h.snapshot() == before)
    }

    @Test(arguments: [
        (["kpi", "set", "MOB.EV_CHARGERS", "2024", "1", "--colour", "red"], "unknown option '--colour'"),
        (["kpi", "set", "MOB.EV_CHARGERS", "2024", "1", "--source"], "option '--source' needs a value"),
        (["kpi", "set", "MOB.EV_CHARGERS", "2024"], "needs the argument VALUE"),
        (["kpi", "set", "MOB.EV_CHARGERS", "2024", "1", "extra"], "unexpected argument 'extra'"),
        (["project", "add", "X", "--field", "egov", "--category", "other", "--start", "soon"], "option '--start' must be a whole number"),
        (["kpi", "define", "LOC.X", "--name", "X", "--unit", "count", "--direction", "up", "--field", "egov"], "option '--direction' must be higher or lower"),
        (["kpi", "define", "LOC.X", "--name", "X", "--unit", "count", "--direction", "higher"], "option '--field' is required"),
        (["kpi", "list", "--json=yes"], "option '--json' takes no value"),
        (["frobnicate"], "unknown command 'frobnicate'"),
        (["kpi", "frobnicate"], "unknown command 'kpi frobnicate'"),
        (["project", "update", "0123456789abcdef"], "needs at least one option"),
    ] as [([String], String)])
    func usageErrorsExit64NamingTheOption(arguments: [String], mention: String) throws {
        let h = try populated()
        expectRefused(h, arguments, exit: 64, mentioning: mention)
    }
}
