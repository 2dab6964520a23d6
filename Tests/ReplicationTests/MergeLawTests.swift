import Formats
import Model
import Testing
import TestSupport
@testable import Replication


@Suite struct MergeLawTests {
    static let subjects: [Subject] = [.profile, .projects, .kpi(Period("2023")!), .kpi(Period("2024")!), .kpi(Period("2024-Q1")!)]

    /// A random publication history of a few origins, including forks, retractions with purge
    /// and key rotations; returns every envelope ever signed, in creation order.
    static func history(seed: UInt64, origins count: Int = 2, steps: Int = 9) throws -> [Envelope] {
        var rng = SeededGenerator(seed: seed)
        var all: [Envelope] = []
        for _ in 0..<count {
            let o = try TestOrigin()
            all.append(o.firstKeyRecord())
            var lastWasRotation = false
            for _ in 0..<steps {
                let subject = subjects[Int.random(in: 0..<subjects.count, using: &rng)]
                let roll = Int.random(in: 0..<100, using: &rng)
                switch roll {
                case 0..<45:
                    all.append(o.set(subject, payload: payload(subject, rng: &rng)))
                    lastWasRotation = false
                case 45..<55:
                    all.append(o.retract(subject, purge: Bool.random(using: &rng)))
                    lastWasRotation = false
                case 55..<75:
                    all.append(o.head())
                    lastWasRotation = false
                case 75..<82 where !lastWasRotation:
                    // A fork: another, different header signed under the latest n.
                    all.append(o.set(subject, payload: payload(subject, rng: &rng), n: o.n, track: false))
                case 82..<88:
                    all.append(try o.rotate())
                    lastWasRotation = true
                default:
                    all.append(o.set(subject, payload: payload(subject, rng: &rng)))
                    lastWasRotation = false
                }
            }
            all.append(o.head())
        }
        return all
    }

    static func payload(_ subject: Subject, rng: inout SeededGenerator) -> [UInt8] {
        switch subject {
        case .profile:
            return JSONWriter.bytes(ProfilePayload(label: "city-\(Int.random(in: 0..<1000, using: &rng))", country: "DE", sizeClass: .medium).json)
        case .projects:
            return JSONWriter.bytes(ProjectsPayload.counts([.init(field: .mobility, category: .evCharging, status: .active,
                                                                  count: Int.random(in: 0..<9, using: &rng))]).json)
        case .kpi(let p):
            return TestOrigin.kpiPayload(p, values: [("MOB.EV_CHARGERS", String(Int.random(in: 0..<500, using: &rng)))])
        }
    }

    /// Delivers items in order, then keeps redelivering whatever was refused for an unknown key
    /// (the completeness re-fetch of design §4) until nothing changes.
    static func deliver(_ items: [Envelope], to replica: inout ReplicaState) {
        var refused: [Envelope] = []
        deliver(items, to: &replica, refused: &refused)
    }

    /// As above, carrying items still refused for an unknown key in `pending` across calls.
    static func deliver(_ items: [Envelope], to replica: inout ReplicaState, refused pending: inout [Envelope]) {
        for e in items where replica.offer(e).reason == "unknown_key" { pending.append(e) }
        while !pending.isEmpty {
            let before = pending.count
            pending = pending.filter { replica.offer($0).reason == "unknown_key" }
            if pending.count == before { break }
        }
    }

    /// 1,000 seeded cases, in four slices that run in parallel.
    @Test(arguments: [UInt64(1), 251, 501, 751])
    func anyPermutationDuplicationAndLossThenRedeliveryConverges(firstSeed: UInt64) throws {
        for seed in firstSeed..<(firstSeed + 250) {
            let items = try Self.history(seed: seed)
            var reference = ReplicaState()
            Self.deliver(items, to: &reference)

            var rng = SeededGenerator(seed: seed &* 7919)
            var shuffled = items.shuffled(using: &rng)
            shuffled += items.filter { _ in Int.random(in: 0..<4, using: &rng) == 0 } // duplicates
            let lost = Set(shuffled.indices.filter { _ in Int.random(in: 0..<5, using: &rng) == 0 })
            var replica = ReplicaState()
            var refused: [Envelope] = []
            Self.deliver(shuffled.enumerated().filter { !lost.contains($0.offset) }.map(\.element), to: &replica, refused: &refused)
            Self.deliver(lost.sorted().map { shuffled[$0] }.shuffled(using: &rng), to: &replica, refused: &refused)

            #expect(replica.digest == reference.digest, "seed \(seed)")
            if replica.digest != reference.digest { return }
        }
    }

