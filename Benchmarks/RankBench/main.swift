// bench-rank: times `rank` end to end (CSV load + rank with the defaults, including 1000
// uncertainty runs + JSON) on generated federations of 10 %, 50 % and 100 % of 1,000 cities ×
// 300 KPIs × 10 periods, runs the pandas baseline (Benchmarks/rank_pandas.py) on the same file
// in the same invocation, checks both overall scores agree to 1e-9 and prints seconds and ratios.
// Targets (design §10): ≤ 1 s for the full size (release), ≥ 5× pandas, linear in cells.
// When `citybench` was built in release beside this program, it is also timed end to end as
// a user runs it (`rank --input … --format json --out FILE`) and must write the same JSON.
//
// usage: bench-rank [--dir DIR] [--pandas PATH|none] [--python EXE] [--sizes 10,50,100] [--uncertainty N] [--repeat N]
//        bench-rank [--dir DIR] --report FILE.html
// (`--uncertainty 0` ranks like the pandas baseline, which computes no rank intervals;
// `--report` only writes the HTML report of a small generated federation, for
// scripts/check-report-browser.sh, and times nothing).
import BenchSupport
import Foundation
import Formats
import Model
import Ranking
import Report
import TestSupport

/// Full-size shape of the generated federation.
let fullCities = 1000
let kpiCount = 300
let periods = (2015...2024).map(String.init)
/// Share of values left empty (suppressed), in per mille.
let suppressedPerMille: UInt64 = 30
/// Every n-th KPI is per capita (per 10,000 inhabitants).
let perCapitaEvery = 5
/// Largest disagreement allowed between the two implementations' overall scores.
let agreement = 1e-9

var arguments = CommandLine.arguments.dropFirst().makeIterator()
var dir = FileManager.default.temporaryDirectory.appendingPathComponent("citybench-rank-bench").path
var pandasScript = "Benchmarks/rank_pandas.py"
var python = "/usr/bin/env"
var pythonArgs = ["python3"]
var sizes = [10, 50, 100]
/// Swift runs per size; the fastest is reported.
var repeats = 1
var options = RankingOptions()
var reportPath: String? = nil
while let a = arguments.next() {
    switch a {
    case "--dir": dir = arguments.next() ?? dir
    case "--pandas": pandasScript = arguments.next() ?? pandasScript
    case "--python": python = arguments.next() ?? python; pythonArgs = []
    case "--sizes": sizes = (arguments.next() ?? "").split(separator: ",").compactMap { Int($0) }
    case "--uncertainty": options.uncertaintyRuns = Int(arguments.next() ?? "") ?? options.uncertaintyRuns
    case "--report": reportPath = arguments.next()
    case "--repeat": repeats = max(1, Int(arguments.next() ?? "") ?? 1)
    default:
        FileHandle.standardError.write(Data("usage: bench-rank [--dir DIR] [--pandas PATH|none] [--python EXE] [--sizes 10,50,100] [--uncertainty N] [--repeat N] | [--dir DIR] --report FILE.html\n".utf8))
        exit(64)
    }
}
try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)

func writeCatalog(to path: String) throws {
    let fields = ActionField.allCases
    let defs: [JSONValue] = (0..<kpiCount).map { k in
        KPIDefinition(code: String(format: "BENCH.K%03d", k), name: "Benchmark KPI \(k)", unit: "count",
                      direction: k % 3 == 0 ? .lower : .higher, field: fields[k % fields.count],
                      perCapita: k % perCapitaEvery == 0 ? 10_000 : nil).json
    }
    try JSONWriter.string(.array(defs)).write(toFile: path, atomically: true, encoding: .utf8)
}

