// bench-publish: what issue 3 and design §10 ask of publishing and ingest, for a city with
// 300 KPIs × 10 periods: building + signing its records (target ≤ 50 ms), verifying records
// (target ≥ 3,000/s on one core, printed against `openssl speed ed25519` in the same run), and
// ingesting (verify + merge + store) through a node (target ≥ 3,000 records/s).
// Build and run: swift build -c release --product bench-publish && .build/release/bench-publish
import BenchSupport
import CityNode
import Crypto
import Foundation
import Formats
import Model
import Publishing
import Replication

@main
struct PublishBench {
    static func main() throws {
        let kpiCount = 300
        let periods = (2015...2024).map { Period(year: $0) }

        /// The built-in catalog plus local KPIs up to `kpiCount`, all shared.
        let builtIns = KPICatalog.builtIn.sorted.filter { $0.code != KPIDefinition.populationCode }
        let locals = (0..<(kpiCount - builtIns.count)).map { i in
            KPIDefinition(code: String(format: "BENCH.K%03d", i), name: "Bench KPI \(i)", unit: "count", direction: i % 3 == 0 ? .lower : .higher,
                          field: ActionField.allCases[i % ActionField.allCases.count])
        }
        var catalog = KPICatalog.builtIn
        for d in locals { catalog.insert(d) }
        let policy = DisclosurePolicy(rules: Dictionary(uniqueKeysWithValues: locals.map { ($0.code, DisclosurePolicy.KPIRule(share: true)) }))
        var values: [LocalValue] = [LocalValue(code: KPIDefinition.populationCode, period: periods.last!, value: DecimalValue(250_000))]
        for (i, d) in (builtIns + locals).enumerated() {
            for (j, p) in periods.enumerated() {
                values.append(LocalValue(code: d.code, period: p, value: DecimalValue("\(i * 7 + j).\(j)")!, noiseDraw: d.personCount ? 0.25 : nil))
            }
        }

        let key = try Ed25519SigningKey.generate()
        let origin = KeyIDs.originID(key.publicKey)
        let input = PublicationInput(originID: origin, profile: CityProfile(name: "Benchstadt", country: "DE"), catalog: catalog,
                                     values: values, projects: [], projectKey: Array(repeating: 1, count: 32), policy: policy)

        /// Builds every payload and signs each record and a head, as `publish` does before storing.
        func buildAndSign(key: Ed25519SigningKey, origin: String, firstN: Int) throws -> [Envelope] {
            let publication = try Publisher.build(input)
            var n = firstN
            var envelopes: [Envelope] = []
            var entries: [HeadRoot.Entry] = []
            for subject in publication.subjects {
                let payload = publication.payloads[subject]!
                let header = Header(origin: origin, keyID: KeyIDs.keyID(key.publicKey), n: n, at: 1_800_000_000,
                                    body: .record(subject: subject, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil))
                let envelope = Signing.seal(header, payload: payload, with: key)
                envelopes.append(envelope)
                entries.append(HeadRoot.Entry(subject: subject, n: n, headerHash: envelope.headerHash))
                n += 1
            }
            let head = Header(origin: origin, keyID: KeyIDs.keyID(key.publicKey), n: n, at: 1_800_000_000,
                              body: .head(live: entries.count, root: HeadRoot.compute(entries)))
            envelopes.append(Signing.seal(head, payload: nil, with: key))
            return envelopes
        }

        func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

        print("bench-publish: a city with \(kpiCount) KPIs × \(periods.count) periods (\(values.count) values)")

        // 1. Build and sign (pure, in memory).
        var buildTimes: [Double] = []
        var records: [Envelope] = []
        for _ in 0..<15 {
            buildTimes.append(try CPUClock.wall { records = try buildAndSign(key: key, origin: origin, firstN: 2) })
        }
        let kpiRecord = records.first { (try? Header.parse($0.headerBytes).subject.map { if case .kpi = $0 { true } else { false } }) == true }!
        print(String(format: "build + sign: %.1f ms median of 15 (%d records, %d-byte KPI payload)  target <= 50 ms",
                     median(buildTimes) * 1000, records.count, kpiRecord.payload!.count))

        // 2. Verify (signature, payload hash, payload schema) on one core.
        let firstKey = Signing.seal(Header(origin: origin, keyID: KeyIDs.keyID(key.publicKey), n: 1, at: 1_800_000_000,
                                           body: .key(publicKey: key.publicKey, from: 2, label: "key-1")), payload: nil, with: key)
        var replica = ReplicaState()
        replica.offer(firstKey)
        let chain = replica.origins[origin]!.chain
        var sink = 0
        var index = 0
        let verifyRate = CPUClock.rate(seconds: 3, batch: 8) {
            let e = records[index % (records.count - 1)]
            index += 1
            if (try? Verifier.verify(e, chain: chain)) != nil { sink &+= 1 }
        }
        let baseline = try OpenSSLSpeed.ed25519(seconds: 3)
        print(String(format: "verify 300-KPI records: %.0f /s per core; openssl speed ed25519 verify %.0f /s; ratio %.2f  target >= 3000 /s",
                     verifyRate, baseline.verify, verifyRate / baseline.verify))

        // 3. Ingest through a node: verify + merge + store in SQLite, one transaction per batch of 100.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-publish-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let home = NodeHome(path: dir + "/home")
        try NodeInitializer.initialize(home: home, options: InitOptions(city: "Ingeststadt", country: "DE"))
        let node = try Node(home: home)
        let origins = 60
        var batches: [[Envelope]] = []
        for _ in 0..<origins {
            let k = try Ed25519SigningKey.generate()
            let o = KeyIDs.originID(k.publicKey)
            try node.trust(origin: o, label: nil)
            let keyRecord = Signing.seal(Header(origin: o, keyID: KeyIDs.keyID(k.publicKey), n: 1, at: 1_800_000_000,
                                                body: .key(publicKey: k.publicKey, from: 2, label: "key-1")), payload: nil, with: k)
            batches.append([keyRecord] + (try buildAndSign(key: k, origin: o, firstN: 2)))
        }
        let itemCount = batches.reduce(0) { $0 + $1.count }
        var accepted = 0
        let cpuStart = CPUClock.userSeconds()
        let ingestWall = try CPUClock.wall {
            for batch in batches {
                accepted += try node.ingest(batch, relayedBy: "bench").filter { $0.status == .accepted }.count
            }
        }
        let ingestCPU = CPUClock.userSeconds() - cpuStart
        print(String(format: "ingest via Node.ingest: %d of %d items accepted in %.2f s wall (%.2f s user CPU): %.0f records/s wall, %.0f /s per CPU second  target >= 3000 /s",
                     accepted, itemCount, ingestWall, ingestCPU, Double(itemCount) / ingestWall, Double(itemCount) / ingestCPU))

        // 4. End to end through the command's code: define, enter and publish in a fresh home.
        let home2 = NodeHome(path: dir + "/home2")
        try NodeInitializer.initialize(home: home2, options: InitOptions(city: "Publishstadt", country: "DE"))
        var csv = "kpi,period,value\n"
        for v in values { csv += "\(v.code),\(v.period),\(v.value)\n" }
        try Data(csv.utf8).write(to: URL(fileURLWithPath: dir + "/values.csv"))
        let node2 = try Node(home: home2)
        for d in locals { try node2.defineKPI(d) }
        _ = try node2.importValues(path: dir + "/values.csv")
        var config = try JSONReader.parse(Array(FileManager.default.contents(atPath: home2.configurationFile)!)).objectValue!
        config["disclosure"] = policy.json
        try Data(JSONWriter.bytes(.object(config))).write(to: URL(fileURLWithPath: home2.configurationFile))
        let node3 = try Node(home: home2)
        var published = 0
        let publishWall = try CPUClock.wall { published = try node3.publish().records.count }
        print(String(format: "Node.publish end to end (plan, sign, verify, store, audit): %d records in %.0f ms", published, publishWall * 1000))
        if sink == -1 { print("") }
    }
}
