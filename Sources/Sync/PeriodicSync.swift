import CityNode
import Foundation

/// The schedule of `serve --sync-every`: the next run waits the period with ±`jitter` (a fraction),
/// so nodes started together drift apart instead of syncing in lockstep. Pure.
public struct SyncSchedule: Sendable, Hashable {
    /// Seconds between runs.
    public var every: Double
    /// Relative spread of each wait (0.1 = ±10 %).
    public var jitter: Double

    public init(every: Double, jitter: Double = 0.1) {
        self.every = every
        self.jitter = jitter
    }

    /// The wait before the next run for a uniform draw `unit` in [0, 1).
    public func nextWait(unit: Double) -> Double {
        let u = unit.isFinite ? min(max(unit, 0), 1) : 0.5
        return max(every * (1 + jitter * (2 * u - 1)), 0)
    }
}

/// Runs the sync cycle on a background thread inside `serve`, every `schedule.every` seconds
/// with jitter, until stopped. Each cycle opens its own `Node` (its own SQLite connection) and
/// goes through `SyncEngine`, so `sync.lock` keeps it from overlapping a cron-run `sync`: a cycle
/// that finds the lock held is skipped.
public final class PeriodicSync: @unchecked Sendable {
    // @unchecked Sendable: `stopped` is read and written only while holding `condition`'s lock;
    // the other stored properties are immutable.
    private let home: NodeHome
    private let schedule: SyncSchedule
    private let clock: SyncClock
    private let log: @Sendable (String) -> Void
    private let condition = NSCondition()
    private var stopped = false

    /// - Parameter log: receives one structured line per cycle (`level=… event=sync …`).
    public init(home: NodeHome, schedule: SyncSchedule, clock: SyncClock = .system, log: @escaping @Sendable (String) -> Void) {
        self.home = home
        self.schedule = schedule
        self.clock = clock
        self.log = log
    }

    /// Starts the background thread; the first cycle runs after one (jittered) period.
    public func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "citybench-sync"
        thread.start()
    }

    /// Stops after the running cycle, if any; returns at once.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func loop() {
        while waitForNextCycle() {
            runCycle()
        }
    }

    /// Waits one jittered period; false once stopped.
    private func waitForNextCycle() -> Bool {
        let deadline = Date().addingTimeInterval(schedule.nextWait(unit: clock.unit()))
        condition.lock()
        defer { condition.unlock() }
        while !stopped && Date() < deadline { _ = condition.wait(until: deadline) }
        return !stopped
    }

    private func runCycle() {
        do {
            let node = try Node(home: home)
            let report = try SyncEngine(node: node, clock: clock).run()
            if report.skippedLocked {
                log("level=info event=sync skipped=locked")
                return
            }
            let failed = report.peers.filter { $0.state == .failed }
            let level = failed.isEmpty && report.localError == nil ? "info" : "warn"
            log("level=\(level) event=sync peers=\(report.peers.count) failed=\(failed.count) received=\(report.peers.reduce(0) { $0 + $1.received }) sent=\(report.peers.reduce(0) { $0 + $1.sent })")
        } catch {
            log("level=error event=sync error=\"\(error)\"")
        }
    }
}
