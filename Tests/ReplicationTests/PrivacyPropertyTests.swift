import Crypto
import Formats
import Model
import Testing
import TestSupport
@testable import Publishing
@testable import Replication

/// Privacy by construction: whatever a city types into free-text fields never leaves the node.
@Suite struct PrivacyPropertyTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyzäöüß@.+-_ ")

    static func secret(_ rng: inout SeededGenerator, length: ClosedRange<Int> = 10...40) -> String {
        String((0..<Int.random(in: length, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
    }

    /// Every 6-character window of `text` (whole text if shorter).
    static func windows(_ text: String) -> [String] {
        let chars = Array(text)
        guard chars.count > 6 else { return [text] }
        return (0...(chars.count - 6)).map { String(chars[$0..<($0 + 6)]) }
    }

    @Test(arguments: [DisclosurePolicy.Identity.named, .pseudonymous])
    func noFreeTextBudgetOrHiddenIdentityLeaves(identity: DisclosurePolicy.Identity) throws {
        for seed in UInt64(1)...60 {
            var rng = SeededGenerator(seed: seed &+ (identity == .named ? 0 : 10_000))
            let city = "Stadt " + Self.secret(&rng, length: 8...20)
            var secrets: [String] = []
            let projects = (0..<Int.random(in: 1...6, using: &rng)).map { i -> Project in
                let name = Self.secret(&rng), description = "Kontakt: " + Self.secret(&rng) + " <" + Self.secret(&rng, length: 6...12) + "@example.org>"
                let goal = "Tel. +49 " + String(Int.random(in: 100_000_000...999_999_999, using: &rng)) + " " + Self.secret(&rng)
                let budget = DecimalValue(String(Int.random(in: 1_000_000...99_999_999, using: &rng)) + ".17")!
                secrets += [name, description, goal, budget.description]
                return Project(id: "proj-\(seed)-\(i)", name: name, field: ActionField.allCases.randomElement(using: &rng)!,
                               category: ProjectCategory.allCases.randomElement(using: &rng)!, status: .active,
                               startYear: 2020, budget: budget, description: description, goal: goal, kpis: ["MOB.EV_CHARGERS"])
            }
            let population = DecimalValue(String(Int.random(in: 20_000...900_000, using: &rng)))!
            let values = [
                LocalValue(code: "POP.TOTAL", period: Period("2024")!, value: population),
                LocalValue(code: "MOB.EV_CHARGERS", period: Period("2024")!, value: DecimalValue(String(Int.random(in: 1...400, using: &rng)))!),
            ]
            let originKey = try Ed25519SigningKey.generate()
            let origin = KeyIDs.originID(originKey.publicKey)
            let input = PublicationInput(
                originID: origin, profile: CityProfile(name: city, country: "DE", region: "Region " + Self.secret(&rng)),
                catalog: .builtIn, values: values, projects: projects, projectKey: try SecureRandom.bytes(32),
                policy: DisclosurePolicy(identity: identity, projects: Bool.random(using: &rng) ? .descriptors : .counts))
            let publication = try Publisher.build(input)
            // Everything that would travel: payloads and the signed headers around them.
            var published: [UInt8] = []
            for (n, subject) in publication.subjects.enumerated() {
                let payload = publication.payloads[subject]!
                let header = Header(origin: origin, keyID: KeyIDs.keyID(originKey.publicKey), n: n + 2, at: 1,
                                    body: .record(subject: subject, operation: .set, payloadHash: SHA256.hash(payload), purge: false, reason: nil))
                let envelope = Signing.seal(header, payload: payload, with: originKey)
                published += envelope.headerBytes + [10] + payload + [10]
            }
            let text = String(decoding: published, as: UTF8.self)
            var mustNotLeak = secrets
            if identity == .pseudonymous { mustNotLeak += [city, population.description] }
            for secret in mustNotLeak {
                for window in Self.windows(secret) {
                    #expect(!text.contains(window), "seed \(seed): '\(window)' of a private field leaked")
                }
            }
        }
    }
}
