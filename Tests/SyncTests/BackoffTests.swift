import Testing
import TestSupport
@testable import Sync

@Suite struct BackoffTests {
    @Test func windowDoublesFromBaseAndStopsAtCap() {
        let policy = BackoffPolicy()
        #expect(policy.window(failures: 0) == 30)
        #expect(policy.window(failures: 1) == 60)
        #expect(policy.window(failures: 6) == 1920)
        #expect(policy.window(failures: 7) == 3600)
        #expect(policy.window(failures: 500) == 3600)
    }

    @Test func delayStaysWithinZeroAndTheWindowForSeededDraws() {
        let policy = BackoffPolicy()
        var g = SeededGenerator(seed: 7)
        var sawSmall = false, sawLarge = false
        for failures in 0..<20 {
            for _ in 0..<200 {
                let unit = Double(g.next() >> 11) / Double(1 << 53)
                let d = policy.delay(failures: failures, unit: unit)
                #expect(d >= 0 && d <= policy.window(failures: failures))
                if d < policy.window(failures: failures) / 4 { sawSmall = true }
                if d > policy.window(failures: failures) * 3 / 4 { sawLarge = true }
            }
        }
        #expect(sawSmall && sawLarge, "full jitter spreads delays over the whole window")
    }

    @Test func retryAfterIsHonouredEvenAboveTheCap() {
        let policy = BackoffPolicy()
        #expect(policy.delay(failures: 0, unit: 0.1, retryAfter: 7200) == 7200)
        #expect(policy.delay(failures: 3, unit: 0.99, retryAfter: 5) == Int(240 * 0.99))
    }

    @Test func extremeDrawsAreClampedIntoTheWindow() {
        let policy = BackoffPolicy(baseSeconds: 30, capSeconds: 3600)
        #expect(policy.delay(failures: 2, unit: 1.5) == 120)
        #expect(policy.delay(failures: 2, unit: -1) == 0)
        #expect(policy.delay(failures: 2, unit: .nan) == 0)
    }

    @Test func waitingOnlyBeforeNextTry() {
        #expect(BackoffPolicy.isWaiting(nextTry: 100, now: 99))
        #expect(!BackoffPolicy.isWaiting(nextTry: 100, now: 100))
        #expect(!BackoffPolicy.isWaiting(nextTry: nil, now: 0))
    }
}

@Suite struct SyncScheduleTests {
    @Test func waitsStayWithinTheJitterBandAroundThePeriod() {
        let schedule = SyncSchedule(every: 900, jitter: 0.1)
        var g = SeededGenerator(seed: 3)
        var low = Double.infinity, high = 0.0
        for _ in 0..<1000 {
            let w = schedule.nextWait(unit: Double(g.next() >> 11) / Double(1 << 53))
            #expect(w >= 810 && w <= 990)
            low = min(low, w); high = max(high, w)
        }
        #expect(low < 830 && high > 970, "the jitter spreads over the band")
        #expect(schedule.nextWait(unit: .nan) == 900)
    }
}
