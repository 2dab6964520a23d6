import Crypto
import Formats
import Foundation
import Model
import Testing
@testable import Replication

@Suite struct VerifierTests {
    func chain(_ o: TestOrigin, _ keyRecord: Envelope) throws -> KeyChain {
        var state = ReplicaState()
        #expect(state.offer(keyRecord).status == .accepted)
        return state.origins[o.origin]!.chain
    }

    @Test func verifiesARecordThroughTheFirstKeyRecord() throws {
        let o = try TestOrigin()
        let chain = try chain(o, o.firstKeyRecord())
        let record = o.set(.kpi(Period("2024")!), payload: TestOrigin.kpiPayload(Period("2024")!, values: [("MOB.EV_CHARGERS", "12")]))
        let item = try Verifier.verify(record, chain: chain)
        #expect(item.n == 2 && item.origin == o.origin)
    }

    @Test func rejectsEachFlippedByteClassWithItsOwnCode() throws {
        let o = try TestOrigin()
        let chain = try chain(o, o.firstKeyRecord())
        let period = Period("2024")!
        let record = o.set(.kpi(period), payload: TestOrigin.kpiPayload(period, values: [("MOB.EV_CHARGERS", "12")]))
        func code(_ e: Envelope) -> ReplicationError.Code? {
            do { _ = try Verifier.verify(e, chain: chain); return nil } catch { return error.code }
        }
        // A header byte inside a string value: still strict JSON, so the signature catches it.
        var header = record.headerBytes
        let at = header.firstIndex(of: UInt8(ascii: "k"))! // inside "kid" or "kpi/…"
        header[at] = UInt8(ascii: "j")
        #expect(code(Envelope(headerBytes: header, signature: record.signature, payload: record.payload)).map { [.badSignature, .malformedHeader].contains($0) } == true)
        // The digit of n changed: valid JSON, wrong signature.
        let text = String(decoding: record.headerBytes, as: UTF8.self).replacingOccurrences(of: "\"n\":2", with: "\"n\":3")
        #expect(code(Envelope(headerBytes: Array(text.utf8), signature: record.signature, payload: record.payload)) == .badSignature)
        var payload = record.payload!
        payload[payload.count / 2] ^= 0x01
        #expect(code(Envelope(headerBytes: record.headerBytes, signature: record.signature, payload: payload)) == .payloadHashMismatch)
        var signature = record.signature
        signature[10] ^= 0x80
        #expect(code(Envelope(headerBytes: record.headerBytes, signature: signature, payload: record.payload)) == .badSignature)
        #expect(code(Envelope(headerBytes: record.headerBytes, signature: record.signature, payload: nil)) == .payloadPresence)
    }

    @Test func rejectsAnUnknownKeyAndAForeignOrigin() throws {
        let o = try TestOrigin()
        let other = try TestOrigin()
        let chain = try chain(o, o.firstKeyRecord())
        _ = other.firstKeyRecord()
        let foreign = other.set(.profile, payload: JSONWriter.bytes(ProfilePayload(label: "X", country: "DE", sizeClass: nil).json))
        #expect { try Verifier.verify(foreign, chain: chain) } throws: { ($0 as? ReplicationError)?.code == .unknownKey }
        let empty = KeyChain(origin: o.origin)
        let record = o.set(.profile, payload: JSONWriter.bytes(ProfilePayload(label: "X", country: "DE", sizeClass: nil).json))
        #expect { try Verifier.verify(record, chain: empty) } throws: { ($0 as? ReplicationError)?.code == .unknownKey }
    }

    @Test func refusesAFirstKeyRecordThatDoesNotHashToTheOrigin() throws {
        let o = try TestOrigin()
        let impostor = try Ed25519SigningKey.generate()
        let header = Header(origin: o.origin, keyID: KeyIDs.keyID(impostor.publicKey), n: 1, at: 1,
                            body: .key(publicKey: impostor.publicKey, from: 2, label: "key-1"))
        var state = ReplicaState()
        let result = state.offer(Signing.seal(header, payload: nil, with: impostor))
        #expect(result.status == .rejected && result.reason == "invalid_key_record")
    }

    @Test func validatesPayloadSchemas() throws {
        let o = try TestOrigin()
        let chain = try chain(o, o.firstKeyRecord())
        let period = Period("2024")!
        let bad: [String] = [
            #"{"period":"2023","values":[]}"#,
            #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":12,"flag":"ok","unit":"count"}]}"#,
            #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"1e5","flag":"ok","unit":"count"}]}"#,
            #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"X","unit":"count"}]}"#,
            #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":null,"flag":"ok","unit":"count"}]}"#,
            #"{"period":"2024","values":[{"kpi":"LOCAL.THING","value":"1","flag":"ok","unit":"count"}]}"#,
            #"{"period":"2024","values":[{"kpi":"MOB.EV_CHARGERS","value":"1","flag":"ok","unit":"count"},{"kpi":"MOB.EV_CHARGERS","value":"2","flag":"ok","unit":"count"}]}"#,
        ]
        for json in bad {
            let record = o.set(.kpi(period), payload: Array(json.utf8))
            #expect(throws: ReplicationError.self, "\(json)") { try Verifier.verify(record, chain: chain) }
        }
        let good = #"{"period":"2024","values":[{"kpi":"LOCAL.THING","value":"1.5","flag":"P","unit":"count","future":true,"def":{"code":"LOCAL.THING","name":"Thing","unit":"count","direction":"higher","field":"living"}},{"kpi":"MOB.EV_CHARGERS","value":null,"flag":"S","unit":"count"}]}"#
        _ = try Verifier.verify(o.set(.kpi(period), payload: Array(good.utf8)), chain: chain)
    }

    @Test func signatureVerifiesWithTheOpenSSLCommandLine() throws {
        let o = try TestOrigin()
        let keyRecord = o.firstKeyRecord()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cb-verify-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // SubjectPublicKeyInfo DER of an Ed25519 key: a fixed 12-byte prefix and the raw key.
        let spki: [UInt8] = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00] + o.firstPublicKey
        try Data(spki).write(to: dir.appendingPathComponent("pub.der"))
        try Data(Signing.signatureInput(kind: .key, headerBytes: keyRecord.headerBytes)).write(to: dir.appendingPathComponent("msg"))
        try Data(keyRecord.signature).write(to: dir.appendingPathComponent("sig"))
        func openssl(_ message: String) throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            p.arguments = ["pkeyutl", "-verify", "-pubin", "-inkey", dir.appendingPathComponent("pub.der").path, "-keyform", "DER",
                           "-rawin", "-in", dir.appendingPathComponent(message).path, "-sigfile", dir.appendingPathComponent("sig").path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus
        }
        #expect(try openssl("msg") == 0)
        var tampered = Signing.signatureInput(kind: .key, headerBytes: keyRecord.headerBytes)
        tampered[tampered.count - 2] ^= 1
        try Data(tampered).write(to: dir.appendingPathComponent("bad"))
        #expect(try openssl("bad") != 0)
    }
}
