import Foundation

/// A fixed set of threads that run handlers which may block (the node's handlers wait on SQLite),
/// so an event loop never stalls on one. Idle keep-alive connections hold no thread here: only a
/// complete request waits in the queue, and each connection has at most one request in flight, so
/// the queue never holds more than `maxConnections` jobs.
///
/// `@unchecked Sendable`: `jobs` and `stopping` are only touched under `condition`.
final class HandlerPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var head = 0
    private var stopping = false

    /// Starts `threads` worker threads with `stackSize` bytes of stack each.
    init(threads: Int, stackSize: Int) {
        for index in 0..<threads {
            let thread = Thread { [self] in work() }
            thread.name = "http-handler-\(index)"
            thread.stackSize = stackSize
            thread.start()
        }
    }

    /// Queues `job` for the next free thread.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
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
            while head == jobs.count && !stopping { condition.wait() }
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
