import CityNode
import Formats
import Replication
import Sync

/// `publish`, `retract` and `key rotate`: what leaves the node, and under which key.
enum PublishCommands {
    static let all: [CommandSpec] = [publish, retract, keyRotate]

    static let publish = CommandSpec(
        path: ["publish"], summary: "Sign and store the anonymized snapshots the disclosure policy allows.",
        options: [
            .flag("preview", "print exactly the payloads that would be signed; store nothing"),
            NodeCommands.jsonOption,
            NodeCommands.prettyOption,
            .flag("after-restore", "publish again after a restore, once the data has been re-entered or confirmed"),
            .flag("verbose", "also print one line per signed record"),
        ],
        run: { args, ctx in
            let node = try ctx.openNode()
            if args.flag("preview") {
                // `<subject> <op>` then the payload bytes verbatim; nothing else (design §4).
                for change in try node.previewPublication() {
                    ctx.out.line("\(change.subject) \(change.operation.rawValue)")
                    if let payload = change.payload {
                        ctx.out.write(bytes: payload)
                        ctx.out.write("\n")
                    }
                }
                return CommandLineTool.success
            }
            // With sync peers, first fetch this node's own records from them (design §6): a peer
            // holding own records above what this node signed means the node was restored.
            if try !node.peers().filter(\.syncPeer).isEmpty, !args.flag("after-restore") {
                let pulled = try SyncEngine(node: node).pullOwnRecords()
                for name in pulled.unreachable {
                    ctx.err.write("citybench: peer '\(name)' could not be asked for this node's own records; publishing without it\n")
                }
                if let restore = pulled.restore {
                    ctx.err.write("citybench: this node was restored from an older state: peers hold its records up to n = \(restore.highestN). A new epoch was drawn and nothing was published. Subjects whose local data differs: \(restore.differingSubjects.isEmpty ? "none" : restore.differingSubjects.joined(separator: ", ")). Re-enter or confirm the data, then run 'citybench publish --after-restore'.\n")
                    return CommandLineTool.failure
                }
            }
            let result = try node.publish(afterRestore: args.flag("after-restore"))
            if args.flag("json") {
                ctx.printJSON(result.json, pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            guard let n = result.n else {
                ctx.out.line("Nothing changed since the last publication; nothing was signed.")
                return CommandLineTool.success
            }
            let signed = result.records.compactMap { signedLine($0.headerBytes) }
            if args.flag("verbose") {
                for line in signed { ctx.out.line("signed n=\(line.n) \(line.name)") }
            }
            let subjects = signed.filter(\.isSubject).map(\.name)
            ctx.out.line("Published \(result.records.count) record\(result.records.count == 1 ? "" : "s") (\(subjects.joined(separator: ", "))) and head n=\(n).")
            return CommandLineTool.success
        })

    /// The `n` and subject (or header kind) of a signed header, for the summary lines. A plain
    /// function rather than `try?` inside the command closure: the Swift 6.3 optimizer crashes
    /// (SIL ownership verifier) on the latter in release builds.
    static func signedLine(_ headerBytes: [UInt8]) -> (n: Int, name: String, isSubject: Bool)? {
        let header: Header
        do { header = try Header.parse(headerBytes) } catch { return nil }
        if let subject = header.subject { return (header.n, subject.description, true) }
        return (header.n, header.kind.rawValue, false)
    }

    static let retract = CommandSpec(
        path: ["retract"], summary: "Publish a retraction of a subject (profile, projects or kpi/<period>).",
        positionals: [PositionalSpec(name: "SUBJECT", help: "profile, projects or kpi/<period>, e.g. kpi/2024")],
        options: [
            .flag("purge", "also delete the subject's earlier payloads from this node's publication log and ask peers to drop them"),
            .value("reason", "R", "a reason code such as error or withdrawn"),
            NodeCommands.jsonOption,
            NodeCommands.prettyOption,
        ],
        run: { args, ctx in
            let result = try ctx.openNode().retract(subject: args.positionals[0], purge: args.flag("purge"), reason: args.value("reason"))
            if args.flag("json") {
                ctx.printJSON(result.json, pretty: args.flag("pretty"))
            } else {
                ctx.out.line("Retracted \(args.positionals[0])\(args.flag("purge") ? " with purge" : ""); head n=\(result.n ?? 0).")
            }
            return CommandLineTool.success
        })

    static let keyRotate = CommandSpec(
        path: ["key", "rotate"], summary: "Replace the signing key; a key record signed by the old key introduces the new one.",
        options: [NodeCommands.jsonOption, NodeCommands.prettyOption],
        run: { args, ctx in
            let record = try ctx.openNode().rotateKey()
            if args.flag("json") {
                ctx.printJSON(record.json, pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            let header = try? Header.parse(record.headerBytes)
            if case let .key(_, from, label)? = header?.body {
                ctx.out.line("New signing key \(label) signs from n=\(from) on; the origin id is unchanged.")
            }
            ctx.out.line("Back up keys/ now: a node restored to before this rotation can no longer sign (it would need a new origin).")
            return CommandLineTool.success
        })
}
