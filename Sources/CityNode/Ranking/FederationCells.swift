import Formats
import Model
import Ranking
import Replication
import Store

/// What `rank`, `report` and `export` read from a node (design §7): the current cells of every
/// trusted origin, the node's own exactly as published, with the catalog they need.
public struct FederationCells: Sendable {
    /// Cells, city facts (country, size class) and shared project descriptors.
    public var input: RankingInput
    /// The node's catalog plus definitions carried in records (`def`) for codes it lacks.
    public var catalog: KPICatalog
    /// Things the analyst should know, one sentence each (for stderr): conflicting carried
    /// definitions, records that could not be read.
    public var notes: [String]
    /// Origins read, in origin order (a city without a current profile is still counted).
    public var origins: [String]

    public init(input: RankingInput, catalog: KPICatalog, notes: [String], origins: [String]) {
        self.input = input
        self.catalog = catalog
        self.notes = notes
        self.origins = origins
    }
}

/// One current record as stored: its origin, subject and payload (nil for a retraction).
struct CurrentRecord {
    let origin: String
    let subject: Subject
    let payload: [UInt8]?
}

extension Node {
    /// The label used for an origin that has no current `profile` record.
    public static func fallbackLabel(origin: String) -> String { "origin-" + origin.prefix(10) }

    /// Reads every current record of trusted origins (own included, never quarantined ones) and
    /// turns them into ranking input. A retracted subject contributes nothing; a suppressed
    /// value is a missing cell; `scaled` is carried; carried definitions are added to the
    /// catalog when the node has none of that code. Units are left on the cells, so the engine
    /// excludes a KPI whose unit differs between cities and says so.
    public func federationCells() throws(NodeError) -> FederationCells {
        let records = try currentTrustedRecords()
        var catalog = try catalog()
        var notes: [String] = []
        var profiles: [String: ProfilePayload] = [:]
        var origins = Set<String>()
        for r in records {
            origins.insert(r.origin)
            guard r.subject == .profile, let payload = r.payload else { continue }
            do { profiles[r.origin] = try ProfilePayload(json: try JSONReader.parse(payload)) } catch {
                notes.append("the profile of origin \(r.origin) could not be read (\(error)); it is ranked as \(Node.fallbackLabel(origin: r.origin))")
            }
        }
        // Design §7: where two origins share a label, each gets ` (<6 hex of origin>)`, here
        // already, so an exported CSV ranks these cities apart just as the node does.
        var baseLabel: [String: String] = [:]
        for origin in origins { baseLabel[origin] = profiles[origin]?.label ?? Node.fallbackLabel(origin: origin) }
        var originsPerLabel: [String: Int] = [:]
        for l in baseLabel.values { originsPerLabel[l, default: 0] += 1 }
        func label(_ origin: String) -> String {
            let base = baseLabel[origin] ?? Node.fallbackLabel(origin: origin)
            return originsPerLabel[base, default: 0] > 1 ? "\(base) (\(origin.prefix(6)))" : base
        }

        var cells: [Cell] = []
        var projects: [ProjectDescriptor] = []
        var carried: [String: (definition: KPIDefinition, origin: String)] = [:]
        for r in records {
            guard let payload = r.payload else { continue }  // a retraction takes its subject out
            switch r.subject {
            case .profile:
                continue
            case .kpi(let period):
                let kpi: KPIPayload
                do { kpi = try KPIPayload(json: try JSONReader.parse(payload), period: period) } catch {
                    notes.append("the \(r.subject) record of \(label(r.origin)) could not be read (\(error)); it is left out")
                    continue
                }
                for v in kpi.values {
                    if let d = v.definition, catalog[d.code] == nil {
                        if let earlier = carried[d.code], earlier.definition != d {
                            notes.append("\(label(r.origin)) and \(label(earlier.origin)) carry different definitions of \(d.code); the one of origin \(min(earlier.origin, r.origin)) is used")
                            if r.origin < earlier.origin { carried[d.code] = (d, r.origin) }
                        } else if carried[d.code] == nil {
                            carried[d.code] = (d, r.origin)
                        }
                    }
                    cells.append(Cell(origin: r.origin, city: label(r.origin), kpi: v.kpi, period: period,
                                      value: v.value?.doubleValue, scaled: v.scaled, unit: v.unit))
                }
            case .projects:
                let shared: ProjectsPayload
                do { shared = try ProjectsPayload(json: try JSONReader.parse(payload)) } catch {
                    notes.append("the projects record of \(label(r.origin)) could not be read (\(error)); it is left out")
                    continue
                }
                switch shared {
                case .descriptors(let list):
                    for d in list {
                        projects.append(ProjectDescriptor(origin: r.origin, city: label(r.origin), field: d.field, category: d.category,
                                                          status: d.status, startYear: d.startYear, kpis: d.kpis))
                    }
                case .counts(let list):
                    // Counts name no KPIs: one unlinked descriptor per counted project still shows the categories.
                    for c in list {
                        for _ in 0..<min(c.count, Node.maxProjectsPerCount) {
                            projects.append(ProjectDescriptor(origin: r.origin, city: label(r.origin), field: c.field,
                                                              category: c.category, status: c.status))
                        }
                    }
                }
            }
        }
        for (_, entry) in carried.sorted(by: { $0.key < $1.key }) { catalog.insert(entry.definition) }
        let cities = origins.sorted().map { origin in
            CityInfo(label: label(origin), origin: origin, country: profiles[origin]?.country, sizeClass: profiles[origin]?.sizeClass)
        }
        return FederationCells(input: RankingInput(cells: cells, cities: cities, projects: projects),
                               catalog: catalog, notes: notes, origins: origins.sorted())
    }

    /// Most descriptors made from one `counts` entry, so a hostile count cannot exhaust memory.
    public static let maxProjectsPerCount = 1_000

    /// Current `record` items of trusted or own origins that are not in quarantine, by origin and subject.
    func currentTrustedRecords() throws(NodeError) -> [CurrentRecord] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("""
                SELECT item.origin, item.subject, item.payload FROM item
                JOIN origin ON origin.origin = item.origin
                WHERE item.kind = 'record' AND item.current = 1 AND item.quarantine_peer IS NULL
                  AND (origin.trusted = 1 OR origin.own = 1)
                ORDER BY item.origin, item.subject
                """)
            var out: [CurrentRecord] = []
            while try stmt.step() {
                guard let subject = Subject(stmt.text(1)) else { continue }
                out.append(CurrentRecord(origin: stmt.text(0), subject: subject, payload: stmt.isNull(2) ? nil : stmt.blob(2)))
            }
            return out
        }
    }
}
