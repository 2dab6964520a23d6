import CityNode
import Foundation
import Formats
import HTTPServer
import Sync

/// The demo's network half (design §9): one in-process `NodeServer` per city on a free loopback
/// port (HTTPS with the node's own self-signed certificate, pinned by its peers), peering in a
/// line, and `sync` rounds until every node is complete.
enum DemoNetwork {
    /// Starts every node's server on `127.0.0.1:0`, records the URL in its `node.json` (so its
    /// descriptor names it) and appends the access log to `HOME/access.log`.
    static func startServers(_ members: inout [DemoNode]) throws(DemoError) -> [NodeServer] {
        var servers: [NodeServer] = []
        for i in members.indices {
            let home = NodeHome(path: members[i].home)
            let logPath = (home.path as NSString).appendingPathComponent("access.log")
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            let log = FileHandle(forWritingAtPath: logPath)
            do {
                let server = try NodeServer.start(NodeServerConfiguration(
                    home: home, listen: "127.0.0.1:0",
                    accessLog: LogSink { bytes in try? log?.write(contentsOf: bytes) }, shutdownGracePeriod: 2))
                servers.append(server)
                members[i].url = server.baseURL
                var configuration = try NodeConfiguration(json: Array(FileManager.default.contents(atPath: home.configurationFile) ?? Data()),
                                                          file: home.configurationFile)
                configuration.url = server.baseURL
                guard FileManager.default.createFile(atPath: home.configurationFile, contents: Data(configuration.json)) else {
                    throw DemoError(.directoryUnusable, "cannot write \(home.configurationFile)")
                }
            } catch let error as DemoError {
                servers.forEach { $0.shutdown() }
                throw error
            } catch {
                servers.forEach { $0.shutdown() }
                throw DemoError(.nodeFailed, "the server of \(members[i].label) could not start: \(error)")
            }
        }
        return servers
    }

    /// `peer import DIR/peers` at every node (trust the whole roster), then `peer add` of its
    /// line neighbours only, so records from the far end must be relayed.
    static func peerInALine(_ nodes: [Node], members: [DemoNode], rosterDirectory: String) throws(DemoError) {
        for (i, node) in nodes.enumerated() {
            do {
                _ = try node.importPeers(directory: rosterDirectory)
                for j in [i - 1, i + 1] where members.indices.contains(j) {
                    let file = (rosterDirectory as NSString).appendingPathComponent("\(members[j].label).json")
                    _ = try node.addPeer(try PeerDescriptor(file: file), name: nil)
                }
            } catch {
                throw DemoError(.nodeFailed, "\(members[i].label) could not be peered: \(error)")
            }
        }
    }

    /// Sync sweeps, alternately along the line and back, until every node holds every city;
    /// returns the number of sweeps and the items moved (pulled plus pushed) in all.
    static func syncUntilComplete(_ nodes: [Node], members: [DemoNode], checkpoint: () throws(DemoError) -> Void,
                                  progress: (String) -> Void) throws(DemoError) -> (rounds: Int, moved: Int) {
        var total = 0
        for round in 1...DemoFederation.maxRounds {
            try checkpoint()
            let order = round % 2 == 1 ? Array(nodes.indices) : Array(nodes.indices.reversed())
            var moved = 0
            for i in order {
                let report: SyncReport
                do { report = try SyncEngine(node: nodes[i]).run(force: true) } catch {
                    throw DemoError(.nodeFailed, "\(members[i].label) could not sync: \(error)")
                }
                for peer in report.peers {
                    if let error = peer.error {
                        throw DemoError(.nodeFailed, "\(members[i].label) failed to sync with \(peer.peer): \(error)")
                    }
                    moved += peer.received + peer.sent
                }
            }
            var held: [Int] = []
            for (i, node) in nodes.enumerated() {
                do { held.append(try node.federationCells().origins.count) } catch {
                    throw DemoError(.nodeFailed, "\(members[i].label) could not read its merged data: \(error)")
                }
            }
            let line = members.indices.map { "\(members[$0].label) \(held[$0])/\(members.count)" }.joined(separator: ", ")
            progress("  sync round \(round) (\(round % 2 == 1 ? "along the line" : "back")): \(moved) items moved; cities held: \(line)")
            total += moved
            if held.allSatisfy({ $0 == members.count }) { return (round, total) }
        }
        throw DemoError(.incomplete, "after \(DemoFederation.maxRounds) sync rounds some demo nodes still lack cities; the federation did not converge")
    }
}
