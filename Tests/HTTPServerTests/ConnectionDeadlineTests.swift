import Testing
@testable import HTTPServer

private func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: 1_000_000_000_000).advanced(bySeconds: seconds)
}

@Suite struct ConnectionDeadlineTests {
    /// The phase deadlines alone (the minimum data rate rule has its own tests below).
    let timeouts = ConnectionTimeouts(headerRead: 10, bodyIdle: 15, keepAliveIdle: 30, sendIdle: 15, minimumDataRate: 0)
    /// The design's deadlines with Kestrel's rate rule: 240 B/s after 5 s.
    let rated = ConnectionTimeouts(headerRead: 10, bodyIdle: 15, keepAliveIdle: 30, sendIdle: 15, minimumDataRate: 240, dataRateGracePeriod: 5)

    @Test func slowlorisTricklingHeaderBytesStillHitsTheTotalHeaderDeadline() {
        var deadline = ConnectionDeadline(timeouts: timeouts, acceptedAt: at(0))
        // One header byte per second keeps arriving, but the deadline never moves.
        for second in 1...9 {
            deadline.observe(phase: .head, receivedBytes: true, now: at(Double(second)))
            #expect(deadline.current.deadline == at(10))
            #expect(deadline.current.expiry == .requestTimeout)
        }
    }

    @Test func newConnectionWithoutBytesIsClosedSilentlyAtTheHeaderDeadline() {
        let deadline = ConnectionDeadline(timeouts: timeouts, acceptedAt: at(0))
        #expect(deadline.current.deadline == at(10))
        #expect(deadline.current.expiry == .closeSilently)
    }

    @Test func bodyDeadlineMovesWithEachPieceOfBody() {
        var deadline = ConnectionDeadline(timeouts: timeouts, acceptedAt: at(0))
        deadline.observe(phase: .head, receivedBytes: true, now: at(1))
        deadline.observe(phase: .body, receivedBytes: true, now: at(2))
        #expect(deadline.current.deadline == at(17))
        deadline.observe(phase: .body, receivedBytes: true, now: at(12))
        #expect(deadline.current.deadline == at(27))
        deadline.observe(phase: .body, receivedBytes: false, now: at(20))
        #expect(deadline.current.deadline == at(27))
        #expect(deadline.current.expiry == .requestTimeout)
    }

    @Test func keepAliveIdleStartsAfterTheResponseAndHeaderTimeStartsAtTheFirstByte() {
        var deadline = ConnectionDeadline(timeouts: timeouts, acceptedAt: at(0))
        deadline.observe(phase: .head, receivedBytes: true, now: at(1))
        deadline.requestCompleted(now: at(2))
        deadline.observe(phase: .idle, receivedBytes: false, now: at(2))
        #expect(deadline.current.deadline == at(32))
        #expect(deadline.current.expiry == .closeSilently)
        deadline.observe(phase: .head, receivedBytes: true, now: at(25))
        #expect(deadline.current.deadline == at(35))
        #expect(deadline.current.expiry == .requestTimeout)
    }

    @Test func slowBodyBelowTheMinimumDataRateTimesOutAtTheEndOfTheGracePeriod() {
        var deadline = ConnectionDeadline(timeouts: rated, acceptedAt: at(0))
        deadline.received(bytes: 200)  // the head, at once
        deadline.observe(phase: .body, receivedBytes: true, now: at(0.1))
        #expect(deadline.current.deadline == at(5))
        #expect(deadline.current.expiry == .requestTimeout)
        // A few bytes just before each body-idle deadline would keep it alive forever; the rate does not.
        deadline.received(bytes: 4)
        deadline.observe(phase: .body, receivedBytes: true, now: at(4))
        #expect(deadline.current.deadline == at(5))
    }

    @Test func requestArrivingAtTheMinimumRateEarnsMoreTime() {
        var deadline = ConnectionDeadline(timeouts: rated, acceptedAt: at(0))
        deadline.received(bytes: 1200)
        deadline.observe(phase: .body, receivedBytes: true, now: at(1))
        #expect(deadline.current.deadline == at(5))
        deadline.received(bytes: 1200)  // 2,400 bytes carry it to 10 s
        deadline.observe(phase: .body, receivedBytes: true, now: at(4.5))
        #expect(deadline.current.deadline == at(10))
        deadline.received(bytes: 24_000)  // far ahead of the rate: the body-idle deadline applies
        deadline.observe(phase: .body, receivedBytes: true, now: at(9))
        #expect(deadline.current.deadline == at(24))
    }

    @Test func rateRuleCountsFromTheFirstByteOfAKeptAliveRequest() {
        var deadline = ConnectionDeadline(timeouts: rated, acceptedAt: at(0))
        deadline.requestCompleted(now: at(1))
        deadline.observe(phase: .idle, receivedBytes: false, now: at(1))
        #expect(deadline.dataRateDeadline == nil)
        #expect(deadline.current.deadline == at(31))
        deadline.observe(phase: .head, receivedBytes: true, now: at(20))
        deadline.received(bytes: 10)
        #expect(deadline.requestStartedAt == at(20))
        #expect(deadline.current.deadline == at(25))
        #expect(deadline.current.expiry == .requestTimeout)
    }

    @Test func rateRuleIsOffAtZero() {
        var deadline = ConnectionDeadline(timeouts: timeouts, acceptedAt: at(0))
        deadline.observe(phase: .body, receivedBytes: true, now: at(1))
        #expect(deadline.dataRateDeadline == nil)
        #expect(deadline.current.deadline == at(16))
    }

    @Test func monotonicInstantArithmetic() {
        #expect(at(1.5).seconds(since: at(1)) == 0.5)
        #expect(at(1).seconds(since: at(1.5)) == -0.5)
        #expect(MonotonicInstant(nanoseconds: 5).advanced(bySeconds: -1).nanoseconds == 0)
    }
}
