import Dispatch
import Foundation
import Formats
import Model
import Ranking

/// The JSON of `rank --format json` in design §7's exact shape and key order. Extensions
/// (`medianRank`, `groups`, `trend`, `notes`, `settings`) follow the contract's keys and only
/// appear where the contract leaves room. Built only from the result, so the same input in any
/// order gives the same bytes.
public enum RankingJSON {
    /// The JSON as a value (parsed back from `bytes`, so both are the same document).
    public static func value(_ r: RankingResult) -> JSONValue {
        do { return try JSONReader.parse(bytes(r), limits: JSONReader.Limits(maxContainerCount: Int.max)) } catch {
            preconditionFailure("RankingJSON wrote invalid JSON: \(error)")
        }
    }

    /// Compact text plus a final newline, or indented for people.
    public static func render(_ r: RankingResult, pretty: Bool = false) -> String {
        if pretty { return JSONWriter.string(value(r), pretty: true) + "\n" }
        // The parts are copied once, straight into the string (which checks they are UTF-8).
        let parts = pieces(r)
        let total = parts.reduce(0) { $0 + $1.count }
        return String(unsafeUninitializedCapacity: total + 1) { text in
            let end = join(parts, into: text)
            text[end] = 10
            return end + 1
        }
    }

    /// The compact bytes, written directly: the per-KPI lists of a large federation hold
    /// hundreds of thousands of entries.
    public static func bytes(_ r: RankingResult) -> [UInt8] {
        let parts = pieces(r)
        let total = parts.reduce(0) { $0 + $1.count }
        return [UInt8](unsafeUninitializedCapacity: total) { bytes, count in count = join(parts, into: bytes) }
    }

    /// Copies `parts` one after another to the start of `buffer`; returns the bytes copied.
    static func join(_ parts: [[UInt8]], into buffer: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var end = 0
        for part in parts where !part.isEmpty {
            part.withUnsafeBufferPointer { (buffer.baseAddress! + end).initialize(from: $0.baseAddress!, count: $0.count) }
            end += part.count
        }
        return end
    }

    /// The document in consecutive parts: the head up to the `kpis` array, the KPI sections
    /// written side by side (with the commas between them), and the rest.
    static func pieces(_ r: RankingResult) -> [[UInt8]] {
        var head = JSONOutput(capacity: 256)
        head.beginObject()
        head.key("method"); head.string(r.options.method.rawValue)
        head.key("period"); head.string(r.options.period?.description)
        head.key("kpis"); head.beginArray()
        var parts = [head.bytes]
        for section in kpiSections(r.kpis) where !section.isEmpty {
            if parts.count > 1 { parts.append([UInt8(ascii: ",")]) }
            parts.append(section)
        }
        parts.append(tail(r))
        return parts
    }

    /// Everything after the `kpis` elements: from the array's `]` to the closing brace.
    static func tail(_ r: RankingResult) -> [UInt8] {
        var j = JSONOutput(capacity: 1 << 16)
        j.endArray()
        j.key("fields"); j.beginArray()
        for f in r.fields {
            j.beginObject()
            j.key("field"); j.string(f.field.rawValue)
            j.key("cities"); composite(f.cities, &j)
            j.endObject()
        }
        j.endArray()
        j.key("overall"); j.beginObject(); j.key("cities"); composite(r.overall, &j); j.endObject()
        j.key("excluded"); j.beginArray()
        for x in r.excluded {
            j.beginObject()
            j.key("city"); j.string(x.city)
            j.key("scope"); j.string(x.scope)
            j.key("reason"); j.string(x.reason)
            j.endObject()
        }
        j.endArray()
        j.key("bestPractice"); j.value(.array(r.bestPractice.map(bestPractice)))
        if !r.groups.isEmpty || r.options.group != .none {
            j.key("groups"); j.beginArray()
            for g in r.groups {
                j.beginObject()
                j.key("group"); j.string(g.group)
                j.key("fields"); j.beginArray()
                for f in g.fields {
                    j.beginObject()
                    j.key("field"); j.string(f.field.rawValue)
                    j.key("cities"); composite(f.cities, &j)
                    j.endObject()
                }
                j.endArray()
                j.key("overall"); j.beginObject(); j.key("cities"); composite(g.overall, &j); j.endObject()
                j.endObject()
            }
            j.endArray()
        }
        if let t = r.trend { j.key("trend"); j.value(trend(t)) }
        if !r.notes.isEmpty { j.key("notes"); j.value(.array(r.notes.map { .string($0) })) }
        j.key("settings"); j.value(settings(r.options))
        j.endObject()
        return j.bytes
    }

    /// KPI lists of at least this many city entries in all are written on several threads.
    static let parallelKPIEntries = 20_000

    /// The `kpis` elements, comma-separated, in consecutive parts written side by side (one
    /// per core for large results); joined in order they are the same bytes as one pass.
    /// `parts` fixes the number of parts (for tests); by default it follows the size.
    static func kpiSections(_ kpis: [KPIRanking], parts requested: Int? = nil) -> [[UInt8]] {
        let entries = kpis.reduce(0) { $0 + $1.cities.count }
        let wanted = requested ?? (entries < parallelKPIEntries ? 1 : ProcessInfo.processInfo.activeProcessorCount)
        let parts = max(1, min(kpis.count, wanted))
        // Split at KPI boundaries into parts of about the same number of entries.
        var bounds = [0]
        var seen = 0
        for (k, kpi) in kpis.enumerated() {
            seen += kpi.cities.count
            if bounds.count < parts, seen * parts >= entries * bounds.count { bounds.append(k + 1) }
        }
        while bounds.count <= parts { bounds.append(kpis.count) }
        let sections = SectionCollector(count: parts)
        let splits = bounds
        let write: @Sendable (Int) -> Void = { part in
            var j = JSONOutput(capacity: 256 + (splits[part + 1] - splits[part]) * (kpis.first?.cities.count ?? 0) * 110)
            for k in kpis[splits[part]..<splits[part + 1]] { kpi(k, &j) }
            sections.store(j.bytes, at: part)
        }
        if parts == 1 { write(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: write) }
        return sections.values
    }

