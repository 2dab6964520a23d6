import CityNode
import Foundation
import Formats
import HTTPServer

/// The demo's network half (design §9): one in-process `NodeServer` per city on a free loopback
/// port, speaking HTTPS with the node's own self-signed certificate (peers pin it).
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
}
