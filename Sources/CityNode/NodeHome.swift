import Foundation

/// Where a node keeps its files (design §3): `--home DIR`, else `$CITYBENCH_HOME`, else
/// `~/.local/share/citybench`.
public struct NodeHome: Sendable, Hashable, CustomStringConvertible {
    /// The environment variable naming the home when `--home` is not given.
    public static let environmentVariable = "CITYBENCH_HOME"
    /// The home below `$HOME` used when neither `--home` nor the environment names one.
    public static let defaultRelativePath = ".local/share/citybench"

    /// Absolute path of the home directory.
    public let path: String

    public init(path: String) {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") {
            self.path = (expanded as NSString).standardizingPath
        } else {
            let cwd = FileManager.default.currentDirectoryPath
            self.path = ((cwd as NSString).appendingPathComponent(expanded) as NSString).standardizingPath
        }
    }

    /// Resolves the home from an explicit `--home`, then the environment, then the default.
    public static func resolve(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> NodeHome {
        if let explicit, !explicit.isEmpty { return NodeHome(path: explicit) }
        if let env = environment[environmentVariable], !env.isEmpty { return NodeHome(path: env) }
        let user = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return NodeHome(path: (user as NSString).appendingPathComponent(defaultRelativePath))
    }

    public var description: String { path }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// `node.json`, the configuration.
    public var configurationFile: String { file("node.json") }
    /// `citybench.sqlite`, the database.
    public var databaseFile: String { file("citybench.sqlite") }
    /// `epoch`, the arrival-log epoch and position (design §5).
    public var epochFile: String { file("epoch") }
    /// `sync.lock`, held while a sync runs.
    public var syncLockFile: String { file("sync.lock") }
    /// `peers/`, one descriptor per peer.
    public var peersDirectory: String { file("peers") }
    /// `keys/` (mode 0700), the node's secrets (each file mode 0600).
    public var keysDirectory: String { file("keys") }
    /// `keys/signing.pem`: the Ed25519 signing key, PKCS#8 PEM.
    public var signingKeyFile: String { file("keys/signing.pem") }
    /// `keys/tls-key.pem`: the TLS private key (ECDSA P-256), PEM.
    public var tlsKeyFile: String { file("keys/tls-key.pem") }
    /// `keys/tls-cert.pem`: the self-signed TLS certificate (`CN=citybench`), PEM.
    public var tlsCertificateFile: String { file("keys/tls-cert.pem") }
    /// `keys/hmac.key`: the secret for project pseudonyms, 32 random bytes as lowercase hex.
    public var hmacKeyFile: String { file("keys/hmac.key") }
}
