import Crypto
import Formats
import Foundation
import Model
import Testing
@testable import Replication

@Suite struct HeaderTests {
    let origin = String(repeating: "ab", count: 16)
    let kid = String(repeating: "cd", count: 8)

    func header(_ json: String) throws(ReplicationError) -> Header { try Header.parse(Array(json.utf8)) }

    @Test func roundTripsEveryKind() throws {
        let bodies: [Header.Body] = [
            .record(subject: .kpi(Period("2024-Q2")!), operation: .set, payloadHash: Array(repeating: 7, count: 32), purge: false, reason: nil),
            .record(subject: .projects, operation: .retract, payloadHash: nil, purge: true, reason: "withdrawn"),
            .head(live: 3, root: Array(repeating: 9, count: 32)),
            .key(publicKey: Array(repeating: 1, count: 32), from: 43, label: "key-2"),
        ]
        for body in bodies {
            let h = Header(origin: origin, keyID: kid, n: 42, at: 1_700_000_000, body: body)
            #expect(try Header.parse(h.encoded()) == h)
        }
    }

    @Test func writesTheDocumentedKeyOrder() {
        let h = Header(origin: origin, keyID: kid, n: 5, at: 10, body: .head(live: 0, root: Array(repeating: 0, count: 32)))
        let text = String(decoding: h.encoded(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"v":1,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":5,"at":10,"live":0,"root":""#))
    }

    @Test func rejectsDuplicateKeys() {
        #expect { try header(#"{"v":1,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":5,"n":6,"at":1,"live":0,"root":"\#(String(repeating: "A", count: 43))"}"#) }
            throws: { ($0 as? ReplicationError)?.code == .malformedHeader }
    }

    @Test(arguments: ["1.0", "1e1", "0", "-1", "9007199254740992", "\"5\""])
    func rejectsNonIntegerOrOutOfRangeSequenceNumbers(n: String) {
        let json = #"{"v":1,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":\#(n),"at":1,"live":0,"root":"\#(String(repeating: "A", count: 43))"}"#
        #expect { try header(json) } throws: {
            let code = ($0 as? ReplicationError)?.code
            return code == .sequenceOutOfRange || code == .malformedHeader
        }
    }

    @Test func acceptsTheLargestSequenceNumber() throws {
        let json = #"{"v":1,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":9007199254740991,"at":1,"live":0,"root":"\#(String(repeating: "A", count: 43))"}"#
        #expect(try header(json).n == 9_007_199_254_740_991)
    }

    @Test func ignoresUnknownFieldsAndRefusesUnknownVersions() throws {
        let root = String(repeating: "A", count: 43)
        #expect(try header(#"{"v":1,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":2,"at":1,"live":0,"root":"\#(root)","future":{"x":1}}"#).n == 2)
        #expect { try header(#"{"v":2,"t":"head","o":"\#(origin)","kid":"\#(kid)","n":2,"at":1,"live":0,"root":"\#(root)"}"#) }
            throws: { ($0 as? ReplicationError)?.code == .unsupportedVersion }
    }

    @Test func subjectsOrderByBytes() {
        let subjects = ["projects", "kpi/2024-Q1", "profile", "kpi/2024", "kpi/2023-12"].compactMap(Subject.init)
        #expect(subjects.sorted().map(\.description) == ["kpi/2023-12", "kpi/2024", "kpi/2024-Q1", "profile", "projects"])
        #expect(Subject("kpi/2024-13") == nil && Subject("people") == nil)
    }
}
