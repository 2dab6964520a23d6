import Formats
import Model
import Store

/// `kpi define` and `kpi list`: the node's local KPI definitions beside the built-in catalog.
extension Node {
    /// Local definitions, sorted by code.
    public func localDefinitions() throws(NodeError) -> [KPIDefinition] {
        try read { () throws(StoreError) in
            let stmt = try database.prepare("""
                SELECT code, name, name_de, unit, direction, field, per_capita, person_count, refs
                FROM kpi_definition ORDER BY code
                """)
            var out: [KPIDefinition] = []
            while try stmt.step() {
                let refs = (try? JSONReader.parse(stmt.text(8)))?.arrayValue?.compactMap(\.stringValue) ?? []
                out.append(KPIDefinition(code: stmt.text(0), name: stmt.text(1), nameDe: stmt.optionalText(2), unit: stmt.text(3),
                                         direction: Direction(rawValue: stmt.text(4)) ?? .higher,
                                         field: ActionField(rawValue: stmt.text(5)) ?? .egov,
                                         perCapita: stmt.optionalInt(6), personCount: stmt.int(7) != 0, refs: refs))
            }
            return out
        }
    }

    /// Every definition the node knows (built-in and local), sorted by code.
    public func listKPIs() throws(NodeError) -> [KPIDefinition] { try catalog().sorted }

    /// Adds a local KPI definition; a code already in the catalog or defined locally is refused.
    public func defineKPI(_ definition: KPIDefinition) throws(NodeError) {
        let d: KPIDefinition
        do { d = try definition.validated() } catch { throw NodeError(.invalidInput, error.message) }
        let known = try catalog()
        if known.contains(d.code) {
            let origin = KPICatalog.builtIn.contains(d.code) ? "in the built-in catalog" : "locally"
            throw NodeError(.duplicateKPI, "KPI \(d.code) is already defined \(origin); choose another code")
        }
        try write {
            let stmt = try database.prepare("""
                INSERT INTO kpi_definition (code, name, name_de, unit, direction, field, per_capita, person_count, refs, defined_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            try stmt.run([.text(d.code), .text(d.name), .text(d.nameDe), .text(d.unit), .text(d.direction.rawValue),
                          .text(d.field.rawValue), .integer(d.perCapita), .integer(d.personCount ? 1 : 0),
                          .text(JSONWriter.string(.array(d.refs.map { .string($0) }))), .integer(Node.now())])
        }
    }
}
