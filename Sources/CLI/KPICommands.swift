import CityNode
import Formats
import Model

/// `kpi define | list | set | import | export`.
enum KPICommands {
    static let all: [CommandSpec] = [define, list, set, importValues, export]

    static let define = CommandSpec(
        path: ["kpi", "define"], summary: "Add a local KPI definition (a code that exists already is refused).",
        positionals: [PositionalSpec(name: "CODE", help: "the new KPI's code, e.g. LOC.BENCHES")],
        options: [
            .value("name", "N", "English name", required: true),
            .value("unit", "U", "unit, e.g. count, percent, days", required: true),
            .value("direction", "higher|lower", "whether a larger value is better", required: true),
            .value("field", "F", "action field: \(ActionField.allCases.map(\.rawValue).joined(separator: ", "))", required: true),
            .value("per-capita", "N", "rank the value per N inhabitants"),
            .flag("person-count", "the value counts persons or transactions (may be suppressed or noised when published)"),
            .value("name-de", "N", "German name"),
            .value("ref", "TEXT", "a reference such as ISO 37122:2019 …", repeatable: true),
        ],
        run: { args, ctx in
            let command = "kpi define"
            guard let direction = Direction(rawValue: args.value("direction")!) else {
                throw UsageError(message: "option '--direction' must be higher or lower, not '\(args.value("direction")!)'", command: command)
            }
            let field = try ActionField.parse(args.value("field")!)
            let definition = KPIDefinition(code: args.positionals[0], name: args.value("name")!, nameDe: args.value("name-de"),
                                           unit: args.value("unit")!, direction: direction, field: field,
                                           perCapita: try args.int("per-capita", command: command, range: 1...1_000_000_000),
                                           personCount: args.flag("person-count"), refs: args.all("ref"))
            try ctx.openNode().defineKPI(definition)
            ctx.out.line("Defined KPI \(definition.code).")
            return CommandLineTool.success
        })

    static let list = CommandSpec(
        path: ["kpi", "list"], summary: "List the KPI definitions (built-in catalog and local ones).",
        options: [NodeCommands.jsonOption, NodeCommands.prettyOption,
                  .value("field", "F", "only KPIs of this action field")],
        run: { args, ctx in
            var kpis = try ctx.openNode().listKPIs()
            if let f = args.value("field") {
                let field = try ActionField.parse(f)
                kpis = kpis.filter { $0.field == field }
            }
            if args.flag("json") {
                ctx.printJSON(.array(kpis.map(\.json)), pretty: args.flag("pretty"))
                return CommandLineTool.success
            }
            let width = max(4, kpis.map(\.code.count).max() ?? 0) + 2
            func pad(_ s: String, _ w: Int) -> String { s + String(repeating: " ", count: max(1, w - s.count)) }
            ctx.out.line(pad("CODE", width) + pad("FIELD", 16) + pad("UNIT", 12) + pad("BETTER", 8) + "NAME")
            for k in kpis {
                ctx.out.line(pad(k.code, width) + pad(k.field.rawValue, 16) + pad(k.unit, 12) + pad(k.direction.rawValue, 8) + k.name)
            }
            return CommandLineTool.success
        })

    static let set = CommandSpec(
        path: ["kpi", "set"], summary: "Record one KPI value (replaces the value of the same period).",
        positionals: [PositionalSpec(name: "CODE", help: "KPI code, e.g. MOB.EV_CHARGERS"),
                      PositionalSpec(name: "PERIOD", help: "YYYY, YYYY-Qn or YYYY-MM"),
                      PositionalSpec(name: "VALUE", help: "a decimal number such as 1234.5")],
        options: [.value("source", "S", "where the value comes from"), .value("note", "N", "a note for colleagues")],
        run: { args, ctx in
            let p = args.positionals
            let r = try ctx.openNode().setValue(code: p[0], period: p[1], value: p[2], source: args.value("source"), note: args.value("note"))
            ctx.out.line("Recorded \(r.code) \(r.period) = \(r.value).")
            return CommandLineTool.success
        })

    static let importValues = CommandSpec(
        path: ["kpi", "import"], summary: "Import KPI values from a CSV file, all or nothing.",
        positionals: [PositionalSpec(name: "FILE.csv", help: "header kpi,period,value[,unit,source,note]; ',' or ';' separated")],
        run: { args, ctx in
            let summary = try ctx.openNode().importValues(path: args.positionals[0])
            ctx.out.line("Imported \(summary.rows) values from \(summary.file).")
            return CommandLineTool.success
        })

    static let export = CommandSpec(
        path: ["kpi", "export"], summary: "Write every KPI value as CSV (kpi,period,value,unit,source,note) to standard output.",
        run: { _, ctx in
            try ctx.openNode().exportValues { ctx.out.write($0) }
            return CommandLineTool.success
        })
}
