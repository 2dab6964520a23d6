import Foundation
import Formats
import Model
import Testing
import TestSupport
@testable import CityNode

@Suite struct NodeInitializerTests {
    private func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.posixPermissions]) as? Int) ?? -1
    }

    @Test func createsTheHomeLayoutWithPrivateKeyFiles() throws {
        let f = try NodeFixture()
        let h = f.home
        for file in [h.configurationFile, h.databaseFile, h.signingKeyFile, h.tlsKeyFile, h.tlsCertificateFile, h.hmacKeyFile] {
            #expect(FileManager.default.fileExists(atPath: file), "\(file) missing")
        }
        #expect(mode(h.keysDirectory) == 0o700)
        for key in [h.signingKeyFile, h.tlsKeyFile, h.tlsCertificateFile, h.hmacKeyFile] {
            #expect(mode(key) == 0o600, "\(key) is not 0600")
        }
        let signing = String(decoding: FileManager.default.contents(atPath: h.signingKeyFile)!, as: UTF8.self)
        #expect(signing.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let config = try NodeConfiguration(json: Array(FileManager.default.contents(atPath: h.configurationFile)!))
        #expect(config.profile.name == "Wolfsburg")
        #expect(!config.isPseudonymous)
    }

    @Test func certificateSubjectIsCitybenchNeverTheCityName() throws {
        let f = try NodeFixture()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["x509", "-in", f.home.tlsCertificateFile, "-noout", "-subject"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        #expect(out.contains("CN = citybench") || out.contains("CN=citybench"))
        #expect(!out.contains("Wolfsburg"))
    }

    @Test func refusesAnExistingNonEmptyHomeAndLeavesItUnchanged() throws {
        let f = try NodeFixture()
        let before = FileFingerprint.of(f.home.configurationFile)
        let error = try #require(throws: NodeError.self) {
            try NodeInitializer.initialize(home: f.home, options: InitOptions(city: "Other", country: "DE"))
        }
        #expect(error.code == .homeExists)
        #expect(FileFingerprint.of(f.home.configurationFile) == before)
    }

    @Test func acceptsAnEmptyExistingDirectory() throws {
        let dir = TemporaryDirectory()
        try NodeInitializer.initialize(home: NodeHome(path: dir.path), options: InitOptions(city: "Kempten", country: "DE"))
        #expect(FileManager.default.fileExists(atPath: NodeHome(path: dir.path).databaseFile))
    }

    @Test(arguments: [
        InitOptions(city: "Aachen", country: "Germany"),
        InitOptions(city: "", country: "DE"),
        InitOptions(city: "Aachen", country: "DE", population: "-5"),
        InitOptions(city: "Aachen", country: "DE", population: "12.5"),
        InitOptions(city: "Aachen", country: "DE", url: "ftp://x"),
        InitOptions(city: "Aachen", country: "DE", listen: "127.0.0.1:99999"),
    ])
    func refusesBadInputBeforeCreatingAnything(options: InitOptions) throws {
        let dir = TemporaryDirectory()
        let home = NodeHome(path: dir.file("home"))
        #expect(throws: NodeError.self) { try NodeInitializer.initialize(home: home, options: options) }
        #expect(!FileManager.default.fileExists(atPath: home.path))
    }

    @Test func refusesAnUnwritableHomeLocation() throws {
        // /proc refuses new directories even for root.
        let home = NodeHome(path: "/proc/citybench-\(getpid())/home")
        let error = try #require(throws: NodeError.self) {
            try NodeInitializer.initialize(home: home, options: InitOptions(city: "Aachen", country: "DE"))
        }
        #expect(error.code == .homeUnwritable)
    }

    @Test func identityDerivesTheOriginFromTheFirstPublicKey() throws {
        let f = try NodeFixture()
        let id = try f.node.identity()
        let raw = try #require(Base64URL.decode(id.publicKey))
        #expect(raw.count == 32)
        #expect(id.origin.count == 32 && id.origin.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(id.origin == NodeKeys.hex(Array(try NodeKeys.sha256(raw).prefix(16))))
        #expect(id.label == "Wolfsburg")
        #expect(id.tlsPin.hasPrefix("sha256//") && id.tlsPin.count == 8 + 44)
        #expect(JSONWriter.string(id.json).hasPrefix("{\"origin\":\"\(id.origin)\",\"label\":\"Wolfsburg\",\"publicKey\":"))
    }

    @Test func pseudonymousNodeIsLabelledFromItsOrigin() throws {
        let f = try NodeFixture(options: InitOptions(city: "Emsdetten", country: "DE", pseudonymous: true))
        let id = try f.node.identity()
        #expect(id.label == "city-" + id.origin.prefix(10))
        #expect(f.node.configuration.disclosure["identity"]?.stringValue == "pseudonymous")
    }

    @Test func recordsThePopulationForTheCurrentYear() throws {
        let dir = TemporaryDirectory()
        let home = NodeHome(path: dir.file("home"))
        try NodeInitializer.initialize(home: home, options: InitOptions(city: "Aachen", country: "DE", population: "249070"), calendarYear: 2025)
        let node = try Node(home: home)
        let v = try #require(try node.value(code: "POP.TOTAL", period: Period(year: 2025)))
        #expect(v.value.description == "249070")
        #expect(try node.status().sizeClass == .large)
    }

    @Test func openingAMissingHomeCreatesNothing() throws {
        let dir = TemporaryDirectory()
        let home = NodeHome(path: dir.file("nowhere"))
        let error = try #require(throws: NodeError.self) { try Node(home: home) }
        #expect(error.code == .homeMissing)
        #expect(!FileManager.default.fileExists(atPath: home.path))
    }

    @Test func resolvesTheHomeFromFlagThenEnvironmentThenDefault() {
        #expect(NodeHome.resolve(explicit: "/a/b", environment: ["CITYBENCH_HOME": "/c"]).path == "/a/b")
        #expect(NodeHome.resolve(explicit: nil, environment: ["CITYBENCH_HOME": "/c"]).path == "/c")
        #expect(NodeHome.resolve(explicit: nil, environment: ["HOME": "/home/x"]).path == "/home/x/.local/share/citybench")
    }
}
