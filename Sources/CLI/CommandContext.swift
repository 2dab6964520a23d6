import CityNode
import Formats
import Foundation

/// What every command gets: where the home is and where to print.
final class CommandContext {
    /// `--home` if given.
    let explicitHome: String?
    let environment: [String: String]
    let out: OutputStream
    let err: OutputStream

    init(explicitHome: String?, environment: [String: String], out: OutputStream, err: OutputStream) {
        self.explicitHome = explicitHome
        self.environment = environment
        self.out = out
        self.err = err
    }
}

/// Opening the node and printing JSON, shared by the command groups.
extension CommandContext {
    var home: NodeHome { NodeHome.resolve(explicit: explicitHome, environment: environment) }

    func openNode() throws(NodeError) -> Node { try Node(home: home) }

    /// Prints JSON (compact, or indented with `--pretty`) followed by a newline.
    func printJSON(_ value: JSONValue, pretty: Bool) {
        out.write(bytes: JSONWriter.bytes(value, pretty: pretty))
        out.write("\n")
    }
}
