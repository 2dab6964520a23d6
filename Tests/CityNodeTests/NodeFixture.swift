import Foundation
import TestSupport
@testable import CityNode

/// A freshly initialised node in a temporary home, with seeded randomness.
final class NodeFixture {
    let dir = TemporaryDirectory(prefix: "node")
    let home: NodeHome
    let random: SharedSeededGenerator
    let node: Node

    init(seed: UInt64 = 42, options: InitOptions = InitOptions(city: "Wolfsburg", country: "DE")) throws {
        home = NodeHome(path: dir.file("home"))
        random = SharedSeededGenerator(seed: seed)
        try NodeInitializer.initialize(home: home, options: options, randomness: NodeFixture.randomness(random))
        node = try Node(home: home, randomness: NodeFixture.randomness(random))
    }

    /// Laplace(0, 1) by inverse CDF and bytes from the seeded generator.
    static func randomness(_ g: SharedSeededGenerator) -> NodeRandomness {
        NodeRandomness(
            laplace: {
                let p = g.unit() - 0.5
                return p < 0 ? log(1 + 2 * p) : -log(1 - 2 * p)
            },
            bytes: { count in (0..<count).map { _ in UInt8(truncatingIfNeeded: g.next()) } })
    }

    /// Writes a CSV file into the fixture's directory.
    func csv(_ name: String, _ text: String) -> String { dir.write(name, text) }
    func csv(_ name: String, bytes: [UInt8]) -> String { dir.write(name, bytes: bytes) }

    /// The full export as one string.
    func export() throws -> String {
        var out = ""
        try node.exportValues { out += $0 }
        return out
    }
}
