import CityNode
import Formats
import Model

/// `project add | list | show | update | import`.
enum ProjectCommands {
    static let all: [CommandSpec] = [add, list, show, update, importProjects]

    static let fieldOptions: [OptionSpec] = [
        .value("status", "S", "planned, active, done or stopped"),
        .value("start", "YYYY", "start year"),
        .value("end", "YYYY", "end year"),
        .value("budget", "EUR", "budget in euros, e.g. 250000.50"),
        .value("description", "TEXT", "what the project does (never published)"),
        .value("goal", "TEXT", "the strategic goal it serves (never published)"),
        .value("kpi", "CODE", "a KPI the project is meant to move", repeatable: true),
    ]

    static let add = CommandSpec(
        path: ["project", "add"], summary: "Record a new project and print its id.",
        positionals: [PositionalSpec(name: "NAME", help: "the project's name")],
        options: [.value("field", "F", "action field", required: true), .value("category", "C", "project category", required: true)] + fieldOptions,
        run: { args, ctx in
            let command = "project add"
            let project = Project(id: "", name: args.positionals[0], field: try ActionField.parse(args.value("field")!),
                                  category: try ProjectCategory.parse(args.value("category")!),
                                  status: try args.value("status").map(ProjectStatus.parse) ?? .planned,
                                  startYear: try args.int("start", command: command), endYear: try args.int("end", command: command),
                                  budget: try budget(args), description: args.value("description"), goal: args.value("goal"),
                                  kpis: args.all("kpi"))
            let stored = try ctx.openNode().addProject(project)
            ctx.out.line(stored.id)
            return CommandLineTool.success
        })

    static func budget(_ args: ParsedArguments) throws(ModelError) -> DecimalValue? {
        try args.value("budget").map { text throws(ModelError) in try DecimalValue.parse(text, what: "budget") }
    }

    static let list = CommandSpec(
        path: ["project", "list"], summary: "List the projects.",
        options: [NodeCommands.jsonOption, NodeCommands.prettyOption],
        run: { args, ctx in
            let projects = try ctx.openNode().listProjects()
            if args.flag("json") {
                ctx.printJSON(.array(projects.map(json)), pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(1, w - s.count)) }
            ctx.out.line(pad("ID", 18) + pad("STATUS", 9) + pad("FIELD", 16) + pad("CATEGORY", 29) + "NAME")
            for p in projects {
                ctx.out.line(pad(p.id, 18) + pad(p.status.rawValue, 9) + pad(p.field.rawValue, 16) + pad(p.category.rawValue, 29) + p.name)
            }
            return CommandLineTool.success
        })

    static let show = CommandSpec(
        path: ["project", "show"], summary: "Show one project.",
        positionals: [PositionalSpec(name: "ID", help: "the id printed by 'project add' or 'project list'")],
        options: [NodeCommands.jsonOption, NodeCommands.prettyOption],
        run: { args, ctx in
            let p = try ctx.openNode().project(id: args.positionals[0])
            if args.flag("json") {
                ctx.printJSON(json(p), pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            ctx.out.line("id           \(p.id)")
            ctx.out.line("name         \(p.name)")
            ctx.out.line("field        \(p.field.rawValue)")
            ctx.out.line("category     \(p.category.rawValue)")
            ctx.out.line("status       \(p.status.rawValue)")
            ctx.out.line("start        \(p.startYear.map(String.init) ?? "-")")
            ctx.out.line("end          \(p.endYear.map(String.init) ?? "-")")
            ctx.out.line("budget       \(p.budget.map { "\($0) EUR" } ?? "-")")
            ctx.out.line("description  \(p.description ?? "-")")
            ctx.out.line("goal         \(p.goal ?? "-")")
            ctx.out.line("kpis         \(p.kpis.isEmpty ? "-" : p.kpis.joined(separator: ", "))")
            return CommandLineTool.success
        })

    static let update = CommandSpec(
        path: ["project", "update"], summary: "Change a project's fields (--kpi replaces its KPI links).",
        positionals: [PositionalSpec(name: "ID", help: "the project's id")],
        options: [.value("name", "NAME", "new name"), .value("field", "F", "action field"), .value("category", "C", "project category")]
            + fieldOptions,
        run: { args, ctx in
            let command = "project update"
            let changes = ProjectChanges(
                name: args.value("name"), field: try args.value("field").map(ActionField.parse),
                category: try args.value("category").map(ProjectCategory.parse), status: try args.value("status").map(ProjectStatus.parse),
                startYear: try args.int("start", command: command), endYear: try args.int("end", command: command),
                budget: try budget(args), description: args.value("description"), goal: args.value("goal"),
                kpis: args.values["kpi"])
            if changes.isEmpty {
                throw UsageError(message: "'citybench project update' needs at least one option saying what to change", command: command)
            }
            let p = try ctx.openNode().updateProject(id: args.positionals[0], changes)
            ctx.out.line("Updated project \(p.id).")
            return CommandLineTool.success
        })

    static let importProjects = CommandSpec(
        path: ["project", "import"], summary: "Import projects from a CSV file, all or nothing; prints the new ids.",
        positionals: [PositionalSpec(name: "FILE.csv", help: "header \(Node.projectImportColumns.joined(separator: ",")); kpis separated by |")],
        run: { args, ctx in
            let projects = try ctx.openNode().importProjects(path: args.positionals[0])
            for p in projects { ctx.out.line(p.id) }
            ctx.err.write("Imported \(projects.count) projects.\n")
            return CommandLineTool.success
        })

    /// `{"id","name","field","category","status","start","end","budget","description","goal","kpis"}`.
    static func json(_ p: Project) -> JSONValue {
        .object(JSONObject(pairs: [
            ("id", .string(p.id)), ("name", .string(p.name)), ("field", .string(p.field.rawValue)),
            ("category", .string(p.category.rawValue)), ("status", .string(p.status.rawValue)),
            ("start", p.startYear.map { .int($0) } ?? .null), ("end", p.endYear.map { .int($0) } ?? .null),
            ("budget", .string(p.budget?.description)), ("description", .string(p.description)), ("goal", .string(p.goal)),
            ("kpis", .array(p.kpis.map { .string($0) })),
        ]))
    }
}
