import Foundation

/// User-CPU time of this process, the clock `openssl speed` counts by default, so other load on
/// a shared machine does not skew a ratio against it.
public enum CPUClock {
    /// User CPU seconds so far (`getrusage`).
    public static func userSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    }

    /// User plus system CPU seconds so far (`getrusage`): what a process costs its core,
    /// including the kernel's work on its behalf (file writes, sockets).
    public static func totalSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// CPU seconds (user plus system, nanosecond resolution) of the calling thread so far: for
    /// interleaving short measurements, where getrusage's split is too coarse.
    public static func threadSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }

    /// Calls `body` in batches until `seconds` of user CPU time have passed; returns calls per
    /// user-CPU second.
    public static func rate(seconds: Double, batch: Int = 64, _ body: () -> Void) -> Double {
        let start = userSeconds()
        var calls = 0
        var elapsed = 0.0
        while elapsed < seconds {
            for _ in 0..<batch { body() }
            calls += batch
            elapsed = userSeconds() - start
        }
        return Double(calls) / elapsed
    }

    /// Wall-clock seconds `body` takes.
    public static func wall(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }
}

/// The baseline every signature-bound target is measured against (design §10).
public enum OpenSSLSpeed {
    /// Runs `openssl speed -seconds N ed25519` (pinned with `taskset -c CORE` when a core is
    /// given) and returns its sign/s and verify/s columns.
    public static func ed25519(seconds: Int, core: String? = nil) throws -> (sign: Double, verify: Double) {
        let process = Process()
        let speed = ["openssl", "speed", "-seconds", String(seconds), "ed25519"]
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = core.map { ["taskset", "-c", $0] + speed } ?? speed
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        // " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  23456.7   8765.4"
        guard let line = text.split(separator: "\n").last(where: { $0.contains("(Ed25519)") }) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no Ed25519 line in openssl speed output"])
        }
        let numbers = line.split(separator: " ").compactMap { Double($0) }
        guard numbers.count >= 2 else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "unexpected openssl speed line: \(line)"])
        }
        return (numbers[numbers.count - 2], numbers[numbers.count - 1])
    }
}