    @Test func everyReplicaResolvesAForkTheSameWay() throws {
        let o = try TestOrigin()
        let key = o.firstKeyRecord()
        let a = o.set(.profile, payload: Array(#"{"label":"A","country":"DE","sizeClass":null}"#.utf8))
        let b = o.set(.profile, payload: Array(#"{"label":"B","country":"DE","sizeClass":null}"#.utf8), n: o.n, track: false)
        let c = o.set(.kpi(Period("2024")!), payload: TestOrigin.kpiPayload(Period("2024")!, values: []), n: o.n, track: false)
        var one = ReplicaState(), two = ReplicaState()
        let statusesOne = [key, a, b, c].map { one.offer($0).status }
        let statusesTwo = [key, c, b, a].map { two.offer($0).status }
        #expect(one.digest == two.digest)
        let winner = [a, b].min { $0.headerHash.lexicographicallyPrecedes($1.headerHash) }!
        #expect(one.origins[o.origin]!.currents[.profile]!.envelope == winner)
        // Different subjects at the forked n both stay current; the fork is on record.
        #expect(one.origins[o.origin]!.currents[.kpi(Period("2024")!)] != nil)
        #expect(one.origins[o.origin]!.forkedSequences == [o.n])
        #expect(!one.origins[o.origin]!.isComplete)
        // An item arriving after a lower-hashed header of the same n is answered `fork`.
        for (order, statuses) in [([a, b, c], Array(statusesOne.dropFirst())), ([c, b, a], Array(statusesTwo.dropFirst()))] {
            for (i, item) in order.enumerated() {
                let beaten = order[..<i].contains { $0.headerHash.lexicographicallyPrecedes(item.headerHash) }
                #expect((statuses[i] == .fork) == beaten)
            }
        }
    }

    @Test func aPurgedSubjectNeverComesBack() throws {
        let o = try TestOrigin()
        let key = o.firstKeyRecord()
        let old = o.set(.projects, payload: Array(#"{"mode":"counts","counts":[]}"#.utf8))
        let purge = o.retract(.projects, purge: true, reason: "error")
        var replica = ReplicaState()
        for e in [key, purge] { replica.offer(e) }
        #expect(replica.offer(old).status == .stale)
        let current = try #require(replica.origins[o.origin]?.currents[.projects])
        #expect(current.envelope == purge && current.envelope.payload == nil)
    }

    @Test func aHeadMakesTheReplicaCompleteOnlyWithAllCurrentRecords() throws {
        let o = try TestOrigin()
        let key = o.firstKeyRecord()
        let r1 = o.set(.profile, payload: Array(#"{"label":"A","country":"DE","sizeClass":null}"#.utf8))
        let r2 = o.set(.kpi(Period("2024")!), payload: TestOrigin.kpiPayload(Period("2024")!, values: [("MOB.EV_CHARGERS", "3")]))
        let head = o.head()
        var replica = ReplicaState()
        for e in [key, r1, head] { replica.offer(e) }
        #expect(replica.origins[o.origin]?.isComplete == false)
        #expect(replica.offer(r2).status == .accepted)
        #expect(replica.origins[o.origin]?.isComplete == true)
        #expect(replica.offer(r2).status == .duplicate)
    }

    @Test func keyRotationVerifiesLaterRecordsThroughTheChain() throws {
        let o = try TestOrigin()
        let key = o.firstKeyRecord()
        let before = o.set(.profile, payload: Array(#"{"label":"A","country":"DE","sizeClass":null}"#.utf8))
        let rotation = try o.rotate()
        let after = o.set(.profile, payload: Array(#"{"label":"B","country":"DE","sizeClass":null}"#.utf8))
        var replica = ReplicaState()
        #expect(replica.offer(key).status == .accepted)
        #expect(replica.offer(after).reason == "unknown_key")
        #expect(replica.offer(before).status == .accepted)
        #expect(replica.offer(rotation).status == .accepted)
        #expect(replica.offer(after).status == .accepted)
        #expect(replica.origins[o.origin]!.chain.entries.count == 2)
    }

    @Test func rejectsASequenceJumpBeyondTwoToThe32() throws {
        let o = try TestOrigin()
        var replica = ReplicaState()
        replica.offer(o.firstKeyRecord())
        o.n = 1 + (1 << 32)
        let far = o.set(.profile, payload: Array(#"{"label":"A","country":"DE","sizeClass":null}"#.utf8))
        #expect(replica.offer(far).reason == "sequence_out_of_range")
    }
}
