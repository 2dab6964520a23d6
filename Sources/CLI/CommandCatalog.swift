import CityNode
import Formats
import Model

/// Every command this executable knows, and the overview `citybench --help` prints.
enum CommandCatalog {
    static let all: [CommandSpec] = NodeCommands.all + KPICommands.all + ProjectCommands.all + PublishCommands.all + [ServeCommand.serve]
        + PeerCommands.all + SyncCommand.all + RankCommands.all + DemoCommand.all

    /// The list of commands (of one group, e.g. `kpi`, or all).
    static func overview(group: String?) -> String {
        var lines = ["Usage: citybench [--home DIR] COMMAND [OPTIONS]", "", "Commands:"]
        for c in all where group == nil || c.path.first == group {
            let name = c.name
            lines.append("  " + name + String(repeating: " ", count: max(2, 20 - name.count)) + c.summary)
        }
        lines.append("")
        lines.append("Run 'citybench COMMAND --help' for a command's options.")
        return lines.joined(separator: "\n") + "\n"
    }
}

extension ParsedArguments {
    /// An optional whole-number option; text that is not one is a usage error naming the option.
    func int(_ name: String, command: String, range: ClosedRange<Int>? = nil) throws(UsageError) -> Int? {
        guard let text = value(name) else { return nil }
        guard let n = Int(text), range.map({ $0.contains(n) }) ?? true else {
            let expected = range.map { "a whole number from \($0.lowerBound) to \($0.upperBound)" } ?? "a whole number"
            throw UsageError(message: "option '--\(name)' must be \(expected), not '\(text)'", command: command)
        }
        return n
    }
}
