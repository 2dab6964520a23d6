import Crypto
import Formats
import Testing
import TestSupport
@testable import Replication

/// The in-place reading of envelope arrays must give exactly what the JSON tree and
/// `Envelope(json:)` give, or leave the body to them.
@Suite struct EnvelopeListTests {
    /// The reference: a push body's envelopes through the JSON tree, nil if any item is refused
    /// or there are more than `maxItems`.
    static func referencePush(_ body: [UInt8], maxItems: Int) -> [Envelope]? {
        guard let items = (try? JSONReader.parse(body))?.objectValue?["items"]?.arrayValue, items.count <= maxItems,
              (try? JSONReader.parse(body))?.objectValue?.count == 1 else { return nil }
        var envelopes: [Envelope] = []
        for item in items {
            guard let envelope = try? Envelope(json: item) else { return nil }
            envelopes.append(envelope)
        }
        return envelopes
    }

    static func randomEnvelope(_ rng: inout SeededGenerator) -> Envelope {
        func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) } }
        let payload: [UInt8]? = Bool.random(using: &rng) ? bytes(Int.random(in: 0...300, using: &rng)) : nil
        return Envelope(headerBytes: bytes(Int.random(in: 1...120, using: &rng)), signature: bytes(Ed25519SigningKey.signatureCount),
                        payload: payload)
    }

    static let fragments: [[UInt8]] = ["\"", "\\", "\\u0041", "{", "}", "[", "]", ",", ":", " ", "\n", "null", "=", "+", "/",
                                       "\"x\":1,", "\"h\":\"AA\",", "\"p\":\"\","].map { Array($0.utf8) } + [[0xC3, 0xA9], [0xFF]]

    static func mutate(_ bytes: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var out = bytes
        for _ in 0..<Int.random(in: 1...2, using: &rng) where !out.isEmpty {
            let at = Int.random(in: 0..<out.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: out[at] = UInt8.random(in: 32...126, using: &rng)
            case 1: out.remove(at: at)
            default: out.insert(contentsOf: fragments.randomElement(using: &rng)!, at: at)
            }
        }
        return out
    }

    @Test func pushBodiesReadInPlaceExactlyAsThroughTheJSONTree() {
        var rng = SeededGenerator(seed: 0xE4E1_0935)
        var fast = 0, agreedRefusals = 0
        for _ in 0..<3_000 {
            let envelopes = (0..<Int.random(in: 0...4, using: &rng)).map { _ in Self.randomEnvelope(&rng) }
            let body = JSONWriter.bytes(.object(JSONObject(pairs: [("items", .array(envelopes.map(\.json)))])))
            #expect(EnvelopeList.pushItems(body, maxItems: 10) == envelopes)
            for bytes in [Self.mutate(body, &rng), Self.mutate(body, &rng), JSONWriter.bytes(try! JSONReader.parse(body), pretty: true)] {
                let reference = Self.referencePush(bytes, maxItems: 10)
                if let read = EnvelopeList.pushItems(bytes, maxItems: 10) {
                    #expect(read == reference, "in-place reading differs for \(String(decoding: bytes, as: UTF8.self))")
                    fast += 1
                } else if reference == nil {
                    agreedRefusals += 1
                }
            }
            if envelopes.count > 2 { #expect(EnvelopeList.pushItems(body, maxItems: 2) == nil) }
        }
        // Both outcomes occur often among the mutations (a mutation inside base64 text often still reads).
        #expect(fast > 300 && agreedRefusals > 1_000)
    }

    @Test func changesPagesReadInPlaceExactlyAsThroughTheJSONTree() {
        var rng = SeededGenerator(seed: 0xC4A6_6E55)
        var fast = 0
        for _ in 0..<2_000 {
            let envelopes = (0..<Int.random(in: 0...3, using: &rng)).map { _ in Self.randomEnvelope(&rng) }
            let more = Bool.random(using: &rng)
            let page = JSONWriter.bytes(.object(JSONObject(pairs: [
                ("epoch", .string("0123456789abcdef")), ("next", .string("0123456789abcdef.\(Int.random(in: 0...9_999, using: &rng))")),
                ("more", .bool(more)), ("items", .array(envelopes.map(\.json))),
            ])))
            let read = EnvelopeList.changesPage(page, maxItems: 100)
            #expect(read?.items == envelopes && read?.more == more && read?.epoch == "0123456789abcdef")
            let mutated = Self.mutate(page, &rng)
            guard let inPlace = EnvelopeList.changesPage(mutated, maxItems: 100) else { continue }
            fast += 1
            let tree = try? JSONReader.parse(mutated)
            let items = tree?["items"]?.arrayValue?.map { try? Envelope(json: $0) }
            #expect(tree?.objectValue?.count == 4 && tree?["epoch"]?.stringValue == inPlace.epoch
                && tree?["next"]?.stringValue == inPlace.next && tree?["more"]?.boolValue == inPlace.more
                && items == inPlace.items.map { Optional($0) }, "in-place reading differs for \(String(decoding: mutated, as: UTF8.self))")
        }
        #expect(fast > 100)
    }
}
