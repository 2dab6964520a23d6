import Crypto
import Foundation
import Formats
import Model
import Store

/// What `citybench init` was asked for.
public struct InitOptions: Sendable, Hashable {
    public var city: String
    /// ISO 3166 alpha-2 (upper case).
    public var country: String
    public var region: String?
    public var ags: String?
    /// Total population for the current calendar year, recorded as `POP.TOTAL`.
    public var population: String?
    /// Publish under a pseudonym instead of the city name (design §4); fixed at `init`.
    public var pseudonymous: Bool
    public var url: String?
    public var listen: String?

    public init(city: String, country: String, region: String? = nil, ags: String? = nil, population: String? = nil,
                pseudonymous: Bool = false, url: String? = nil, listen: String? = nil) {
        self.city = city
        self.country = country
        self.region = region
        self.ags = ags
        self.population = population
        self.pseudonymous = pseudonymous
        self.url = url
        self.listen = listen
    }
}

/// `citybench init`: creates a node's home (design §3). Refuses any existing non-empty home,
/// writes `keys/` with mode 0700 and each secret with mode 0600 (created exclusively), replaces
/// `node.json` atomically, and on failure removes what it made.
public enum NodeInitializer {
    /// Creates the node and returns its identity.
    @discardableResult
    public static func initialize(home: NodeHome, options: InitOptions, randomness: NodeRandomness = .system,
                                  calendarYear: Int = Calendar(identifier: .gregorian).component(.year, from: Date())) throws(NodeError) -> NodeIdentity {
        // 1. Check every input before touching the disk.
        let profile: CityProfile
        do {
            profile = try CityProfile(name: options.city, country: options.country, region: options.region, ags: options.ags).validated()
        } catch { throw NodeError(.invalidInput, error.message) }
        if let url = options.url { try NodeConfiguration.validateURL(url, context: "--url") }
        let listen = options.listen ?? NodeConfiguration.defaultListen
        try NodeConfiguration.validateListen(listen, context: "--listen")
        if let p = options.population {
            guard let v = DecimalValue(p), v.decimal > 0, v.roundedHalfEven(scale: 0) == v else {
                throw NodeError(.invalidInput, "population '\(p)' is not a positive whole number")
            }
        }
        var disclosure = JSONObject()
        disclosure["identity"] = .string(options.pseudonymous ? "pseudonymous" : "named")
        let configuration = NodeConfiguration(profile: profile, url: options.url, listen: listen, disclosure: disclosure)

        // 2. The home must not exist, or be an empty directory.
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let existed = fm.fileExists(atPath: home.path, isDirectory: &isDirectory)
        if existed {
            let entries = isDirectory.boolValue ? ((try? fm.contentsOfDirectory(atPath: home.path)) ?? ["?"]) : ["?"]
            guard entries.isEmpty else {
                throw NodeError(.homeExists, "\(home.path) already exists and is not empty; init never touches an existing home (choose another --home)")
            }
        }

        // 3. Keys first, in memory, so a failure leaves nothing behind.
        var hosts: [String] = []
        if let url = options.url, let host = URLComponents(string: url)?.host, host != "localhost", host != "127.0.0.1" {
            hosts.append(host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host)
        }
        let keys = try NodeKeys.generate(hosts: hosts)
        let origin = NodeKeys.origin(publicKey: keys.publicKey)

        do {
            try write(home: home, existed: existed, configuration: configuration, keys: keys, origin: origin)
            let node = try Node(home: home, randomness: randomness)
            // The origin's first key record (n = 1), signed by the key it introduces (design §4).
            try node.ensureFirstKeyRecord()
            if let population = options.population {
                try node.setValue(code: KPIDefinition.populationCode, period: String(calendarYear), value: population,
                                  source: "citybench init --population")
            }
        } catch {
            removeCreated(home: home, existed: existed)
            throw error
        }
        return NodeIdentity(origin: origin, label: NodeIdentity.label(origin: origin, configuration: configuration),
                            publicKey: Base64URL.encode(keys.publicKey), url: options.url,
                            tlsPin: try NodeKeys.tlsPin(certificatePEM: keys.tlsCertificatePEM))
    }

    private static func write(home: NodeHome, existed: Bool, configuration: NodeConfiguration, keys: GeneratedKeys,
                              origin: String) throws(NodeError) {
        if !existed {
            do {
                try FileManager.default.createDirectory(atPath: home.path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw NodeError(.homeUnwritable, "cannot create the home \(home.path); check that its parent directory is writable")
            }
        }
        try SecureFile.makeDirectory(home.keysDirectory, mode: 0o700)
        try SecureFile.makeDirectory(home.peersDirectory, mode: 0o755)
        try SecureFile.createExclusive(home.signingKeyFile, contents: Array(keys.signingKeyPEM.utf8))
        try SecureFile.createExclusive(home.tlsKeyFile, contents: Array(keys.tlsKeyPEM.utf8))
        try SecureFile.createExclusive(home.tlsCertificateFile, contents: Array(keys.tlsCertificatePEM.utf8))
        try SecureFile.createExclusive(home.hmacKeyFile, contents: Array((keys.hmacSecret.hexString + "\n").utf8))
        SecureFile.syncDirectory(home.keysDirectory)
        do {
            let database = try Database(path: home.databaseFile, mode: .create)
            try database.transaction { () throws(StoreError) in
                let p = configuration.profile
                try database.prepare("INSERT INTO profile (id, name, country, region, ags) VALUES (1, ?, ?, ?, ?)")
                    .run([.text(p.name), .text(p.country), .text(p.region), .text(p.ags)])
                let meta = try database.prepare("INSERT INTO meta (key, value) VALUES (?, ?)")
                try meta.run([.text(Node.MetaKey.origin), .text(origin)])
                try meta.run([.text(Node.MetaKey.publicKey), .text(Base64URL.encode(keys.publicKey))])
                try meta.run([.text(Node.MetaKey.createdAt), .text(String(Node.now()))])
            }
        } catch {
            throw NodeError(.database, error.message)
        }
        try SecureFile.replaceAtomically(home.configurationFile, contents: configuration.json)
        SecureFile.syncDirectory(home.path)
    }

    /// Undoes a failed init: removes the home if init created it, else only what init put in it.
    private static func removeCreated(home: NodeHome, existed: Bool) {
        let fm = FileManager.default
        if !existed {
            try? fm.removeItem(atPath: home.path)
            return
        }
        for entry in (try? fm.contentsOfDirectory(atPath: home.path)) ?? [] {
            try? fm.removeItem(atPath: (home.path as NSString).appendingPathComponent(entry))
        }
    }
}
