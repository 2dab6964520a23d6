import Demo
import Foundation

/// `citybench demo` (design §9): the embedded default a newcomer runs first.
enum DemoCommand {
    static let all: [CommandSpec] = [demo]

    /// Where the demo writes when `--dir` is not given.
    static let defaultDirectory = "citybench-demo"

    static let demo = CommandSpec(
        path: ["demo"], summary: "Run six illustrative city nodes peered in a line, sync them, rank them and write report.html.",
        options: [
            .value("dir", "DIR", "directory for the demo's homes, roster and report (default ./\(defaultDirectory))"),
            .flag("keep-running", "keep the nodes running after the report and print their URLs; stop with Ctrl-C"),
            .value("uncertainty", "N", "Monte Carlo runs for the rank intervals (default 1000)"),
        ],
        run: { args, ctx in
            var options = DemoOptions(directory: args.value("dir") ?? defaultDirectory, keepRunning: args.flag("keep-running"))
            if let n = try args.int("uncertainty", command: "demo", range: 0...100_000) { options.uncertaintyRuns = n }
            let interrupt = DemoInterrupt()
            let outcome = try DemoFederation.run(options, interrupted: { interrupt.requested }) { line in
                ctx.out.line(line)
                ctx.out.flush()
            }
            if options.keepRunning {
                ctx.out.line("The nodes keep running; press Ctrl-C to stop them.")
                for node in outcome.nodes { ctx.out.line("  \(DemoFederation.pad(node.label, 18)) \(node.url ?? "(no server)")  home \(node.home)") }
                ctx.out.flush()
                interrupt.wait()
                ctx.out.line("Stopping the demo nodes.")
            }
            outcome.stop()
            return CommandLineTool.success
        })
}
