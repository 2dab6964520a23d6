import Crypto
import Foundation
import Model
import Store

/// Changes to a project given by `project update`; nil leaves a field as it is.
public struct ProjectChanges: Sendable, Hashable {
    public var name: String?
    public var field: ActionField?
    public var category: ProjectCategory?
    public var status: ProjectStatus?
    public var startYear: Int?
    public var endYear: Int?
    public var budget: DecimalValue?
    public var description: String?
    public var goal: String?
    /// If set, replaces the linked KPI codes.
    public var kpis: [String]?

    public init(name: String? = nil, field: ActionField? = nil, category: ProjectCategory? = nil, status: ProjectStatus? = nil,
                startYear: Int? = nil, endYear: Int? = nil, budget: DecimalValue? = nil, description: String? = nil,
                goal: String? = nil, kpis: [String]? = nil) {
        self.name = name
        self.field = field
        self.category = category
        self.status = status
        self.startYear = startYear
        self.endYear = endYear
        self.budget = budget
        self.description = description
        self.goal = goal
        self.kpis = kpis
    }

    /// True if nothing would change.
    public var isEmpty: Bool { self == ProjectChanges() }
}

/// `project add | list | show | update`: the city's projects and their KPI links.
extension Node {
    /// Bytes of randomness in a project id (printed as twice as many hex digits).
    public static let projectIDBytes = 8

    /// Stores a new project and returns it with its fresh id. `project.id` is ignored.
    @discardableResult
    public func addProject(_ project: Project) throws(NodeError) -> Project {
        var p = project
        do { p.id = try randomness.bytes(Node.projectIDBytes).hexString } catch {
            throw NodeError(.crypto, "could not draw a project id: \(error)")
        }
        let catalog = try catalog()
        try validate(p, catalog: catalog)
        try write { try insert(p) }
        return p
    }

    /// Checks a project's fields and that every linked KPI is known.
    func validate(_ p: Project, catalog: KPICatalog) throws(NodeError) {
        do { _ = try p.validated() } catch { throw NodeError(.invalidInput, error.message) }
        for code in p.kpis where !catalog.contains(code) {
            throw NodeError(.unknownKPI, "unknown KPI code '\(code)' linked to project '\(p.name)'; see 'citybench kpi list'")
        }
        for (label, text) in [("description", p.description), ("goal", p.goal)] {
            if let text, text.count > Node.maxFreeTextLength * 10 {
                throw NodeError(.invalidInput, "the project \(label) is longer than \(Node.maxFreeTextLength * 10) characters")
            }
        }
    }

    func insert(_ p: Project) throws(StoreError) {
        let now = Node.now()
        let stmt = try database.prepare("""
            INSERT INTO project (id, name, field, category, status, start_year, end_year, budget, description, goal, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        try stmt.run([.text(p.id), .text(p.name), .text(p.field.rawValue), .text(p.category.rawValue), .text(p.status.rawValue),
                      .integer(p.startYear), .integer(p.endYear), .text(p.budget?.description), .text(p.description),
                      .text(p.goal), .integer(now), .integer(now)])
        try link(p)
    }

    private func link(_ p: Project) throws(StoreError) {
        try database.prepare("DELETE FROM project_kpi WHERE project_id = ?").run([.text(p.id)])
        let stmt = try database.prepare("INSERT INTO project_kpi (project_id, position, code) VALUES (?, ?, ?)")
        var seen = Set<String>()
        for code in p.kpis where seen.insert(code).inserted {
            try stmt.run([.text(p.id), .integer(seen.count), .text(code)])
        }
    }

    /// All projects, sorted by name and then id.
    public func listProjects() throws(NodeError) -> [Project] {
        try read { () throws(StoreError) in try loadProjects(where: nil) }
    }

    /// The project with `id`.
    public func project(id: String) throws(NodeError) -> Project {
        let found = try read { () throws(StoreError) in try loadProjects(where: id) }
        guard let p = found.first else {
            throw NodeError(.projectNotFound, "no project with id '\(id)'; see 'citybench project list'")
        }
        return p
    }

    private func loadProjects(where id: String?) throws(StoreError) -> [Project] {
        let stmt = try database.prepare("""
            SELECT id, name, field, category, status, start_year, end_year, budget, description, goal
            FROM project \(id == nil ? "" : "WHERE id = ?") ORDER BY name, id
            """)
        if let id { try stmt.bind([.text(id)]) }
        var projects: [Project] = []
        var index: [String: Int] = [:]
        while try stmt.step() {
            let p = Project(id: stmt.text(0), name: stmt.text(1), field: ActionField(rawValue: stmt.text(2)) ?? .egov,
                            category: ProjectCategory(rawValue: stmt.text(3)) ?? .other,
                            status: ProjectStatus(rawValue: stmt.text(4)) ?? .planned, startYear: stmt.optionalInt(5),
                            endYear: stmt.optionalInt(6), budget: stmt.optionalText(7).flatMap { DecimalValue($0) },
                            description: stmt.optionalText(8), goal: stmt.optionalText(9))
            index[p.id] = projects.count
            projects.append(p)
        }
        let links = try database.prepare("SELECT project_id, code FROM project_kpi ORDER BY project_id, position")
        while try links.step() {
            if let i = index[links.text(0)] { projects[i].kpis.append(links.text(1)) }
        }
        return projects
    }

    /// Applies `changes` to the project `id` and returns the result.
    @discardableResult
    public func updateProject(id: String, _ changes: ProjectChanges) throws(NodeError) -> Project {
        var p = try project(id: id)
        if let v = changes.name { p.name = v }
        if let v = changes.field { p.field = v }
        if let v = changes.category { p.category = v }
        if let v = changes.status { p.status = v }
        if let v = changes.startYear { p.startYear = v }
        if let v = changes.endYear { p.endYear = v }
        if let v = changes.budget { p.budget = v }
        if let v = changes.description { p.description = v }
        if let v = changes.goal { p.goal = v }
        if let v = changes.kpis { p.kpis = v }
        try validate(p, catalog: try catalog())
        let updated = p
        try write {
            let stmt = try database.prepare("""
                UPDATE project SET name = ?, field = ?, category = ?, status = ?, start_year = ?, end_year = ?, budget = ?,
                    description = ?, goal = ?, updated_at = ? WHERE id = ?
                """)
            try stmt.run([.text(updated.name), .text(updated.field.rawValue), .text(updated.category.rawValue),
                          .text(updated.status.rawValue), .integer(updated.startYear), .integer(updated.endYear),
                          .text(updated.budget?.description), .text(updated.description), .text(updated.goal),
                          .integer(Node.now()), .text(updated.id)])
            try link(updated)
        }
        return updated
    }
}
