import Foundation
import TestSupport

/// A node made by the real `citybench init` in a temporary home, and commands run against it.
final class CLIHome {
    let dir = TemporaryDirectory(prefix: "cli")
    let home: String

    init(_ extra: [String] = []) throws {
        home = dir.file("home")
        let r = CLIRunner.run(["--home", home, "init", "--city", "Saarbrücken", "--country", "DE"] + extra)
        guard r.exitCode == 0 else { throw CLIFixtureError(result: r) }
    }

    /// Runs `citybench --home HOME arguments…`.
    @discardableResult
    func run(_ arguments: String...) -> CLIResult { CLIRunner.run(["--home", home] + arguments) }
    func run(_ arguments: [String]) -> CLIResult { CLIRunner.run(["--home", home] + arguments) }

    /// Everything the data-entry commands can change, as the CLI prints it.
    func snapshot() -> String {
        [run("kpi", "export"), run("project", "list", "--json"), run("kpi", "list", "--json")]
            .map { "\($0.exitCode)\n\($0.stdout)" }.joined(separator: "\n")
    }

    func file(_ name: String, _ text: String) -> String { dir.write(name, text) }
    func file(_ name: String, bytes: [UInt8]) -> String { dir.write(name, bytes: bytes) }
}

struct CLIFixtureError: Error, CustomStringConvertible {
    let result: CLIResult
    var description: String { "init failed: \(result)" }
}
