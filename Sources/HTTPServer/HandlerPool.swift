import Foundation

/// A fixed set of threads that run handlers which may block (the node's handlers wait on SQLite),
/// so an event loop never stalls on one. Idle keep-alive connections hold no thread here: only a
/// complete request waits in the queue, and each connection has at most one request in flight, so
/// the queue never holds more than `maxConnections` jobs. Threads start on demand, so an idle
/// server does not pay their memory.
///
/// `@unchecked Sendable`: `jobs`, `head`, `started`, `idle` and `stopping` are only touched under `condition`.
final class HandlerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false
    private let maxThreads: Int
    private let stackSize: Int
    private var started = 0
    private var idle = 0

    /// A pool of at most `threads` worker threads with `stackSize` bytes of stack each.
    init(threads: Int, stackSize: Int) {
        self.maxThreads = threads
        self.stackSize = stackSize
    }

    /// Queues `job` for the next free thread, starting one if more jobs wait than threads idle and the limit allows.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        // Idle threads not yet woken still count as idle, so compare with all waiting jobs.
        let startThread = jobs.count - head > idle && started < maxThreads
        if startThread { started += 1 }
        condition.signal()
        let index = started
        condition.unlock()
        if startThread {
            let thread = Thread { [self] in work() }
            thread.name = "http-handler-\(index)"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    /// Lets the threads finish the queued jobs and exit.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while head == jobs.count && !stopping {
                idle += 1
                condition.wait()
                idle -= 1
            }
            if head == jobs.count {
                condition.unlock()
                return
            }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                jobs.removeAll(keepingCapacity: true)
                head = 0
            }
            condition.unlock()
            job()
        }
    }
}