/// Writes `city,kpi,period,value` rows for `cities` cities (plus their POP.TOTAL).
func writeCells(cities: Int, to path: String) throws -> Int {
    var rng = SeededGenerator(seed: 42)
    var out: [UInt8] = Array("city,kpi,period,value\n".utf8)
    out.reserveCapacity(cities * kpiCount * periods.count * 32)
    let kpiNames = (0..<kpiCount).map { Array(String(format: "BENCH.K%03d", $0).utf8) }
    var rows = 0
    func append(_ city: [UInt8], _ kpi: [UInt8], _ period: String, _ milli: UInt64?) {
        out += city; out.append(44); out += kpi; out.append(44); out += Array(period.utf8); out.append(44)
        if let m = milli {
            out += Array(String(m / 1000).utf8)
            out.append(46)
            let frac = m % 1000
            out += Array((frac < 10 ? "00" : frac < 100 ? "0" : "").utf8) + Array(String(frac).utf8)
        }
        out.append(10)
        rows += 1
    }
    let pop = Array("POP.TOTAL".utf8)
    for c in 0..<cities {
        let city = Array(String(format: "City %04d", c).utf8)
        let population = 5_000 + rng.next() % 2_000_000
        for p in periods { append(city, pop, p, population * 1000 + rng.next() % 1000) }
        for k in 0..<kpiCount {
            let scale = 1 + UInt64(k % 7) * 1000
            for p in periods {
                append(city, kpiNames[k], p, rng.next() % 1000 < suppressedPerMille ? nil : rng.next() % (scale * 1000))
            }
        }
    }
    try Data(out).write(to: URL(fileURLWithPath: path))
    return rows
}

func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }

/// User + system CPU seconds of finished child processes (getrusage).
func childCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
}

/// The real `citybench` binary beside this one (`swift build -c release --product citybench`).
let citybenchPath = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("citybench").path

/// Times `citybench rank --input CSV --catalog … --format json --out FILE` as a user runs it
/// (process start, load, rank, JSON, file) and checks it wrote the JSON timed above; a
/// figure for the printed line, empty when the binary was not built.
func timeCitybench(csv: String, catalog: String, runs: Int, out: String, expected: String) throws -> String {
    guard FileManager.default.isExecutableFile(atPath: citybenchPath) else { return "" }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: citybenchPath)
    process.arguments = ["rank", "--input", csv, "--catalog", catalog, "--format", "json", "--out", out,
                         "--uncertainty", String(runs)]
    process.standardError = FileHandle.nullDevice
    let clock = ContinuousClock()
    let cpuStart = childCPUSeconds()
    let start = clock.now
    try process.run()
    process.waitUntilExit()
    let wall = seconds(clock.now - start)
    let cpu = childCPUSeconds() - cpuStart
    guard process.terminationStatus == 0 else { return "  citybench rank FAILED (exit \(process.terminationStatus))" }
    var written = Array(try Data(contentsOf: URL(fileURLWithPath: out)))
    while written.last == 10 { written.removeLast() }
    let same = written == Array(try Data(contentsOf: URL(fileURLWithPath: expected)))
    return String(format: "\n        real binary: citybench rank --format json %.3f s (cpu %.3f s), %@", wall, cpu,
                  same ? "same JSON" : "JSON DIFFERS")
}

