// bench-server: figures for the peer API (design §10), never run by tests.
//
//   bench-server run [--origins N] [--requests N]   build a federation, start a server child
//                                                   pinned by the caller, measure, print figures
//   bench-server server HOME                        (child) NodeServer on 127.0.0.1:0 with the
//                                                   rate limit off; prints the port; stops on EOF
//   bench-server verify SECONDS                     (child) Ed25519 verifications for SECONDS of
//                                                   CPU time: the baseline, pinned to one core
//
// Figures: ingest of 300-KPI records through POST /v1/push (records/s and server CPU-seconds),
// authenticated no-change GET /v1/changes (requests/s) from this program's 4-connection client
// and from wrk (50 connections), each in rounds interleaved with the verify baseline on the
// server's core (`openssl speed ed25519` there is printed too), and the server's RSS idle and
// holding the federation (the child runs the same NodeServer `citybench serve` runs, with the
// rate limit off). Run through Benchmarks/ServerBench/run.sh, which pins the server to one core
// and the client to the other.
import BenchSupport
import CityNode
import Crypto
import Foundation
import Formats
import Glibc
import HTTPServer
import Model
import Replication
import Store

// MARK: - Child mode

func runServerChild(home: String) -> Never {
    var api = PeerAPIConfiguration()
    api.rateLimit = nil
    var http = ServerConfiguration()
    http.maxBodyBytes = 8 << 20
    do {
        let server = try NodeServer.start(NodeServerConfiguration(home: NodeHome(path: home), listen: "127.0.0.1:0", plainHTTP: true,
                                                                  http: http, api: api, accessLog: LogSink { _ in }))
        FileHandle.standardOutput.write(Data("\(server.port)\n".utf8))
        while readLine() != nil {}
        server.shutdown()
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("bench-server: \(error)\n".utf8))
        exit(1)
    }
}

// MARK: - Data

/// One synthetic origin: a key, its first key record, and signed 300-KPI records plus a head.
struct SyntheticOrigin {
    let key: Ed25519SigningKey
    let origin: String
    let items: [Envelope]
    let records: Int

    static let localDefinitions: [String] = (1...242).map { i in
        let code = String(format: "BENCH.K%03d", i)
        return #"{"code":"\#(code)","name":"Benchmark indicator \#(i)","unit":"count","direction":"higher","field":"mobility","perCapita":null,"personCount":false}"#
    }

