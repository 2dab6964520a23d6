import CityNode
import Formats

/// `peer add|list|trust|remove|import` (design §6): who this node trusts and syncs with.
enum PeerCommands {
    static let all: [CommandSpec] = [add, list, trust, remove, importRoster]

    static let add = CommandSpec(
        path: ["peer", "add"], summary: "Trust a city's origin and sync with it (descriptor FILE, or --name --url --key [--pin]).",
        positionals: [PositionalSpec(name: "FILE", help: "the city's descriptor ('citybench identity --json' there)", optional: true)],
        options: [
            .value("name", "N", "the peer's name here (default: the descriptor's label)"),
            .value("url", "URL", "the peer's https:// address (without FILE)"),
            .value("key", "B64", "the peer's first public key, base64url (without FILE)"),
            .value("pin", "PIN", "the peer's TLS pin, sha256//… (without FILE)"),
        ],
        run: { args, ctx in
            let descriptor: PeerDescriptor
            if let file = args.positionals.first {
                if args.value("url") != nil || args.value("key") != nil || args.value("pin") != nil {
                    throw UsageError(message: "give either FILE or --url/--key/--pin, not both", command: "peer add")
                }
                descriptor = try PeerDescriptor(file: file)
            } else {
                guard let name = args.value("name"), let url = args.value("url"), let key = args.value("key") else {
                    throw UsageError(message: "'citybench peer add' needs FILE, or --name, --url and --key", command: "peer add")
                }
                descriptor = try PeerDescriptor(publicKey: key, origin: nil, label: name, url: url, tlsPin: args.value("pin"), source: "--key")
            }
            let peer = try ctx.openNode().addPeer(descriptor, name: args.value("name"))
            ctx.out.line("Added the sync peer '\(peer.name)' (origin \(peer.origin)) at \(peer.url ?? "")")
            return CommandLineTool.success
        })

    static let list = CommandSpec(
        path: ["peer", "list"], summary: "List the peers: name, origin, address, whether synced and trusted.",
        options: [NodeCommands.jsonOption, NodeCommands.prettyOption],
        run: { args, ctx in
            let peers = try ctx.openNode().peers()
            if args.flag("json") {
                ctx.printJSON(.array(peers.map(\.listJSON)), pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            if peers.isEmpty { ctx.out.line("No peers yet; add one with 'citybench peer add FILE'.") }
            for p in peers {
                let role = p.syncPeer ? "sync" : "trust-only"
                ctx.out.line("\(p.name)  \(p.origin)  \(p.url ?? "-")  \(role)\(p.trusted ? "" : "  (not trusted)")")
            }
            return CommandLineTool.success
        })

    static let trust = CommandSpec(
        path: ["peer", "trust"], summary: "Trust an origin's records (release its quarantine) without syncing with it.",
        positionals: [PositionalSpec(name: "FILE|ORIGIN", help: "a descriptor file, or the id of an origin held in quarantine")],
        options: [.value("name", "N", "the peer's name here (default: its label)")],
        run: { args, ctx in
            let target = args.positionals[0]
            let node = try ctx.openNode()
            let isOrigin = target.utf8.count == 32 && target.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
            let peer = isOrigin ? try node.trustQuarantinedOrigin(target, name: args.value("name"))
                : try node.trustPeer(try PeerDescriptor(file: target), name: args.value("name"))
            ctx.out.line("Trusted '\(peer.name)' (origin \(peer.origin)); its quarantined records were released.")
            return CommandLineTool.success
        })

    static let remove = CommandSpec(
        path: ["peer", "remove"], summary: "Stop syncing with and trusting a peer; its records go to quarantine.",
        positionals: [PositionalSpec(name: "NAME", help: "the peer's name ('citybench peer list')")],
        run: { args, ctx in
            try ctx.openNode().removePeer(named: args.positionals[0])
            ctx.out.line("Removed the peer '\(args.positionals[0])'; its records are now in quarantine.")
            return CommandLineTool.success
        })

    static let importRoster = CommandSpec(
        path: ["peer", "import"], summary: "Trust every descriptor in a roster directory (no sync peers are added).",
        positionals: [PositionalSpec(name: "DIR", help: "a directory of descriptors, such as the repository's peers/")],
        run: { args, ctx in
            let peers = try ctx.openNode().importPeers(directory: args.positionals[0])
            ctx.out.line("Trusted \(peers.count) origin\(peers.count == 1 ? "" : "s") from \(args.positionals[0]).")
            return CommandLineTool.success
        })
}
