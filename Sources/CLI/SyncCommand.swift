import CityNode
import Foundation
import Formats
import Sync

/// `citybench sync [--peer NAME] [--force] [--json]` (design §6): one run, then exit
/// 0 (every peer not in backoff synced), 75 (a peer failed), 1 (local error) or 64 (usage).
enum SyncCommand {
    /// Exit code when at least one peer failed (EX_TEMPFAIL: try again later).
    static let peerFailed: Int32 = 75
    /// Seconds a run must take before a terminal gets a progress line.
    static let progressAfterSeconds = 1.0

    static let all: [CommandSpec] = [sync]

    static let sync = CommandSpec(
        path: ["sync"], summary: "Exchange records with every sync peer once (for cron or a systemd timer).",
        options: [
            .value("peer", "NAME", "sync with this peer only"),
            .flag("force", "ignore the peers' backoff and try now"),
            NodeCommands.jsonOption,
            NodeCommands.prettyOption,
        ],
        run: { args, ctx in
            let node = try ctx.openNode()
            let started = Date()
            let onTerminal = isatty(STDERR_FILENO) == 1 && !args.flag("json")
            var showedProgress = false
            let engine = SyncEngine(node: node, progress: { peer, moved in
                guard onTerminal, Date().timeIntervalSince(started) > progressAfterSeconds else { return }
                showedProgress = true
                FileHandle.standardError.write(Data("\r\(peer): \(moved) records moved…\u{1B}[K".utf8))
            })
            let report: SyncReport
            do throws(SyncError) { report = try engine.run(peerName: args.value("peer"), force: args.flag("force")) } catch {
                if error.code == "unknown_peer" { throw UsageError(message: error.message, command: "sync") }
                ctx.err.write("citybench: \(error.message)\n")
                return CommandLineTool.failure
            }
            if showedProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if args.flag("json") {
                ctx.printJSON(report.json, pretty: args.flag("pretty"))
            } else if report.skippedLocked {
                ctx.out.line("Another sync is running in this home (\(node.home.syncLockFile) is held); nothing to do.")
            } else {
                if report.peers.isEmpty { ctx.out.line("No sync peers; add one with 'citybench peer add FILE'.") }
                for p in report.peers { ctx.out.line(line(for: p)) }
            }
            if let restore = report.restore {
                ctx.err.write("citybench: this node was restored from an older state: peers hold its records up to n = \(restore.highestN). A new epoch was drawn and nothing was published. Subjects whose local data differs: \(restore.differingSubjects.isEmpty ? "none" : restore.differingSubjects.joined(separator: ", ")). Re-enter or confirm the data, then run 'citybench publish --after-restore'.\n")
            }
            if let local = report.localError { ctx.err.write("citybench: \(local.message)\n") }
            for p in report.peers where p.state == .failed { ctx.err.write("citybench: \(p.error?.message ?? "peer '\(p.peer)' failed")\n") }
            switch report.exitCode {
            case 0: return CommandLineTool.success
            case 75: return peerFailed
            default: return CommandLineTool.failure
            }
        })

    /// `aachen  ok  received 12  sent 3  1.2 kB out, 40.1 kB in, 2 round trips  85 ms`.
    static func line(for p: PeerSyncResult) -> String {
        var text = "\(p.peer)  \(p.state.rawValue)"
        switch p.state {
        case .backoff:
            text += p.nextTry.map { "  next try \(iso($0))" } ?? ""
        case .ok, .failed:
            text += "  received \(p.received)  sent \(p.sent)  \(p.requestBytes) B out, \(p.responseBytes) B in, \(p.roundTrips) round trip\(p.roundTrips == 1 ? "" : "s")  \(p.milliseconds) ms"
            if p.state == .failed, let next = p.nextTry { text += "  next try \(iso(next))" }
        }
        return text
    }

    private static func iso(_ t: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(t)))
    }
}
