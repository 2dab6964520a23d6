import Foundation

/// The CPUs this process may run on. `taskset`, systemd's `CPUAffinity=` or a container's cpuset
/// narrow the affinity mask, while Foundation's `activeProcessorCount` counts every online CPU,
/// so a server pinned to one core would start a loop per online core and switch between them.
enum ProcessorAffinity {
    /// The number of CPUs in this process's affinity mask (the `Cpus_allowed` line of
    /// `/proc/self/status`, a comma-grouped hex mask), or nil where that cannot be read.
    static func usableCores(status path: String = "/proc/self/status") -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return cpusAllowed(inStatus: text)
    }

    /// The CPU count of the `Cpus_allowed:` line in a `/proc/PID/status` text.
    static func cpusAllowed(inStatus text: String) -> Int? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) else { return nil }
        var count = 0
        for character in line.dropFirst("Cpus_allowed:".count) where character != "," && !character.isWhitespace {
            guard let digit = character.hexDigitValue else { return nil }
            count += digit.nonzeroBitCount
        }
        return count > 0 ? count : nil
    }
}