    static func kpi(_ k: KPIRanking, _ j: inout JSONOutput) {
        j.beginObject()
        j.key("kpi"); j.string(k.kpi)
        j.key("field"); j.string(k.field.rawValue)
        j.key("direction"); j.string(k.direction.rawValue)
        j.key("unit"); j.string(k.unit)
        j.key("period"); j.string(k.period.description)
        j.key("cities"); j.beginArray()
        // The hot loop of large outputs, punctuation spelled out: the same bytes as
        // beginObject/key/…/endObject per entry.
        for (n, e) in k.cities.enumerated() {
            if n == 0 { j.literal(#"{"city":"#) } else { j.literal(#",{"city":"#) }
            j.plainString(e.city)
            j.literal(#","origin":"#); j.plainString(e.origin)
            j.literal(#","value":"#); j.plainDouble(e.value)
            j.literal(#","x":"#); j.plainDouble(e.x)
            j.literal(#","score":"#); j.plainDouble(e.score)
            j.literal(#","rank":"#); j.plainInt(e.rank)
            j.literal("}")
        }
        j.endArray()
        j.endObject()
    }

    static func composite(_ entries: [CompositeEntry], _ j: inout JSONOutput) {
        j.beginArray()
        for e in entries {
            j.beginObject()
            j.key("city"); j.string(e.city)
            j.key("origin"); j.string(e.origin)
            j.key("score"); j.double(e.score)
            j.key("rank"); j.int(e.rank)
            j.key("coverage"); j.double(e.coverage)
            if let u = e.uncertainty {
                j.key("rankInterval"); j.beginArray(); j.int(u.interval.lowerBound); j.int(u.interval.upperBound); j.endArray()
                j.key("rankQuantiles"); j.beginArray(); j.int(u.quantiles.lowerBound); j.int(u.quantiles.upperBound); j.endArray()
                j.key("medianRank"); j.int(u.median)
            }
            j.endObject()
        }
        j.endArray()
    }

    static func bestPractice(_ b: BestPractice) -> JSONValue {
        .object(JSONObject(pairs: [
            ("scope", .string(b.scope)),
            ("top", .array(b.top.map { t in
                .object(JSONObject(pairs: [
                    ("city", .string(t.city)), ("origin", .string(t.origin)), ("rank", .int(t.rank)), ("score", .double(t.score)),
                    ("projects", .array(t.projects.map { p in
                        .object(JSONObject(pairs: [
                            ("category", .string(p.category.rawValue)), ("status", .string(p.status.rawValue)),
                            ("startYear", p.startYear.map { .int($0) } ?? .null),
                        ]))
                    })),
                ]))
            })),
            ("overRepresented", .array(b.overRepresented.map { c in
                .object(JSONObject(pairs: [
                    ("category", .string(c.category.rawValue)), ("topCount", .int(c.topCount)), ("topCities", .int(c.topCities)),
                    ("restCount", .int(c.restCount)), ("restCities", .int(c.restCities)),
                ]))
            })),
        ]))
    }

    static func trend(_ t: TrendResult) -> JSONValue {
        func entries(_ list: [TrendEntry]) -> JSONValue {
            .array(list.map { e in
                var o = JSONObject(pairs: [("city", .string(e.city)), ("origin", .string(e.origin))])
                if let f = e.fromScore { o["fromScore"] = .double(f) }
                if let s = e.toScore { o["toScore"] = .double(s) }
                o["change"] = .double(e.change)
                o["rank"] = .int(e.rank)
                return .object(o)
            })
        }
        return .object(JSONObject(pairs: [
            ("from", .string(t.from.description)), ("to", .string(t.to.description)),
            ("kpis", .array(t.kpis.map { k in .object(JSONObject(pairs: [("kpi", .string(k.kpi)), ("cities", entries(k.cities))])) })),
            ("overall", .object(JSONObject(pairs: [("cities", entries(t.overall))]))),
        ]))
    }

    static func settings(_ o: RankingOptions) -> JSONValue {
        var s = JSONObject()
        s["aggregate"] = .string(o.aggregate.rawValue)
        s["outliers"] = .string(o.outliers.rawValue)
        s["group"] = .string(o.group.rawValue)
        s["field"] = .string(o.field?.rawValue)
        s["kpiFilter"] = .array(o.kpis.sorted().map { .string($0) })
        s["kpiWeights"] = .object(JSONObject(pairs: o.kpiWeights.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))
        s["fieldWeights"] = .object(JSONObject(pairs: o.fieldWeights.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .double($0.value)) }))
        s["targets"] = .object(JSONObject(pairs: o.targets.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))
        s["uncertaintyRuns"] = .int(o.uncertaintyRuns)
        s["seed"] = .string(String(o.seed))
        s["weightNoise"] = .double(RankingOptions.weightNoise)
        return .object(s)
    }
}

/// One rendered part per concurrent writer. `@unchecked Sendable`: every access to `storage`
/// holds `lock`.
private final class SectionCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [[UInt8]]

    init(count: Int) { storage = Array(repeating: [], count: count) }

    func store(_ value: [UInt8], at slot: Int) {
        lock.lock()
        storage[slot] = value
        lock.unlock()
    }

    var values: [[UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }
}