    init(periods: [String]) throws {
        key = try Ed25519SigningKey.generate()
        let pub = key.publicKey
        origin = KeyIDs.originID(pub)
        let kid = KeyIDs.keyID(pub)
        var items = [Signing.seal(Header(origin: origin, keyID: kid, n: 1, at: 1_795_000_000,
                                         body: .key(publicKey: pub, from: 2, label: "key-1")), payload: nil, with: key)]
        let builtIn = KPICatalog.builtIn.definitions.keys.sorted().prefix(58)
        var n = 1
        var entries: [HeadRoot.Entry] = []
        for period in periods {
            var values: [(code: String, json: String)] = []
            for (i, code) in builtIn.enumerated() {
                values.append((code, #"{"kpi":"\#(code)","value":"\#(i * 7 + period.count)","flag":"ok","unit":"\#(KPICatalog.builtIn[code]!.unit)"}"#))
            }
            for (i, def) in SyntheticOrigin.localDefinitions.enumerated() {
                let code = String(format: "BENCH.K%03d", i + 1)
                values.append((code, #"{"kpi":"\#(code)","value":"\#(i).5","flag":"ok","unit":"count","def":\#(def)}"#))
            }
            // Sorted by code, as every publisher writes them (KPIPayload).
            let sorted = values.sorted { Array($0.code.utf8).lexicographicallyPrecedes(Array($1.code.utf8)) }.map(\.json)
            let payload = Array(#"{"period":"\#(period)","values":[\#(sorted.joined(separator: ","))]}"#.utf8)
            n += 1
            let subject = Subject.kpi(Period(period)!)
            let header = Header(origin: origin, keyID: kid, n: n, at: 1_795_000_000,
                                body: .record(subject: subject, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil))
            let envelope = Signing.seal(header, payload: payload, with: key)
            entries.append(HeadRoot.Entry(subject: subject, n: n, headerHash: envelope.headerHash))
            items.append(envelope)
        }
        n += 1
        items.append(Signing.seal(Header(origin: origin, keyID: kid, n: n, at: 1_795_000_000,
                                         body: .head(live: entries.count, root: HeadRoot.compute(entries))), payload: nil, with: key))
        self.items = items
        records = periods.count
    }
}

// MARK: - A keep-alive loopback client

// @unchecked Sendable: each instance is used by one thread at a time (a lane, round after round).
final class KeepAliveClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(port: UInt16) {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    /// Sends one request and returns (status, body).
    func exchange(_ request: [UInt8]) -> (Int, [UInt8]) {
        var sent = 0
        while sent < request.count {
            let n = request.withUnsafeBytes { send(fd, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return (0, []) }
            sent += n
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let end = headEnd() {
                let head = String(decoding: buffer[0..<end], as: UTF8.self)
                let status = Int(head.dropFirst(9).prefix(3)) ?? 0
                var length = 0
                for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
                    length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
                }
                if buffer.count >= end + 4 + length {
                    let body = Array(buffer[(end + 4)..<(end + 4 + length)])
                    buffer.removeFirst(end + 4 + length)
                    return (status, body)
                }
            }
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { return (0, []) }
            buffer += chunk[0..<n]
        }
    }

    private func headEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
        return nil
    }
}

func request(_ method: String, _ target: String, authorization: String, body: [UInt8] = []) -> [UInt8] {
    var head = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: \(authorization)\r\n"
    if method == "POST" { head += "Content-Type: application/json\r\nContent-Length: \(body.count)\r\n" }
    return Array((head + "\r\n").utf8) + body
}

// MARK: - Processes and measurements

func now() -> Double { Date().timeIntervalSince1970 }

/// user+system CPU seconds of `pid` (/proc/PID/stat fields 14 and 15).
func cpuSeconds(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
          let close = text.lastIndex(of: ")") else { return 0 }
    let fields = text[text.index(after: close)...].split(separator: " ")
    let ticks = (Double(fields[11]) ?? 0) + (Double(fields[12]) ?? 0)
    return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
}

/// VmRSS of `pid` in MiB.
func rssMiB(_ pid: Int32) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
          let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
    return (Double(line.split(separator: " ")[1]) ?? 0) / 1024
}

/// Starts `arguments` with a pipe on stdin (closing it stops a bench child) and reads its first stdout line.
func spawn(_ arguments: [String]) throws -> (Process, Pipe, String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = arguments
    let input = Pipe(), output = Pipe()
    p.standardInput = input
    p.standardOutput = output
    // The access log and any failure of the child, kept beside the bench's figures.
    _ = FileManager.default.createFile(atPath: NSTemporaryDirectory() + "bench-server-child.log", contents: nil)
    p.standardError = FileHandle(forWritingAtPath: NSTemporaryDirectory() + "bench-server-child.log") ?? FileHandle.nullDevice
    try p.run()
    var line = ""
    while !line.contains("\n") {
        let data = output.fileHandleForReading.availableData
        if data.isEmpty { break }
        line += String(decoding: data, as: UTF8.self)
    }
    return (p, input, line.trimmingCharacters(in: .whitespacesAndNewlines))
}

func run(origins originCount: Int, requests: Int, serverCore: String, clientCore: String) throws {
    let me = CommandLine.arguments[0]
    let work = NSTemporaryDirectory() + "citybench-serverbench-\(getpid())"
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: work) }
    let home = work + "/home"
    try NodeInitializer.initialize(home: NodeHome(path: home), options: InitOptions(city: "Benchmarkstadt", country: "DE"))
    let node = try Node(home: NodeHome(path: home))
    let serverOrigin = try node.identity().origin

    // Each origin is a city as design §10 sizes one: 300 KPIs over 10 periods, so a push carries
    // ten records per key record and head, as a real first sync does.
    let periods = (2015...2024).map(String.init)
    print("generating \(originCount) origins with \(periods.count) signed 300-KPI records each...")
    var federation: [SyntheticOrigin] = []
    for _ in 0..<originCount { federation.append(try SyntheticOrigin(periods: periods)) }
    for o in federation {
        try node.trust(origin: o.origin, label: nil)
        // What `peer add --key` records: the first key, so the origin's first request verifies.
        try node.database.prepare("UPDATE origin SET first_key = ? WHERE origin = ?").run([.blob(o.key.publicKey), .text(o.origin)])
    }
    let client = federation[0]
    let recordBytes = federation[0].items[1].payload!.count

    // The server child (NodeServer, as `citybench serve` runs it, with the rate limit off), pinned to one core.
    let (child, childInput, portText) = try spawn(["taskset", "-c", serverCore, me, "server", home])
    guard let port = UInt16(portText) else { throw NSError(domain: "bench", code: 1, userInfo: [NSLocalizedDescriptionKey: "child said \(portText)"]) }
    Thread.sleep(forTimeInterval: 1)
    let idleRSS = rssMiB(child.processIdentifier)
    var nonce: UInt64 = 0
    func sign(_ method: String, _ target: String, _ body: [UInt8], as signer: SyntheticOrigin? = nil) -> String {
        nonce += 1
        let client = signer ?? client
        return RequestAuthorization.sign(origin: client.origin, key: client.key, audience: serverOrigin, method: method,
                                         pathWithQuery: target, body: body, timestamp: Int(now()), nonce: HeadRoot.bigEndian8(Int(nonce)) + [UInt8](repeating: 1, count: 8))
    }
    let batchOrigins = 6
    var bodies: [[UInt8]] = []
    for start in stride(from: 0, to: federation.count, by: batchOrigins) {
        let items = federation[start..<min(start + batchOrigins, federation.count)].flatMap(\.items)
        let body = JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(items.map(\.json)))])))
        bodies.append(request("POST", "/v1/push", authorization: sign("POST", "/v1/push", body), body: body))
    }
    // Connected only now: the server closes a connection that sends no request within 10 s.
    let connection = KeepAliveClient(port: port)
    let cpu0 = cpuSeconds(child.processIdentifier), t0 = now()
    var accepted = 0
    for body in bodies {
        let (status, response) = connection.exchange(body)
        guard status == 200 else { throw NSError(domain: "bench", code: 2, userInfo: [NSLocalizedDescriptionKey: "push answered \(status): \(String(decoding: response, as: UTF8.self))"]) }
        accepted += String(decoding: response, as: UTF8.self).components(separatedBy: "\"accepted\"").count - 1
    }
    let ingestSeconds = now() - t0, ingestCPU = cpuSeconds(child.processIdentifier) - cpu0
    let records = federation.reduce(0) { $0 + $1.records }
    print(String(format: "ingest: %d records of 300 KPIs (%d bytes each) + keys and heads, %d items accepted, in %.2f s wall, %.2f s server CPU",
                 records, recordBytes, accepted, ingestSeconds, ingestCPU))
    print(String(format: "ingest: %.0f records/s wall, %.0f records per server CPU-second (target >= 3000 on one core)",
                 Double(records) / ingestSeconds, Double(records) / ingestCPU))

    // Authenticated no-change changes: pre-signed requests at the end of the log, four keep-alive
    // connections, each as another origin (one origin may send at most 10,000 nonces per 300 s).
    let epoch = try node.currentEpoch()
    let target = "/v1/changes?since=\(epoch.id).\(epoch.highestArrival)"
    let lanes = 4
    let signed = (0..<requests).map { i in
        request("GET", target, authorization: sign("GET", target, [], as: federation[i == 0 ? 0 : 1 + (i - 1) / ((requests - 1) / lanes) % lanes]))
    }
    let (probe, probeBody) = connection.exchange(signed[0])
    print("no-change changes: status \(probe), request \(signed[0].count) bytes, response body \(probeBody.count) bytes: \(String(decoding: probeBody, as: UTF8.self))")
    // The load in rounds, each followed by the baseline on the server's core: Ed25519
    // verifications of a 300-byte message through the libcrypto call `openssl speed` times
    // (on 20 bytes there), in a child pinned there, once with the client's core idle and once with it
    // verifying too. This VM's speed drifts within seconds, so a baseline taken before or after
    // the load can be off by a third; interleaved, load and baseline see the same machine.
    let rounds = 8
    let perLane = (requests - 1) / lanes / rounds
    let failures = Mutex()
    let clients = (0..<lanes).map { _ in KeepAliveClient(port: port) }
    var loadSeconds = 0.0, loadCPU = 0.0, sent = 0
    var idleBaseline = VerifyTally(), busyBaseline = VerifyTally()
    for round in 0..<rounds {
        let cpu1 = cpuSeconds(child.processIdentifier), t1 = now()
        let group = DispatchGroup()
        for lane in 0..<lanes {
            let first = 1 + (lane * rounds + round) * perLane
            let slice = Array(signed[first..<(first + perLane)])
            let c = clients[lane]
            group.enter()
            Thread {
                for r in slice where c.exchange(r).0 != 200 { failures.add() }
                group.leave()
            }.start()
        }
        group.wait()
        loadSeconds += now() - t1
        loadCPU += cpuSeconds(child.processIdentifier) - cpu1
        sent += perLane * lanes
        idleBaseline.add(try verifyOnCore(serverCore, seconds: 0.25))
        busyBaseline.add(try verifyOnCore(serverCore, seconds: 0.25, neighbourCore: clientCore))
    }
    let rate = Double(sent) / loadSeconds
    let openssl = try OpenSSLSpeed.ed25519(seconds: 2, core: serverCore).verify
    print(String(format: "no-change changes: %d requests in %d rounds, %.2f s (%d failed): %.0f req/s, %.0f per server CPU-second",
                 sent, rounds, loadSeconds, failures.count, rate, Double(sent) / loadCPU))
    print(String(format: "Ed25519 verify on the server's core, interleaved with the rounds: %.0f/s with the client's core idle, %.0f/s with it verifying too (openssl speed there after the run: %.0f/s)",
                 idleBaseline.rate, busyBaseline.rate, openssl))
    print(String(format: "no-change changes ratio: %.2f against the idle-neighbour baseline, %.2f against the busy-neighbour one (target >= 0.8)",
                 rate / idleBaseline.rate, rate / busyBaseline.rate))
    try wrkChanges(port: port, child: child, target: target, work: work, serverCore: serverCore, clientCore: clientCore,
                   origins: Array(federation.dropFirst(1 + lanes))) { signer in request("GET", target, authorization: sign("GET", target, [], as: signer)) }
    // RSS holding the federation, after a full changes walk and /metrics (which touch every origin).
    let walker = KeepAliveClient(port: port)
    _ = walker.exchange(Array("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    var cursor = "0"
    var pages = 0
    while pages < 10_000 {
        let t = "/v1/changes?since=\(cursor)"
        let (status, body) = walker.exchange(request("GET", t, authorization: sign("GET", t, [], as: federation[5])))
        guard status == 200, let page = try? JSONReader.parse(body) else { break }
        pages += 1
        cursor = page["next"]?.stringValue ?? ""
        if page["more"]?.boolValue != true { break }
    }
    Thread.sleep(forTimeInterval: 1)
    print(String(format: "server RSS: idle %.1f MiB (target <= 30); holding %d origins after serving them in %d changes pages %.1f MiB (target <= 100)",
                 idleRSS, originCount, pages, rssMiB(child.processIdentifier)))
    try childInput.fileHandleForWriting.close()
    child.waitUntilExit()
}

/// The no-change changes load from `wrk`, the generator the `/v1/health` benchmark uses: one
/// thread, 50 keep-alive connections (HTTPBench's setting; env WRK_CONNECTIONS), each request a
/// pre-signed one taken in turn from a file (every nonce used once, spread over the origins so
/// each stays far below the replay window's 10,000), eight rounds of 1 s, each followed by the
/// verify baseline on the server's core: short rounds, because this VM's speed drifts within
/// seconds. Skipped when `wrk` is missing or there are too few origins to sign with.
func wrkChanges(port: UInt16, child: Process, target: String, work: String, serverCore: String, clientCore: String,
                origins: [SyntheticOrigin], signedRequest: (SyntheticOrigin) -> [UInt8]) throws {
    guard let wrk = ["/usr/bin/wrk", "/usr/local/bin/wrk"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
          origins.count >= 8 else {
        print("no-change changes with wrk: skipped (needs wrk and at least \(5 + 8) origins)")
        return
    }
    let script = work + "/changes.lua"
    try Data("""
        local data, size, count, i
        init = function(args)
          local f = assert(io.open(args[1], "rb")); data = f:read("*a"); f:close()
          size = tonumber(args[2]); count = math.floor(#data / size); i = 0
        end
        request = function()
          i = i + 1
          if i > count then i = 1 end
          return string.sub(data, (i - 1) * size + 1, i * size)
        end
        """.utf8).write(to: URL(fileURLWithPath: script))
    let connections = ProcessInfo.processInfo.environment["WRK_CONNECTIONS"].flatMap(Int.init) ?? 50
    var requests = 0.0, seconds = 0.0, serverCPU = 0.0, failed = 0
    var idle = VerifyTally(), busy = VerifyTally()
    // Each round's pool must outlast a second of the server at full speed (at most about one
    // request per verification), and no origin may come near the replay window's 10,000 nonces.
    let rounds = 8
    let poolSize = max(12_000, Int(VerifyTally(try verifyOnCore(serverCore, seconds: 0.25)).rate * 1.5))
    guard poolSize * rounds / origins.count < 9_500 else {
        throw NSError(domain: "bench", code: 7, userInfo: [NSLocalizedDescriptionKey: "\(poolSize * rounds) pre-signed requests need more than \(origins.count) origins; raise --origins"])
    }
    for round in 0..<rounds {
        var pool: [UInt8] = []
        var size = 0
        for i in 0..<poolSize {
            let r = signedRequest(origins[(round * poolSize + i) % origins.count])
            if size == 0 { size = r.count }
            guard r.count == size else { throw NSError(domain: "bench", code: 4, userInfo: [NSLocalizedDescriptionKey: "signed requests differ in length"]) }
            pool += r
        }
        let file = work + "/changes-\(round).bin"
        try Data(pool).write(to: URL(fileURLWithPath: file))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["taskset", "-c", clientCore, wrk, "-t1", "-c\(connections)", "-d1s", "-s", script, "http://127.0.0.1:\(port)", "--", file, String(size)]
        let output = Pipe()
        p.standardOutput = output
        let cpu0 = cpuSeconds(child.processIdentifier)
        try p.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        serverCPU += cpuSeconds(child.processIdentifier) - cpu0
        func number(after label: String) -> Double? {
            guard let line = text.split(separator: "\n").first(where: { $0.contains(label) }) else { return nil }
            return line.split(separator: " ").compactMap { Double($0) }.first
        }
        // "  39998 requests in 2.00s, …" and "Non-2xx or 3xx responses: N" (absent when zero).
        guard let line = text.split(separator: "\n").first(where: { $0.contains("requests in") }),
              let count = line.split(separator: " ").first.flatMap({ Double($0) }),
              let duration = line.split(separator: " ").dropFirst(3).first.flatMap({ Double($0.dropLast(2)) }) else {
            throw NSError(domain: "bench", code: 5, userInfo: [NSLocalizedDescriptionKey: "unexpected wrk output: \(text)"])
        }
        guard count < Double(poolSize) else { throw NSError(domain: "bench", code: 6, userInfo: [NSLocalizedDescriptionKey: "wrk sent all \(poolSize) pre-signed requests; lengthen the pool"]) }
        requests += count
        seconds += duration
        failed += Int(number(after: "Non-2xx") ?? 0)
        idle.add(try verifyOnCore(serverCore, seconds: 0.25))
        busy.add(try verifyOnCore(serverCore, seconds: 0.25, neighbourCore: clientCore))
    }
    let rate = requests / seconds
    print(String(format: "no-change changes with wrk (-t1 -c%d, %d rounds of 1 s): %.0f requests (%d not 200): %.0f req/s, %.0f per server CPU-second; verify baseline %.0f/s idle neighbour, %.0f/s busy; ratio %.2f against idle, %.2f against busy (target >= 0.8)",
                 connections, rounds, requests, failed, rate, requests / serverCPU, idle.rate, busy.rate, rate / idle.rate, rate / busy.rate))
}

/// Verifications counted over thread CPU time, summed across the rounds.
struct VerifyTally {
    var verified = 0
    var seconds = 0.0
    var rate: Double { seconds > 0 ? Double(verified) / seconds : 0 }
    init() {}
    init(_ first: (verified: Int, seconds: Double)) { add(first) }
    mutating func add(_ other: (verified: Int, seconds: Double)) {
        verified += other.verified
        seconds += other.seconds
    }
}

/// `bench-server verify SECONDS`: Ed25519 verifications of a 300-byte message (the operation
/// `openssl speed ed25519` times on a 20-byte one, through the same libcrypto; the longer
/// message adds two SHA-512 blocks, under 1 %) for about SECONDS of CPU time; prints the
/// count and the CPU seconds. Run under `taskset` as the baseline on one core.
func runVerifyChild(seconds: Double) -> Never {
    do {
        let key = try Ed25519SigningKey.generate()
        let message = [UInt8](repeating: 7, count: 300)
        let signature = key.sign(message)
        let publicKey = try Ed25519PublicKey(raw: key.publicKey)
        let start = CPUClock.threadSeconds()
        var verified = 0
        while CPUClock.threadSeconds() - start < seconds {
            for _ in 0..<16 where publicKey.isValidSignature(signature, for: message) { verified += 1 }
        }
        print(verified, CPUClock.threadSeconds() - start)
        exit(0)
    } catch {
        FileHandle.standardError.write(Data("bench-server verify: \(error)\n".utf8))
        exit(1)
    }
}

/// The verify baseline on `core` (a `bench-server verify` child pinned there), with a second
/// one verifying on `neighbourCore` meanwhile if given.
func verifyOnCore(_ core: String, seconds: Double, neighbourCore: String? = nil) throws -> (verified: Int, seconds: Double) {
    let me = CommandLine.arguments[0]
    var neighbour: Process?
    if let neighbourCore {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["taskset", "-c", neighbourCore, me, "verify", String(seconds + 0.2)]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        neighbour = p
    }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["taskset", "-c", core, me, "verify", String(seconds)]
    let output = Pipe()
    p.standardOutput = output
    try p.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    p.waitUntilExit()
    neighbour?.waitUntilExit()
    let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
    guard fields.count == 2, let verified = Int(fields[0]), let cpu = Double(fields[1]) else {
        throw NSError(domain: "bench", code: 3, userInfo: [NSLocalizedDescriptionKey: "verify child said \(text)"])
    }
    return (verified, cpu)
}

/// A counter shared by client threads.
final class Mutex: @unchecked Sendable {
    // `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0
    func add() { lock.lock(); value += 1; lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return value }
}

let arguments = CommandLine.arguments
if arguments.count >= 3 && arguments[1] == "server" { runServerChild(home: arguments[2]) }
if arguments.count >= 3 && arguments[1] == "verify" { runVerifyChild(seconds: Double(arguments[2]) ?? 1) }
func option(_ name: String, _ fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let v = Int(arguments[i + 1]) else { return fallback }
    return v
}
do {
    try run(origins: option("--origins", 1000), requests: option("--requests", 20_000),
            serverCore: ProcessInfo.processInfo.environment["SERVER_CORE"] ?? "0",
            clientCore: ProcessInfo.processInfo.environment["CLIENT_CORE"] ?? "1")
} catch {
    FileHandle.standardError.write(Data("bench-server: \(error)\n".utf8))
    exit(1)
}
