import Foundation

/// A node made by the real `citybench init` in a temporary home (removed with the value), and
/// commands run against it with the real binary.
public final class TemporaryHome {
    /// The directory holding the home (and any files a test writes beside it).
    public let dir = TemporaryDirectory(prefix: "home")
    /// The home's path, passed as `--home`.
    public let home: String

    /// Runs `citybench init --city CITY --country DE` plus `extra` options.
    public init(city: String = "Saarbrücken", _ extra: [String] = []) throws {
        home = dir.file("home")
        let r = CLIRunner.run(["--home", home, "init", "--city", city, "--country", "DE"] + extra)
        guard r.exitCode == 0 else { throw TemporaryHomeError(result: r) }
    }

    /// Runs `citybench --home HOME arguments…`.
    @discardableResult
    public func run(_ arguments: String...) -> CLIResult { CLIRunner.run(["--home", home] + arguments) }
    @discardableResult
    public func run(_ arguments: [String]) -> CLIResult { CLIRunner.run(["--home", home] + arguments) }

    /// Everything the data-entry commands can change, as the CLI prints it.
    public func snapshot() -> String {
        [run("kpi", "export"), run("project", "list", "--json"), run("kpi", "list", "--json")]
            .map { "\($0.exitCode)\n\($0.stdout)" }.joined(separator: "\n")
    }

    /// Writes a file beside the home and returns its path.
    public func file(_ name: String, _ text: String) -> String { dir.write(name, text) }
    public func file(_ name: String, bytes: [UInt8]) -> String { dir.write(name, bytes: bytes) }
}

/// `citybench init` failed while setting up a test.
public struct TemporaryHomeError: Error, CustomStringConvertible {
    public let result: CLIResult
    public var description: String { "init failed: \(result)" }
}
