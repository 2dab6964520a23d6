import CityNode
import Foundation
import Formats
import Model

/// `init`, `identity`, `status` and `db …`.
enum NodeCommands {
    static let all: [CommandSpec] = [initialize, identity, status, dbCheck, dbBackup, dbRestore]

    static let jsonOption = OptionSpec.flag("json", "print JSON (stable key order)")
    static let prettyOption = OptionSpec.flag("pretty", "indent the JSON for people")

    static let initialize = CommandSpec(
        path: ["init"], summary: "Create a new node: home directory, database, keys and node.json.",
        options: [
            .value("city", "NAME", "the city's name", required: true),
            .value("country", "CC", "ISO 3166 alpha-2 country code, e.g. DE", required: true),
            .value("population", "N", "total population, recorded as POP.TOTAL for the current year"),
            .flag("pseudonymous", "publish under a pseudonym instead of the city name (cannot be changed later)"),
            .value("url", "URL", "the public HTTPS URL other cities use to reach this node"),
            .value("listen", "HOST:PORT", "address the server listens on (default \(NodeConfiguration.defaultListen))"),
            .value("region", "NAME", "region or state"),
            .value("ags", "KEY", "official municipality key (8 digits)"),
        ],
        run: { args, ctx in
            let options = InitOptions(city: args.value("city")!, country: args.value("country")!, region: args.value("region"),
                                      ags: args.value("ags"), population: args.value("population"),
                                      pseudonymous: args.flag("pseudonymous"), url: args.value("url"), listen: args.value("listen"))
            let identity = try NodeInitializer.initialize(home: ctx.home, options: options)
            ctx.out.line("Created the node '\(identity.label)' in \(ctx.home.path).")
            printIdentity(identity, ctx)
            return CommandLineTool.success
        })

    static let identity = CommandSpec(
        path: ["identity"], summary: "Print this node's peer descriptor, to hand to other cities.",
        options: [jsonOption, prettyOption],
        run: { args, ctx in
            let identity = try ctx.openNode().identity()
            if args.flag("json") { ctx.printJSON(identity.json, pretty: args.flag("pretty")) } else { printIdentity(identity, ctx) }
            return CommandLineTool.success
        })

    static func printIdentity(_ identity: NodeIdentity, _ ctx: CommandContext) {
        ctx.out.line("origin     \(identity.origin)")
        ctx.out.line("label      \(identity.label)")
        ctx.out.line("publicKey  \(identity.publicKey)")
        ctx.out.line("url        \(identity.url ?? "(none)")")
        ctx.out.line("tlsPin     \(identity.tlsPin)")
    }

    static let status = CommandSpec(
        path: ["status"], summary: "Show the node's identity, counts and last changes.",
        options: [jsonOption, prettyOption],
        run: { args, ctx in
            let s = try ctx.openNode().status()
            if args.flag("json") {
                ctx.printJSON(s.json, pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            ctx.out.line("\(s.city) (\(s.country)), label \(s.identity.label)")
            ctx.out.line("origin       \(s.identity.origin)")
            ctx.out.line("population   \(s.population?.description ?? "not recorded")\(s.sizeClass.map { " (\($0.rawValue))" } ?? "")")
            ctx.out.line("KPI values   \(s.kpiValues) for \(s.kpisWithValues) KPIs")
            ctx.out.line("local KPIs   \(s.localKPIs)")
            ctx.out.line("projects     \(s.projects)")
            ctx.out.line("epoch        \(s.epoch ?? "none")\(s.restored ? " (restored: confirm the data, then 'citybench publish --after-restore')" : "")")
            ctx.out.line("origins      \(s.origins.count) known, \(s.origins.filter(\.trusted).count) trusted, \(s.origins.filter(\.complete).count) complete; \(s.quarantinedItems) items in quarantine")
            let f = ISO8601DateFormatter()
            ctx.out.line("last value   \(s.lastValueEntered.map { f.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "never")")
            ctx.out.line("last project \(s.lastProjectChange.map { f.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "never")")
            for e in s.epsilon {
                ctx.out.line("ε spent      \(e.kpi) \(e.period): \(e.spent)")
            }
            for p in s.peers where p.syncPeer {
                let last = p.lastSuccess.map { f.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "never"
                let next = p.nextTry.map { f.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "now"
                ctx.out.line("peer         \(p.name): last success \(last), failures \(p.failures), next try \(next)")
            }
            return CommandLineTool.success
        })

    static let dbCheck = CommandSpec(
        path: ["db", "check"], summary: "Check the database's integrity (exit 1 if it is damaged).",
        run: { _, ctx in
            let result = try ctx.openNode().checkDatabase()
            if result.isSound {
                ctx.out.line("ok: \(result.path) passed the integrity check (\(result.migrations.count) migrations applied)")
                return CommandLineTool.success
            }
            ctx.err.write("citybench: the database \(result.path) is damaged; restore it from a backup with 'citybench db restore FILE'\n")
            for p in result.problems.prefix(20) { ctx.err.write("  \(p)\n") }
            return CommandLineTool.failure
        })

    static let dbBackup = CommandSpec(
        path: ["db", "backup"], summary: "Write a consistent copy of the database to FILE (online backup).",
        positionals: [PositionalSpec(name: "FILE", help: "the backup file to create")],
        run: { args, ctx in
            let file = args.positionals[0]
            if FileManager.default.fileExists(atPath: file) {
                throw NodeError(.invalidInput, "\(file) already exists; choose a new file for the backup")
            }
            let node = try ctx.openNode()
            do { try node.database.backup(to: file) } catch { throw NodeError(.database, "\(error)") }
            ctx.out.line("Backed up \(node.database.path) to \(file).")
            return CommandLineTool.success
        })

    static let dbRestore = CommandSpec(
        path: ["db", "restore"], summary: "Replace the database with the citybench backup in FILE.",
        positionals: [PositionalSpec(name: "FILE", help: "a file written by 'citybench db backup'")],
        run: { args, ctx in
            let file = args.positionals[0]
            guard FileManager.default.fileExists(atPath: file) else {
                throw NodeError(.invalidInput, "cannot read \(file): no such file")
            }
            let node = try ctx.openNode()
            try node.restoreDatabase(from: file)
            ctx.out.line("Restored \(node.database.path) from \(file); peers read this node's changes afresh under the new epoch \(try node.currentEpoch().id).")
            return CommandLineTool.success
        })
}
