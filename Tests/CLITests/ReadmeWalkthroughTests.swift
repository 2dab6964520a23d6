import Foundation
import Testing
import TestSupport

/// Every shell block of README.md, in order, run as a new user would copy it: one bash session
/// per block (`set -euo pipefail`), all in one scratch directory, with the built `citybench` on
/// PATH and `$CITYBENCH_HOME` unset. A block preceded by `<!-- test: skip: REASON -->` (a Docker
/// engine, systemd as init, the internet, or the set-up commands themselves) is not run.
@Suite struct ReadmeWalkthroughTests {
    struct Block: CustomStringConvertible {
        let line: Int
        let script: String
        let skipReason: String?
        var description: String { "README.md line \(line)" }
    }

    static func readmeBlocks() throws -> [Block] {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).components(separatedBy: "\n")
        var blocks: [Block] = []
        var i = 0
        var pendingSkip: String?
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("<!-- test: skip:") {
                pendingSkip = String(line.dropFirst("<!-- test: skip:".count).dropLast(3)).trimmingCharacters(in: .whitespaces)
            } else if line == "```sh" || line == "```bash" {
                let start = i + 1
                var body: [String] = []
                i += 1
                while i < lines.count && lines[i].trimmingCharacters(in: .whitespaces) != "```" {
                    body.append(lines[i])
                    i += 1
                }
                blocks.append(Block(line: start, script: body.joined(separator: "\n"), skipReason: pendingSkip))
                pendingSkip = nil
            } else if !line.isEmpty {
                pendingSkip = nil
            }
            i += 1
        }
        return blocks
    }

    @Test func everyUnmarkedShellBlockRunsSuccessfully() throws {
        let blocks = try Self.readmeBlocks()
        #expect(blocks.count >= 5, "README.md has too few shell blocks to be a walkthrough")
        #expect(blocks.contains { $0.skipReason == nil })
        let dir = TemporaryDirectory(prefix: "readme")
        let binDir = URL(fileURLWithPath: CLIRunner.binary).deletingLastPathComponent().path
        for block in blocks where block.skipReason == nil {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["--noprofile", "--norc", "-c", "set -euo pipefail\n" + block.script]
            process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
            var env = ProcessInfo.processInfo.environment
            env["PATH"] = binDir + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            env["CITYBENCH_HOME"] = nil
            env["HOME"] = dir.path
            process.environment = env
            let output = dir.file("block-\(block.line).log")
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardOutput = handle
            process.standardError = handle
            process.standardInput = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            try handle.close()
            let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 0, "\(block) failed (exit \(process.terminationStatus)):\n\(block.script)\n--- output\n\(log)")
            if process.terminationStatus != 0 { return }
        }
    }

    @Test func skipMarkersGiveAReason() throws {
        for block in try Self.readmeBlocks() where block.skipReason != nil {
            #expect(!(block.skipReason ?? "").isEmpty, "\(block) is skipped without a reason")
        }
    }
}
