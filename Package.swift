// swift-tools-version:6.0
// citybench: federated smart-city benchmarking. No package dependencies by design:
// Foundation, Dispatch and the system libraries SQLite, libcurl and OpenSSL 3 only.
import PackageDescription

let package = Package(
    name: "citybench",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "citybench", targets: ["citybench"]),
    ],
    targets: [
        // MARK: System libraries (module map + shim.h of static inline wrappers, no C sources)
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl",
                       providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // MARK: Pure layers (Foundation only, no I/O)
        /// Domain value types: cities, KPI definitions, periods, projects, decimals, the built-in catalog.
        .target(name: "Model", dependencies: ["Formats"]),
        /// Strict readers and canonical writers for untrusted text: JSON, CSV, base64url.
        .target(name: "Formats"),
        /// Ranking engine: cells in, rankings with uncertainty and best practice out.
        .target(name: "Ranking", dependencies: ["Model", "Formats"]),
        /// Renders rankings as table, CSV, JSON, Markdown and self-contained HTML with SVG charts.
        .target(name: "Report", dependencies: ["Model", "Ranking", "Formats"]),

        // MARK: Wrappers of system libraries (the only modules that import a C module)
        /// Ed25519, SHA-256, HMAC-SHA256, CSPRNG, self-signed X.509 certificates via OpenSSL 3 EVP.
        .target(name: "Crypto", dependencies: ["COpenSSL"]),
        /// SQLite: connection, statements, migrations, the node's tables.
        .target(name: "Store", dependencies: ["CSQLite", "Model", "Formats"]),
        /// HTTP/1.1 server on POSIX sockets with OpenSSL TLS, limits and graceful shutdown.
        .target(name: "HTTPServer", dependencies: ["COpenSSL"]),
        /// HTTPS client on libcurl with SPKI pinning, timeouts and response caps.
        .target(name: "PeerClient", dependencies: ["CCurl"]),

        // MARK: Protocol and composition
        /// Signed records, heads, key records, envelopes, the verifier and the merge (join).
        .target(name: "Replication", dependencies: ["Model", "Formats", "Crypto"]),
        /// Disclosure policy: local data to anonymized payloads.
        .target(name: "Publishing", dependencies: ["Model", "Formats", "Crypto", "Replication"]),
        /// A city node: home directory, configuration, commands, the peer API handlers.
        .target(name: "CityNode", dependencies: [
            "Model", "Formats", "Crypto", "Store", "Replication", "Publishing", "HTTPServer", "Ranking", "Report",
        ]),
        /// Scheduled pull/push/reconcile with peers and persisted backoff.
        .target(name: "Sync", dependencies: ["Model", "Formats", "Replication", "CityNode", "PeerClient"]),
        /// `citybench demo`: six illustrative city nodes peered in a line, synced, ranked and reported.
        .target(name: "Demo", dependencies: ["CityNode", "Sync", "Ranking", "Report", "Model", "Formats", "Replication", "HTTPServer"]),
        /// Command-line parsing and output; one library call per command.
        .target(name: "CLI", dependencies: [
            "Model", "Formats", "Replication", "CityNode", "Sync", "Ranking", "Report", "Demo",
        ]),
        .executableTarget(name: "citybench", dependencies: ["CLI"]),
        /// Example server for Benchmarks/HTTPBench/run.sh (GET /v1/health, plain and TLS).
        .executableTarget(name: "bench-http-server", dependencies: ["HTTPServer"], path: "Benchmarks/HTTPBenchServer"),

        // MARK: Benchmarks (programs that print figures against a baseline measured in the same run)
        /// Ed25519 sign/verify rates on one thread against `openssl speed ed25519`.
        .executableTarget(name: "bench-crypto", dependencies: ["Crypto", "BenchSupport"], path: "Benchmarks/CryptoBench"),
        /// Shared helpers of the benchmark programs: CPU clock, `openssl speed` baseline.
        .target(name: "BenchSupport", path: "Benchmarks/BenchSupport"),
        /// Building, signing, verifying and ingesting 300-KPI records (issue 3, design §10).
        .executableTarget(name: "bench-publish", dependencies: ["BenchSupport", "CityNode", "Crypto", "Formats", "Model", "Publishing", "Replication"],
                          path: "Benchmarks/PublishBench"),
        /// Imports a 1,000,000-row values CSV and compares with sqlite3's own .import.
        .executableTarget(name: "bench-import", dependencies: ["BenchSupport", "CityNode", "Store", "Formats"], path: "Benchmarks/ImportBench"),
        /// Benchmark (not a test): rank from CSV to JSON on generated federations vs pandas.
        /// Peer-API figures: ingest through /v1/push, authenticated no-change /v1/changes, serve's RSS.
        .executableTarget(name: "bench-server", dependencies: ["BenchSupport", "CityNode", "Replication", "Crypto", "Formats", "HTTPServer", "Model", "Store"],
                          path: "Benchmarks/ServerBench", exclude: ["run.sh"]),
        .executableTarget(name: "bench-rank", dependencies: ["BenchSupport", "TestSupport", "Ranking", "Report", "Model", "Formats"],
                          path: "Benchmarks/RankBench"),

        /// Sync over HTTPS on loopback: no-change round trip and bytes; convergence of 100 nodes, 2 random peers per round.
        .executableTarget(name: "bench-sync", dependencies: ["BenchSupport", "TestSupport", "Sync", "CityNode", "HTTPServer"], path: "Benchmarks/SyncBench"),

        // MARK: Tests
        /// Shared test support: temporary homes, running the real binary, loopback helpers.
        .target(name: "TestSupport", dependencies: ["Model", "Formats"], path: "Tests/TestSupport"),
        .testTarget(name: "ModelTests", dependencies: ["Model", "TestSupport"]),
        .testTarget(name: "FormatsTests", dependencies: ["Formats", "TestSupport"]),
        .testTarget(name: "CryptoTests", dependencies: ["Crypto", "TestSupport"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport"]),
        .testTarget(name: "RankingTests", dependencies: ["Ranking", "Report", "Model", "Formats", "TestSupport"],
                    exclude: ["Golden"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        .testTarget(name: "PeerClientTests", dependencies: ["PeerClient", "TestSupport"]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "Publishing", "TestSupport"]),
        .testTarget(name: "CityNodeTests", dependencies: ["CityNode", "Store", "Replication", "Publishing", "Crypto", "Sync", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["CLI", "citybench", "TestSupport"]),
        .testTarget(name: "DemoTests", dependencies: ["Demo", "CityNode", "Ranking", "Report", "Model", "Formats", "Replication", "Publishing", "Crypto", "Store", "citybench", "TestSupport"]),
        .testTarget(name: "ServerTests", dependencies: [
            "CityNode", "Replication", "Crypto", "Formats", "HTTPServer", "Store", "citybench", "TestSupport",
        ]),
        .testTarget(name: "SyncTests", dependencies: [
            "Sync", "CityNode", "Store", "Replication", "PeerClient", "Crypto", "Formats", "HTTPServer", "citybench", "TestSupport",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
