import CityNode
import Foundation
import Sync

/// `citybench serve [--listen HOST:PORT] [--plain-http] [--sync-every DURATION]`: the peer API
/// until SIGTERM or SIGINT, then a graceful stop (in-flight requests finish within 10 s) and exit 0.
enum ServeCommand {
    static let serve = CommandSpec(
        path: ["serve"], summary: "Serve this node's HTTPS peer API until SIGTERM or SIGINT.",
        options: [
            .value("listen", "HOST:PORT", "address to listen on (default: node.json's listen; port 0 picks a free port)"),
            .flag("plain-http", "serve plain HTTP instead of TLS (loopback addresses only)"),
            .value("sync-every", "DURATION", "also sync with every peer this often, e.g. 15m or 1h"),
        ],
        run: { args, ctx in
            var configuration = NodeServerConfiguration(home: ctx.home, listen: args.value("listen"),
                                                        plainHTTP: args.flag("plain-http"))
            configuration.accessLog = .standardError
            var periodic: PeriodicSync?
            if let every = args.value("sync-every") {
                guard let seconds = duration(every), seconds >= 60 else {
                    throw UsageError(message: "option '--sync-every' must be a duration of at least 1 minute such as 15m or 1h, not '\(every)'",
                                     command: "serve")
                }
                // The sync cycle runs on its own thread and connection; `sync.lock` keeps it from
                // overlapping a cron-run `sync` (a cycle that finds the lock held is skipped).
                periodic = PeriodicSync(home: ctx.home, schedule: SyncSchedule(every: seconds), log: { line in
                    FileHandle.standardError.write(Data((line + "\n").utf8))
                })
            }
            let server = try NodeServer(configuration)
            if let notice = server.epochNotice { ctx.err.write("citybench: \(notice)\n") }
            let signal = try server.runUntilSignal { server in
                ctx.out.line("listening on \(server.baseURL) as origin \(server.origin)")
                ctx.out.flush()
                ctx.err.flush()
                periodic?.start()
            }
            periodic?.stop()
            ctx.err.write("level=info event=shutdown signal=\(signal)\n")
            return CommandLineTool.success
        })

    /// `90s`, `15m`, `1h`, `2d` or plain seconds.
    static func duration(_ text: String) -> Double? {
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86400]
        if let unit = text.last, let factor = units[unit], let n = Double(text.dropLast()), n > 0, n.isFinite { return n * factor }
        if let n = Double(text), n > 0, n.isFinite { return n }
        return nil
    }
}
