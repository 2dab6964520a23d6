import Foundation

/// What one run of the real `citybench` binary produced.
public struct CLIResult: Sendable, CustomStringConvertible {
    public let exitCode: Int32
    public let stdout: String
    public let stderr: String

    public var description: String { "exit \(exitCode)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// Runs the built `citybench` executable with captured output, as an operator would.
public enum CLIRunner {
    /// The built binary: `$CITYBENCH_BINARY`, else `citybench` beside the test bundle (the
    /// build products directory `swift build --build-tests` fills).
    public static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["CITYBENCH_BINARY"], !explicit.isEmpty { return explicit }
        var candidates: [String] = []
        for bundle in Bundle.allBundles + [Bundle.main] {
            var dir = bundle.bundleURL
            for _ in 0..<3 {
                candidates.append(dir.appendingPathComponent("citybench").path)
                dir = dir.deletingLastPathComponent()
            }
        }
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent("citybench").path)
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? "citybench"
    }()

    /// Runs `citybench` with `arguments` and an environment without `CITYBENCH_HOME` unless given.
    /// With `stdinThroughPipe`, `stdin` arrives through a pipe (as after `cat file |`) rather than a file.
    public static func run(_ arguments: [String], environment: [String: String] = [:], stdin: [UInt8]? = nil,
                           stdinThroughPipe: Bool = false) -> CLIResult {
        let scratch = TemporaryDirectory(prefix: "citybench-run")
        let outPath = scratch.file("stdout"), errPath = scratch.file("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "CITYBENCH_HOME")
        env["HOME"] = scratch.path
        for (k, v) in environment { env[k] = v }
        process.environment = env
        guard let out = FileHandle(forWritingAtPath: outPath), let err = FileHandle(forWritingAtPath: errPath) else {
            return CLIResult(exitCode: -1, stdout: "", stderr: "cannot create capture files")
        }
        process.standardOutput = out
        process.standardError = err
        let pipe = Pipe()
        if stdin != nil, stdinThroughPipe {
            process.standardInput = pipe
        } else if let stdin {
            let input = scratch.write("stdin", bytes: stdin)
            process.standardInput = FileHandle(forReadingAtPath: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        do { try process.run() } catch {
            return CLIResult(exitCode: -1, stdout: "", stderr: "cannot run \(binary): \(error)")
        }
        if let stdin, stdinThroughPipe {
            // Written after the start, from this thread: the pipe buffer (64 KiB) suffices for test inputs.
            pipe.fileHandleForWriting.write(Data(stdin))
            try? pipe.fileHandleForWriting.close()
        }
        process.waitUntilExit()
        try? out.close()
        try? err.close()
        let stdout = String(decoding: FileManager.default.contents(atPath: outPath) ?? Data(), as: UTF8.self)
        let stderr = String(decoding: FileManager.default.contents(atPath: errPath) ?? Data(), as: UTF8.self)
        return CLIResult(exitCode: process.terminationStatus, stdout: stdout, stderr: stderr)
    }
}
