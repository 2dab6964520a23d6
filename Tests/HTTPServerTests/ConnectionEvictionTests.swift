import Testing
@testable import HTTPServer

private func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: 1_000_000_000_000).advanced(bySeconds: seconds)
}

private func candidate(
    _ id: UInt64, _ state: ConnectionActivity.State, since: Double, bytes: Int = 0, lastByte: Double? = nil
) -> ConnectionEviction.Candidate {
    ConnectionEviction.Candidate(id: id, state: state, since: at(since), bytes: bytes, lastProgress: at(lastByte ?? since))
}

@Suite struct ConnectionEvictionTests {
    @Test func evictsTheLongestIdleKeepAliveConnectionFirst() {
        let victim = ConnectionEviction.victim(
            among: [candidate(1, .receiving, since: 0), candidate(2, .idle, since: 5), candidate(3, .idle, since: 2)],
            now: at(10), minimumDataRate: 240, silenceAllowance: 0)
        #expect(victim?.id == 3)
    }

    @Test func otherwiseEvictsTheRequestFurthestBelowTheMinimumRate() {
        // At 10 s: #1 lags 2,400 − 2,000 = 400 bytes, #2 lags 1,200 − 100 = 1,100, #3 is ahead.
        let victim = ConnectionEviction.victim(
            among: [candidate(1, .receiving, since: 0, bytes: 2000), candidate(2, .receiving, since: 5, bytes: 100),
                    candidate(3, .receiving, since: 9, bytes: 5000)],
            now: at(10), minimumDataRate: 240, silenceAllowance: 0)
        #expect(victim?.id == 2)
    }

    @Test func neverEvictsAHandledRequestOrOneKeepingUpWithTheRate() {
        let victim = ConnectionEviction.victim(
            among: [candidate(1, .handling, since: 0), candidate(2, .receiving, since: 9, bytes: 240),
                    candidate(3, .evicted, since: 0)],
            now: at(10), minimumDataRate: 240, silenceAllowance: 0)
        #expect(victim == nil)
    }

    @Test func withoutARateOnlyIdleConnectionsAreEvicted() {
        let slow = [candidate(1, .receiving, since: 0)]
        #expect(ConnectionEviction.victim(among: slow, now: at(10), minimumDataRate: 0, silenceAllowance: 0) == nil)
        #expect(ConnectionEviction.victim(among: slow + [candidate(2, .idle, since: 9)], now: at(10), minimumDataRate: 0, silenceAllowance: 0)?.id == 2)
    }

    @Test func evictsARequestSilentBeyondTheAllowanceDespiteItsBurstCredit() {
        // #1 sent 4,800 bytes at once 2 s ago (20 s of credit at 240 B/s) and nothing since;
        // #2 is younger and still sending. Only the silence rule finds #1.
        let candidates = [candidate(1, .receiving, since: 8, bytes: 4800, lastByte: 8),
                          candidate(2, .receiving, since: 9.5, bytes: 200, lastByte: 9.9)]
        #expect(ConnectionEviction.victim(among: candidates, now: at(10), minimumDataRate: 240, silenceAllowance: 0) == nil)
        #expect(ConnectionEviction.victim(among: candidates, now: at(10), minimumDataRate: 240, silenceAllowance: 1)?.id == 1)
        #expect(ConnectionEviction.victim(among: candidates, now: at(10), minimumDataRate: 240, silenceAllowance: 3) == nil)
    }
}
