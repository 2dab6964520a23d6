import CityNode
import Foundation
import Model
import Store

/// Entry point of the `citybench` executable: parses arguments, calls one library function per
/// command and prints. Exit codes (design §8): 0 success, 1 an error naming the bad input,
/// 64 a usage error.
public enum CommandLineTool {
    /// Exit code of a successful command.
    public static let success: Int32 = 0
    /// Exit code of a refused input or failed operation.
    public static let failure: Int32 = 1
    /// Exit code of a command line that does not fit the command (EX_USAGE).
    public static let usage: Int32 = 64

    /// Runs one command line (without the program name) and returns the exit code.
    public static func run(_ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        let out = OutputStream(.standardOutput), err = OutputStream(.standardError)
        defer { out.flush(); err.flush() }
        // `--home DIR` / `--home=DIR` may come before or after the command.
        var rest: [String] = []
        var home: String?
        var help = false
        var i = 0
        while i < arguments.count {
            let word = arguments[i]
            i += 1
            if word == "--" { rest.append(contentsOf: arguments[(i - 1)...]); break }
            if word == "--home" {
                guard i < arguments.count else { return usageError(UsageError(message: "option '--home' needs a value (DIR)", command: nil), err) }
                home = arguments[i]
                i += 1
            } else if word.hasPrefix("--home=") {
                home = String(word.dropFirst(7))
            } else if word == "--help" || word == "-h" {
                help = true
            } else {
                rest.append(word)
            }
        }
        let commands = CommandCatalog.all
        // The longest command path that prefixes the remaining words.
        let match = commands.filter { $0.path.count <= rest.count && Array(rest.prefix($0.path.count)) == $0.path }
            .max { $0.path.count < $1.path.count }
        guard let command = match else {
            let group = rest.first.map { g in commands.filter { $0.path.first == g } } ?? []
            if rest.isEmpty || (help && !group.isEmpty) || (!group.isEmpty && rest.count == 1 && help) {
                out.write(CommandCatalog.overview(group: group.isEmpty ? nil : rest.first))
                return help ? success : usage
            }
            if !group.isEmpty {
                let words = rest.count > 1 ? "'\(rest[0]) \(rest[1])'" : "'\(rest[0])' without a subcommand"
                err.write("citybench: unknown command \(words); the \(rest[0]) commands are: \(group.map { $0.path.last! }.joined(separator: ", "))\n")
                return usage
            }
            err.write("citybench: unknown command '\(rest[0])'; run 'citybench --help' for the list of commands\n")
            return usage
        }
        if help {
            out.write(command.usage)
            return success
        }
        let context = CommandContext(explicitHome: home, environment: environment, out: out, err: err)
        do {
            let parsed = try command.parse(Array(rest.dropFirst(command.path.count)))
            return try command.run(parsed, context)
        } catch let error as UsageError {
            return usageError(error, err)
        } catch let error as NodeError {
            err.write("citybench: \(error.message)\n")
            return failure
        } catch let error as ModelError {
            err.write("citybench: \(error.message)\n")
            return failure
        } catch let error as StoreError {
            err.write("citybench: \(error.message)\n")
            return failure
        } catch {
            err.write("citybench: \(error)\n")
            return failure
        }
    }

    private static func usageError(_ error: UsageError, _ err: OutputStream) -> Int32 {
        let hint = error.command.map { "run 'citybench \($0) --help' for its usage" } ?? "run 'citybench --help' for usage"
        err.write("citybench: \(error.message); \(hint)\n")
        return usage
    }
}
