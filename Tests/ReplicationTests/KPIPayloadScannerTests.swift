import Formats
import Model
import Testing
import TestSupport
@testable import Replication

/// The byte-level scanner must decide exactly as the full parse (`JSONReader` +
/// `KPIPayload(json:)`) does, over seeded random payloads and mutations of them.
@Suite struct KPIPayloadScannerTests {
    static let period = Period("2024")!

    /// The reference decision: the full tree parse and schema check.
    static func fullParseAccepts(_ bytes: [UInt8], period: Period = period) -> Bool {
        guard let json = try? JSONReader.parse(bytes, limits: Verifier.payloadLimits) else { return false }
        return (try? KPIPayload(json: json, period: period)) != nil
    }

    static func verifierAccepts(_ bytes: [UInt8], period: Period = period) -> Bool {
        (try? Verifier.validatePayload(bytes, subject: .kpi(period))) != nil
    }

    static let builtInCodes = KPICatalog.builtIn.sorted.map(\.code)

    /// A random payload mostly of the shape publishers write, with occasional oddities
    /// (non-ASCII units, pretty printing, unknown members, defs of other codes, bad values).
    static func randomPayload(_ rng: inout SeededGenerator) -> [UInt8] {
        var values: [JSONValue] = []
        let count = Int.random(in: 0...12, using: &rng)
        // Distinct codes, so duplicates appear only when asked for below.
        func odd(_ rng: inout SeededGenerator) -> Bool { Int.random(in: 0..<40, using: &rng) == 0 }
        // Publishers sort by code; now and then the order is shuffled (still valid, decided by the full parse).
        var codes = (builtInCodes.shuffled(using: &rng).prefix(6) + (0..<6).map { "LOCAL.K\($0)" }).shuffled(using: &rng)
            .prefix(count).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        if odd(&rng) { codes.shuffle(using: &rng) }
        for (i, code) in codes.enumerated() {
            var o = JSONObject()
            let local = code.hasPrefix("LOCAL.")
            o["kpi"] = .string(odd(&rng) ? "bad code \(i)" : code)
            if odd(&rng) {
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: o["value"] = .null; o["flag"] = .string("ok")
                case 1: o["value"] = .string(["1.", ".5", "-0", "+3", "1e3", "", "12345678901234567890.5", "0.000000000000000000001"].randomElement(using: &rng)!)
                    o["flag"] = .string("P")
                case 2: o["value"] = .int(12); o["flag"] = .string("ok")
                default: o["value"] = .string("7"); o["flag"] = .string(["S", "x", "OK", "R"].randomElement(using: &rng)!)
                }
            } else if Int.random(in: 0..<8, using: &rng) == 0 {
                o["value"] = .null; o["flag"] = .string("S")
            } else {
                o["value"] = .string("\(Int.random(in: -999...99999, using: &rng)).\(Int.random(in: 0...99, using: &rng))")
                o["flag"] = .string(["ok", "P", "R"].randomElement(using: &rng)!)
            }
            let units = ["count", "percent", "m²", "µg/m³", "t CO2", String(repeating: "x", count: 40), String(repeating: "ü", count: 40)]
            o["unit"] = .string(odd(&rng) ? ["", String(repeating: "x", count: 41), String(repeating: "ü", count: 41)].randomElement(using: &rng)!
                                          : units.randomElement(using: &rng)!)
            if Int.random(in: 0..<4, using: &rng) == 0 { o["scaled"] = odd(&rng) ? .null : .bool(Bool.random(using: &rng)) }
            if local ? !odd(&rng) : odd(&rng) {
                let d = KPIDefinition(code: odd(&rng) ? "OTHER.CODE" : code, name: "Local \(code)", unit: "count", direction: .higher,
                                      field: ActionField.allCases[i % ActionField.allCases.count])
                o["def"] = d.json
            }
            if odd(&rng) { o["note"] = .string("extra") }
            values.append(.object(o))
        }
        if count > 1 && odd(&rng) { values.append(values[0]) }
        var root = JSONObject(pairs: [("period", .string(odd(&rng) ? "2023" : "2024")), ("values", .array(values))])
        if odd(&rng) { root["extra"] = .array([]) }
        return JSONWriter.bytes(.object(root), pretty: Int.random(in: 0..<6, using: &rng) == 0)
    }

    /// Tokens a mutation splices in: the bytes that break (or subtly keep) strict JSON.
    static let fragments: [[UInt8]] = [
        "\"", "\\", "\\u0041", "\\ud800", "{", "}", "[", "]", ",", ":", " ", "\n", "null", "true", "1e400", "0",
        "\"kpi\":\"MOB.EV_CHARGERS\",", "\"def\":{},", "\"unit\":\"x\",", "\"value\":\"1\",", "\u{7}", "é",
    ].map { Array($0.utf8) } + [[0xC0, 0x80], [0xFF], [0xED, 0xA0, 0x80], [0xE2, 0x82]]

    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...3, using: &rng) {
            guard !out.isEmpty else { break }
            let at = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: out[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: out.remove(at: at)
            case 2: out.insert(contentsOf: fragments.randomElement(using: &rng)!, at: at)
            default:
                let end = min(out.count, at + Int.random(in: 1...30, using: &rng))
                let copy = Array(out[at..<end])
                out.insert(contentsOf: copy, at: Int.random(in: 0...out.count, using: &rng))
            }
        }
        return out
    }

    @Test func decidesAsTheFullParseOnSeededRandomAndMutatedPayloads() {
        var rng = SeededGenerator(seed: 0xC17B_E7C4)
        var accepted = 0, rejected = 0, scannedValid = 0
        for _ in 0..<3_000 {
            let base = Self.randomPayload(&rng)
            for bytes in [base, Self.mutate(base, &rng), Self.mutate(base, &rng)] {
                let expected = Self.fullParseAccepts(bytes)
                let scanned = KPIPayloadScanner.check(bytes, period: Self.period)
                #expect(Self.verifierAccepts(bytes) == expected, "decision differs for \(String(decoding: bytes, as: UTF8.self))")
                if scanned == .valid {
                    #expect(expected, "scanner accepted what the full parse refuses: \(String(decoding: bytes, as: UTF8.self))")
                    scannedValid += 1
                }
                if expected { accepted += 1 } else { rejected += 1 }
            }
        }
        // The property is only meaningful if both outcomes occur often and the scanner decides most valid payloads itself.
        #expect(accepted > 1_000 && rejected > 1_000)
        #expect(scannedValid * 10 >= accepted * 8)
    }

    /// The canonical-layout reading is only a shortcut: over the same random and mutated
    /// payloads it decides exactly as the member-by-member reading, and it does take the
    /// shortcut for the values publishers write.
    @Test func theCanonicalLayoutShortcutDecidesAsTheMemberByMemberReading() {
        var rng = SeededGenerator(seed: 0x5CA7_0C0D)
        var valid = 0
        for _ in 0..<3_000 {
            let base = Self.randomPayload(&rng)
            for bytes in [base, Self.mutate(base, &rng), Self.mutate(base, &rng), Self.mutate(Self.mutate(base, &rng), &rng)] {
                let fast = KPIPayloadScanner.check(bytes, period: Self.period)
                let slow = KPIPayloadScanner.check(bytes, period: Self.period, canonicalFirst: false)
                #expect(fast == slow, "decisions differ for \(String(decoding: bytes, as: UTF8.self))")
                if fast == .valid { valid += 1 }
            }
        }
        #expect(valid > 1_000)
    }

    /// Every value `KPIPayload.json` writes takes the shortcut; other layouts of the same value
    /// (pretty-printed, members reordered, `scaled: false`) leave it to the member-by-member reading.
    @Test func valuesAsPublishersWriteThemTakeTheCanonicalShortcut() {
        let d = KPIDefinition(code: "LOCAL.TREES", name: "Trees", unit: "count", direction: .higher, field: ActionField.allCases[0])
        let values = [
            PublishedValue(kpi: "MOB.EV_CHARGERS", value: DecimalValue("12.5"), flag: .ok, unit: "count"),
            PublishedValue(kpi: "MOB.EV_CHARGERS", value: DecimalValue("-3"), flag: .provisional, unit: String(repeating: "x", count: 40)),
            PublishedValue(kpi: "MOB.EV_CHARGERS", value: DecimalValue("0.125"), flag: .revised, unit: "%", scaled: true),
            PublishedValue(kpi: "LOCAL.TREES", value: nil, flag: .suppressed, unit: "t CO2", scaled: true, definition: d),
            PublishedValue(kpi: "LOCAL.TREES", value: DecimalValue("7"), flag: .ok, unit: "count", definition: d),
        ]
        for value in values {
            let object = KPIPayload(period: Self.period, values: [value]).json.objectValue!["values"]!.arrayValue![0]
            #expect(KPIPayloadScanner.readsCanonically(JSONWriter.bytes(object)), "\(JSONWriter.string(object))")
            #expect(!KPIPayloadScanner.readsCanonically(JSONWriter.bytes(object, pretty: true)))
        }
        let reordered = #"{"value":"1","kpi":"MOB.EV_CHARGERS","flag":"ok","unit":"count"}"#
        let scaledFalse = #"{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"count","scaled":false}"#
        let nonASCIIUnit = #"{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"m²"}"#
        let longUnit = #"{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":""# + String(repeating: "x", count: 41) + #""}"#
        let scaledTwice = #"{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"count","scaled":true,"scaled":true}"#
        for text in [reordered, scaledFalse, nonASCIIUnit, longUnit, scaledTwice] {
            #expect(!KPIPayloadScanner.readsCanonically(Array(text.utf8)), "\(text)")
        }
        // Codes at and beyond the rules' edges: 3 and 64 bytes are codes, 2 and 65, an empty
        // segment or a trailing dot are not.
        func value(_ code: String) -> [UInt8] { Array(#"{"kpi":""#.utf8) + Array(code.utf8) + Array(#"","value":"1","flag":"ok","unit":"count"}"#.utf8) }
        let local = KPICatalog([3, 64].map { KPIDefinition(code: "A." + String(repeating: "B", count: $0 - 2), name: "x", unit: "count",
                                                            direction: .higher, field: ActionField.allCases[0]) })
        #expect(KPIPayloadScanner.readsCanonically(value("A.B"), catalog: local))
        #expect(KPIPayloadScanner.readsCanonically(value("A." + String(repeating: "B", count: 62)), catalog: local))
        for code in ["A.", "A." + String(repeating: "B", count: 63), "A..B", "AB.", "a.B", "1.B"] {
            #expect(!KPIPayloadScanner.readsCanonically(value(code), catalog: local), "\(code)")
        }
    }

    @Test func acceptsTheUsualShapeWithoutTheFullParse() {
        let d = KPIDefinition(code: "LOCAL.TREES", name: "Trees", unit: "count", direction: .higher, field: ActionField.allCases[0])
        let payload = KPIPayload(period: Self.period, values: [
            PublishedValue(kpi: "MOB.EV_CHARGERS", value: DecimalValue("12.5"), flag: .ok, unit: "count"),
            PublishedValue(kpi: "LOCAL.TREES", value: nil, flag: .suppressed, unit: "m²", scaled: true, definition: d),
        ])
        let bytes = JSONWriter.bytes(payload.json)
        #expect(KPIPayloadScanner.check(bytes, period: Self.period) == .valid)
        #expect(KPIPayloadScanner.check(JSONWriter.bytes(payload.json, pretty: true), period: Self.period) == .valid)
        #expect(KPIPayloadScanner.check(bytes, period: Period("2023")!) == .undecided)
    }

    @Test func acceptsValuesOutOfCodeOrderAndRefusesDuplicateCodesThroughTheFullParse() {
        let unsorted = #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"count"},{"kpi":"EGOV.PERMIT_DAYS","value":"2","flag":"ok","unit":"days"}]}"#
        let duplicate = #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"count"},{"kpi":"MOB.EV_CHARGERS","value":"2","flag":"ok","unit":"count"}]}"#
        #expect(KPIPayloadScanner.check(Array(unsorted.utf8), period: Self.period) == .undecided)
        #expect(Self.verifierAccepts(Array(unsorted.utf8)) && Self.fullParseAccepts(Array(unsorted.utf8)))
        #expect(KPIPayloadScanner.check(Array(duplicate.utf8), period: Self.period) == .undecided)
        #expect(!Self.verifierAccepts(Array(duplicate.utf8)))
    }

    @Test func aRememberedDefinitionFollowedByOtherBytesIsStillRefused() {
        let d = KPIDefinition(code: "LOCAL.BENCHES", name: "Benches", unit: "count", direction: .higher, field: ActionField.allCases[1])
        let def = JSONWriter.string(d.json)
        func payload(_ afterDef: String) -> [UInt8] {
            Array((#"{"period":"2024","values":[{"kpi":"LOCAL.BENCHES","value":"3","flag":"ok","unit":"count","def":"# + def + afterDef + "]}").utf8)
        }
        // The first payload puts the definition in the cache; the others reuse its bytes.
        #expect(KPIPayloadScanner.check(payload("}"), period: Self.period) == .valid)
        #expect(KPIPayloadScanner.check(payload("}"), period: Self.period) == .valid)
        for tail in [#""x"}"#, "}}", ",}", "", #"}"#.dropLast() + " 1}"] {
            #expect(Self.verifierAccepts(payload(String(tail))) == Self.fullParseAccepts(payload(String(tail))))
            #expect(!Self.verifierAccepts(payload(String(tail))), "accepted a def followed by \(tail)")
        }
    }

    @Test func definitionCacheStaysWithinItsByteBoundUnderLargeDefinitions() {
        let padding = String(repeating: "x", count: 50_000)
        for i in 0..<100 {
            let d = KPIDefinition(code: "LOCAL.BIG\(i)", name: "Big \(i)", unit: "count", direction: .higher, field: ActionField.allCases[0])
            var json = JSONWriter.string(d.json)
            json.removeLast()
            json += #","padding":""# + padding + #""}"#
            let text = #"{"period":"2024","values":[{"kpi":"LOCAL.BIG\#(i)","value":"1","flag":"ok","unit":"count","def":"# + json + "}]}"
            #expect(Self.verifierAccepts(Array(text.utf8)))
            #expect(DefinitionCache.shared.storedBytes <= DefinitionCache.maxBytes)
        }
    }

    @Test func leavesDuplicateKeysInsideACarriedDefinitionToTheFullParse() {
        let text = #"{"period":"2024","values":[{"kpi":"LOCAL.TREES","value":"1","flag":"ok","unit":"count","def":{"code":"LOCAL.TREES","code":"LOCAL.TREES","name":"Trees","unit":"count","direction":"higher","field":"mobility"}}]}"#
        let bytes = Array(text.utf8)
        #expect(KPIPayloadScanner.check(bytes, period: Self.period) == .undecided)
        #expect(!Self.verifierAccepts(bytes))
        #expect(!Self.fullParseAccepts(bytes))
    }

    @Test func refusesADefinitionNestedBeyondThePayloadDepthLimit() {
        let deep = String(repeating: "[", count: 13) + String(repeating: "]", count: 13)
        let shallow = String(repeating: "[", count: 12) + String(repeating: "]", count: 12)
        for (nest, accepted) in [(deep, false), (shallow, true)] {
            let def = KPIDefinition(code: "LOCAL.TREES", name: "Trees", unit: "count", direction: .higher, field: ActionField.allCases[0])
            var json = JSONWriter.string(def.json)
            json.removeLast()
            json += ",\"extra\":\(nest)}"
            let text = #"{"period":"2024","values":[{"kpi":"LOCAL.TREES","value":"1","flag":"ok","unit":"count","def":"# + json + "}]}"
            let bytes = Array(text.utf8)
            #expect(Self.fullParseAccepts(bytes) == accepted)
            #expect(Self.verifierAccepts(bytes) == accepted)
        }
    }

    @Test func memberNamesArePackedAsThePackingOfTheirBytes() {
        #expect(KPIPayloadScanner.kpiKey == KPIPayloadScanner.pack("kpi"))
        #expect(KPIPayloadScanner.valueKey == KPIPayloadScanner.pack("value"))
        #expect(KPIPayloadScanner.flagKey == KPIPayloadScanner.pack("flag"))
        #expect(KPIPayloadScanner.unitKey == KPIPayloadScanner.pack("unit"))
        #expect(KPIPayloadScanner.scaledKey == KPIPayloadScanner.pack("scaled"))
        #expect(KPIPayloadScanner.defKey == KPIPayloadScanner.pack("def"))
    }

    @Test func theDefinitionTableFindsEachOfManyDefinitionsSharingABucketAndNothingElse() {
        // Definitions whose first 64 bytes agree share one bucket hash, so they probe past each
        // other in the snapshot's table; each must be found with its own code, a near miss never.
        let cache = DefinitionCache()
        func definition(_ i: Int) -> [UInt8] {
            Array(#"{"code":"ZZ.SAME_PREFIX_FOR_THE_BUCKET_TEST","direction":"higher","field":"mobility","name":"Indicator \#(i)","unit":"count"}"#.utf8)
        }
        var codes: [[UInt8]] = []
        for i in 0..<DefinitionCache.bucketLimit {
            let bytes = definition(i)
            codes.append(bytes.withUnsafeBufferPointer { cache.validate($0) } ?? [])
        }
        #expect(codes.allSatisfy { $0 == Array("ZZ.SAME_PREFIX_FOR_THE_BUCKET_TEST".utf8) })
        let snapshot = cache.snapshot()
        for i in 0..<DefinitionCache.bucketLimit {
            let payloadRest = definition(i) + Array(#"},{"kpi":"NEXT"}]}"#.utf8)
            let found = payloadRest.withUnsafeBufferPointer { snapshot.match($0) }
            #expect(found?.length == definition(i).count)
        }
        let unknown = definition(99) + Array("}]}".utf8)
        #expect(unknown.withUnsafeBufferPointer { snapshot.match($0) } == nil)
        let truncated = Array(definition(0).dropLast(3))
        #expect(truncated.withUnsafeBufferPointer { snapshot.match($0) } == nil)
        // A later addition is seen by the next snapshot, not by one already taken.
        _ = definition(99).withUnsafeBufferPointer { cache.validate($0) }
        #expect(unknown.withUnsafeBufferPointer { snapshot.match($0) } == nil)
        #expect(unknown.withUnsafeBufferPointer { cache.snapshot().match($0) }?.length == definition(99).count)
    }
}
