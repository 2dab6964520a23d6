// bench-import: how fast `kpi import` stores a 1,000,000-row values CSV, with how much memory,
// against sqlite3's own `.import` of the same file measured in the same run.
// Run: swift build -c release --product bench-import && .build/release/bench-import [ROWS]
import BenchSupport
import CityNode
import Formats
import Foundation
import Model

/// Rows in the generated file unless given as the first argument.
let defaultRows = 1_000_000
/// Local KPIs the rows are spread over (every tenth a person count, so noise draws are included).
let kpiCount = 200

let rows = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? defaultRows
let work = NSTemporaryDirectory() + "citybench-bench-\(getpid())"
try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: work) }

/// Every period of the years 1900-2199: the year, its quarters and its months.
let periods: [String] = (1900...2199).flatMap { y -> [String] in
    ["\(y)"] + (1...4).map { "\(y)-Q\($0)" } + (1...12).map { "\(y)-\($0 < 10 ? "0" : "")\($0)" }
}

func code(_ k: Int) -> String { "BENCH.K\(k < 10 ? "00" : k < 100 ? "0" : "")\(k)" }

// 1. The CSV, streamed to disk.
let csvPath = work + "/values.csv"
_ = FileManager.default.createFile(atPath: csvPath, contents: nil)
let csv = FileHandle(forWritingAtPath: csvPath)!
var buffer: [UInt8] = Array("kpi,period,value,source\n".utf8)
var state: UInt64 = 20_261_122
for i in 0..<rows {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    let value = "\((state >> 33) % 1_000_000).\((state >> 20) % 100)"
    buffer.append(contentsOf: "\(code(i % kpiCount)),\(periods[(i / kpiCount) % periods.count]),\(value),Statistikamt\n".utf8)
    if buffer.count > 1 << 20 { csv.write(Data(buffer)); buffer.removeAll(keepingCapacity: true) }
}
csv.write(Data(buffer))
try csv.close()
let fileBytes = (try FileManager.default.attributesOfItem(atPath: csvPath)[.size] as? Int) ?? 0

// 2. citybench: a fresh home, the local KPIs, then the import.
let home = NodeHome(path: work + "/home")
try NodeInitializer.initialize(home: home, options: InitOptions(city: "Benchmarkstadt", country: "DE"))
let node = try Node(home: home)
for k in 0..<kpiCount {
    try node.defineKPI(KPIDefinition(code: code(k), name: "Benchmark KPI \(k)", unit: "count", direction: .higher,
                                     field: .egov, personCount: k % 10 == 0))
}
let rssBefore = peakRSSKiB()
let cpuBefore = CPUClock.totalSeconds()
let start = DispatchTime.now()
let summary = try node.importValues(path: csvPath)
let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
let cpu = CPUClock.totalSeconds() - cpuBefore
let peak = peakRSSKiB()
precondition(summary.rows == rows, "imported \(summary.rows) of \(rows) rows")

// Context: exporting everything again (streamed CSV).
let exportStart = DispatchTime.now()
var exportedBytes = 0
try node.exportValues { exportedBytes += $0.utf8.count }
let exportSeconds = Double(DispatchTime.now().uptimeNanoseconds - exportStart.uptimeNanoseconds) / 1e9

// Context: the CSV reader alone over the same file (part of every import).
let readerCPUBefore = CPUClock.totalSeconds()
let reader = try CSVReader(path: csvPath)
var records = 0
while try reader.next() != nil { records += 1 }
let readerCPU = CPUClock.totalSeconds() - readerCPUBefore
precondition(records == rows + 1, "the reader saw \(records) records")

// 3. sqlite3's own .import of the same file into a plain table.
let sqlitePath = work + "/plain.sqlite"
let sqlite = Process()
sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
sqlite.arguments = [sqlitePath, "-cmd", "PRAGMA journal_mode=WAL", "-cmd", "PRAGMA synchronous=FULL", ".import --csv \(csvPath) t"]
sqlite.standardOutput = FileHandle.nullDevice
let sqliteStart = DispatchTime.now()
try sqlite.run()
sqlite.waitUntilExit()
let sqliteSeconds = Double(DispatchTime.now().uptimeNanoseconds - sqliteStart.uptimeNanoseconds) / 1e9
var childUsage = rusage()
getrusage(RUSAGE_CHILDREN.rawValue, &childUsage)
let sqliteCPU = Double(childUsage.ru_utime.tv_sec + childUsage.ru_stime.tv_sec) + Double(childUsage.ru_utime.tv_usec + childUsage.ru_stime.tv_usec) / 1e6
precondition(sqlite.terminationStatus == 0, "sqlite3 .import failed")

/// The process's peak resident set size (VmHWM in /proc/self/status), in KiB.
func peakRSSKiB() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1
    }
    return -1
}

func fmt(_ x: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", x) }
let ours = Double(rows) / seconds
let theirs = Double(rows) / sqliteSeconds
print("file:            \(rows) rows, \(fmt(Double(fileBytes) / 1_048_576, 1)) MiB, \(kpiCount) KPIs (\(kpiCount / 10) person counts)")
print("citybench import: \(fmt(seconds, 2)) s = \(fmt(ours)) rows/s wall (target >= 100000); CPU \(fmt(cpu, 2)) s = \(fmt(Double(rows) / cpu)) rows per CPU-second")
print("  of which:      CSV reading alone \(fmt(readerCPU, 2)) CPU-s (Formats.CSVReader)")
print("kpi export:      \(fmt(exportSeconds, 2)) s = \(fmt(Double(rows) / exportSeconds)) rows/s (\(fmt(Double(exportedBytes) / 1_048_576, 1)) MiB)")
print("peak RSS:        \(fmt(Double(peak) / 1024, 1)) MiB (before import \(fmt(Double(rssBefore) / 1024, 1)) MiB; target <= 200)")
print("sqlite3 .import: \(fmt(sqliteSeconds, 2)) s = \(fmt(theirs)) rows/s wall; CPU \(fmt(sqliteCPU, 2)) s (includes the key-generation openssl children)")
print("ratio:           \(fmt(ours / theirs, 2))x sqlite3's .import (citybench validates, canonicalises and upserts each row)")