let catalogPath = dir + "/catalog.json"
try writeCatalog(to: catalogPath)
/// Cities in the federation `--report` renders: enough for every chart, small enough to read.
let reportCities = 24
if let reportPath {
    let csvPath = dir + "/cells-report.csv"
    _ = try writeCells(cities: reportCities, to: csvPath)
    let (catalog, _) = try CatalogFile.load(path: catalogPath)
    let result = try Ranker.rank(try CellCSV.load(path: csvPath, catalog: catalog), catalog: catalog, options: options)
    try HTMLReport.render(result, catalog: catalog).write(toFile: reportPath, atomically: true, encoding: .utf8)
    print("bench-rank: wrote the HTML report of \(reportCities) generated cities to \(reportPath)")
    exit(0)
}
print("bench-rank: \(kpiCount) KPIs x \(periods.count) periods; cities scaled to 10/50/100 % of \(fullCities); default method (min-max), \(options.uncertaintyRuns) uncertainty runs")
var results: [(percent: Int, cells: Int, swift: Double, pandas: Double)] = []
for percent in sizes {
    let cities = fullCities * percent / 100
    let csvPath = dir + "/cells-\(percent).csv"
    let rows = try writeCells(cities: cities, to: csvPath)
    let outPath = dir + "/swift-\(percent).json"

    // The Swift side runs `repeats` times; the fastest run counts (the machine is shared).
    let clock = ContinuousClock()
    var best: (wall: Double, load: Double, rank: Double, json: Double, cpu: Double, cpuLoad: Double, cpuRank: Double, cpuJSON: Double)? = nil
    for _ in 0..<repeats {
        let cpuStart = CPUClock.totalSeconds()
        let start = clock.now
        let (catalog, _) = try CatalogFile.load(path: catalogPath)
        let input = try CellCSV.load(path: csvPath, catalog: catalog)
        let loaded = clock.now
        let cpuLoaded = CPUClock.totalSeconds()
        let result = try Ranker.rank(input, catalog: catalog, options: options)
        let ranked = clock.now
        let cpuRanked = CPUClock.totalSeconds()
        try Data(RankingJSON.bytes(result)).write(to: URL(fileURLWithPath: outPath))
        let end = clock.now
        let cpuEnd = CPUClock.totalSeconds()
        let run = (seconds(end - start), seconds(loaded - start), seconds(ranked - loaded), seconds(end - ranked), cpuEnd - cpuStart,
                   cpuLoaded - cpuStart, cpuRanked - cpuLoaded, cpuEnd - cpuRanked)
        if best == nil || run.0 < best!.wall { best = run }
    }
    let swiftSeconds = best!.wall
    let breakdown = String(format: "swift %.3f s (load %.3f, rank %.3f, json %.3f; cpu %.3f s = %.3f + %.3f + %.3f)",
                           best!.wall, best!.load, best!.rank, best!.json, best!.cpu, best!.cpuLoad, best!.cpuRank, best!.cpuJSON)

    let cli = try timeCitybench(csv: csvPath, catalog: catalogPath, runs: options.uncertaintyRuns,
                                out: dir + "/cli-\(percent).json", expected: outPath)

    if pandasScript == "none" {
        print(String(format: "%3d %%: %7d cells  %@  %.2f M cells/s  (no pandas baseline)%@",
                     percent, rows, breakdown, Double(rows) / swiftSeconds / 1e6, cli))
        results.append((percent, rows, swiftSeconds, .nan))
        continue
    }
    let pandasOut = dir + "/pandas-\(percent).json"
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = pythonArgs + [pandasScript, csvPath, catalogPath, pandasOut]
    let pandasStart = clock.now
    try process.run()
    process.waitUntilExit()
    let pandasSeconds = seconds(clock.now - pandasStart)
    guard process.terminationStatus == 0 else { print("pandas baseline failed (exit \(process.terminationStatus))"); exit(1) }

    // Compare the overall scores.
    let swiftJSON = try JSONReader.parse(Array(try Data(contentsOf: URL(fileURLWithPath: outPath))))
    let pandasJSON = try JSONReader.parse(Array(try Data(contentsOf: URL(fileURLWithPath: pandasOut))))
    var swiftScores: [String: Double] = [:]
    for c in swiftJSON["overall"]?["cities"]?.arrayValue ?? [] {
        swiftScores[c["city"]!.stringValue!] = c["score"]!.numberValue!.doubleValue
    }
    var pandasScores: [String: Double] = [:]
    for (city, v) in pandasJSON["overall"]?.objectValue ?? JSONObject() { pandasScores[city] = v.numberValue?.doubleValue }
    let worst = swiftScores.map { abs($0.value - (pandasScores[$0.key] ?? .infinity)) }.max() ?? .infinity
    let same = Set(swiftScores.keys) == Set(pandasScores.keys) && worst <= agreement
    print(String(format: "%3d %%: %7d cells  %@  pandas %.3f s  ratio %.1fx  %.2f M cells/s  overall scores %@ (max diff %.1e, %d cities)%@",
                 percent, rows, breakdown, pandasSeconds, pandasSeconds / swiftSeconds, Double(rows) / swiftSeconds / 1e6, same ? "equal" : "DIFFER",
                 worst, swiftScores.count, cli))
    if !same { exit(1) }
    results.append((percent, rows, swiftSeconds, pandasSeconds))
}
if let load = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) {
    print("machine load average (1, 5, 15 min): \(load.split(separator: " ").prefix(3).joined(separator: ", ")) on \(ProcessInfo.processInfo.activeProcessorCount) cores")
}
if let first = results.first, let last = results.last, first.cells != last.cells {
    let perCellFirst = first.swift / Double(first.cells), perCellLast = last.swift / Double(last.cells)
    print(String(format: "linearity: time per cell at %d %% / at %d %% = %.2f (1.0 = linear)", last.percent, first.percent, perCellLast / perCellFirst))
}
