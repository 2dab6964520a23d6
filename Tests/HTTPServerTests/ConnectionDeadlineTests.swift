import Testing
@testable import HTTPServer

private func at(_ seconds: Double) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: 1_000_000_000_000).advanced(bySeconds: seconds)
}

@Suite struct ConnectionDeadlineTests {
    let timeouts = ConnectionTimeouts(headerRead: 10, bodyIdle: 15, keepAliveIdle: 30, sendIdle: 15)

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

    @Test func monotonicInstantArithmetic() {
        #expect(at(1.5).seconds(since: at(1)) == 0.5)
        #expect(at(1).seconds(since: at(1.5)) == -0.5)
        #expect(MonotonicInstant(nanoseconds: 5).advanced(bySeconds: -1).nanoseconds == 0)
    }
}
