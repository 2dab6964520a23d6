import CityNode
import Foundation
import Formats
import Model
import Ranking
import Report

/// `rank`, `report` and `export` (design §7–8): the analyst's commands. They read the node's
/// merged federation data, or with `--input CSV` a cell file and need no home at all.
enum RankCommands {
    static let all: [CommandSpec] = [rank, report, export]

    /// Where the cells come from and which options to rank with: shared by `rank` and `report`.
    static let selectionOptions: [OptionSpec] = [
        .value("input", "CSV", "rank this cell file (city,kpi,period,value[,scaled][,unit]) instead of the node's data; needs no home"),
        .value("catalog", "JSON", "KPI definitions (a JSON array) that add to or replace the built-in catalog"),
        .value("kpi", "CODE", "rank only this KPI", repeatable: true),
        .value("field", "F", "rank only the KPIs of this action field"),
        .value("period", "P", "rank every KPI at this period (YYYY, YYYY-Qn or YYYY-MM) instead of the latest well-reported one"),
        .value("method", "M", "normalisation: minmax (default), zscore, rank or target"),
        .value("aggregate", "A", "arithmetic (default) or geometric mean of scores"),
        .value("weights", "FILE", "weights by KPI and field, and targets for --method target (JSON)"),
        .value("outliers", "O", "none (default) or jrc (winsorise skewed KPIs)"),
        .value("group", "G", "also rank within peer groups: size or country"),
        .value("trend", "FROM:TO", "most-improved league between two periods, e.g. 2022:2024"),
        .value("uncertainty", "N", "Monte Carlo runs for rank intervals (default \(RankingOptions.defaultUncertaintyRuns); 0 disables)"),
        .value("seed", "N", "seed of the uncertainty runs (default fixed, so output is reproducible)"),
        .value("top", "N", "cities listed per KPI and field in best practice (default \(RankingOptions.defaultBestPracticeTop))"),
    ]

    /// The formats `rank --format` writes.
    static let formats = ["table", "csv", "json", "md", "html"]

    static let rank = CommandSpec(
        path: ["rank"], summary: "Rank the cities per KPI, per action field and overall, with rank intervals and best practice.",
        options: selectionOptions + [
            .value("format", "F", "table (default), csv, json, md or html"),
            .value("out", "FILE", "write to FILE instead of standard output"),
        ],
        run: { args, ctx in
            let format = args.value("format") ?? "table"
            guard formats.contains(format) else {
                throw UsageError(message: "option '--format' must be one of \(formats.joined(separator: ", ")), not '\(format)'", command: "rank")
            }
            let (result, catalog) = try ranking(args, ctx, command: "rank")
            let text: String
            switch format {
            case "csv": text = RankingCSV.render(result)
            case "json": text = RankingJSON.render(result)
            case "md": text = RankingMarkdown.render(result)
            case "html": text = HTMLReport.render(result, catalog: catalog)
            default: text = RankingTable.render(result)
            }
            try emit(text, to: args.value("out"), ctx)
            return CommandLineTool.success
        })

    static let report = CommandSpec(
        path: ["report"], summary: "Write the full HTML report (rankings, rank intervals, charts, best practice, methods).",
        options: selectionOptions + [.value("out", "FILE", "the HTML file to write", required: true)],
        run: { args, ctx in
            let (result, catalog) = try ranking(args, ctx, command: "report")
            let out = args.value("out")!
            try emit(HTMLReport.render(result, catalog: catalog), to: out, ctx)
            ctx.out.line("Wrote the report on \(result.overall.count) cities and \(result.kpis.count) KPIs to \(out).")
            return CommandLineTool.success
        })

    static let export = CommandSpec(
        path: ["export"], summary: "Export the federation's current cells as FIWARE NGSI-LD KPI entities or as a cell CSV for 'rank --input'.",
        options: [
            .value("format", "F", "ngsi-ld or csv", required: true),
            .value("out", "FILE", "write to FILE instead of standard output"),
            .value("catalog", "FILE", "also write the definitions of exported KPIs that are not built in (for 'rank --input CSV --catalog FILE')"),
        ],
        run: { args, ctx in
            let format = args.value("format")!
            guard format == "ngsi-ld" || format == "csv" else {
                throw UsageError(message: "option '--format' must be ngsi-ld or csv, not '\(format)'", command: "export")
            }
            let federation = try ctx.openNode().federationCells()
            for note in federation.notes { ctx.err.line("note: \(note)") }
            let text = format == "csv" ? CellCSV.write(federation.input.cells)
                : NGSILDExport.render(federation.input.cells, catalog: federation.catalog)
            try emit(text, to: args.value("out"), ctx)
            if let file = args.value("catalog") {
                let codes = Set(federation.input.cells.map(\.kpi)).filter { !KPICatalog.builtIn.contains($0) }
                let definitions = codes.sorted().compactMap { federation.catalog[$0] }
                try emit(JSONWriter.string(.array(definitions.map(\.json)), pretty: true) + "\n", to: file, ctx)
            }
            return CommandLineTool.success
        })

    /// Reads the cells (CSV or node), builds the options and ranks; notes go to stderr.
    static func ranking(_ args: ParsedArguments, _ ctx: CommandContext, command: String) throws -> (RankingResult, KPICatalog) {
        var options = try rankingOptions(args, command: command)
        let input: RankingInput
        var catalog: KPICatalog
        if let csv = args.value("input") {
            catalog = .builtIn
            if let file = args.value("catalog") {
                let loaded = try CatalogFile.load(path: file)
                for note in loaded.notes { ctx.err.line(note) }
                catalog = loaded.catalog
            }
            input = try CellCSV.load(path: csv, catalog: catalog)
        } else {
            let federation = try ctx.openNode().federationCells()
            for note in federation.notes { ctx.err.line("note: \(note)") }
            catalog = federation.catalog
            if let file = args.value("catalog") {
                let loaded = try CatalogFile.load(path: file, base: catalog)
                for note in loaded.notes { ctx.err.line(note) }
                catalog = loaded.catalog
            }
            input = federation.input
        }
        if let file = args.value("weights") {
            try WeightsFile.load(path: file, catalog: catalog).apply(to: &options)
        }
        return (try Ranker.rank(input, catalog: catalog, options: options), catalog)
    }

    /// The ranking options the flags name; a malformed value is a usage error naming the flag.
    static func rankingOptions(_ args: ParsedArguments, command: String) throws(UsageError) -> RankingOptions {
        var o = RankingOptions()
        func choice<T: RawRepresentable & CaseIterable>(_ name: String, _ type: T.Type) throws(UsageError) -> T? where T.RawValue == String {
            guard let text = args.value(name) else { return nil }
            guard let v = T(rawValue: text) else {
                throw UsageError(message: "option '--\(name)' must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not '\(text)'", command: command)
            }
            return v
        }
        func period(_ text: String, _ name: String) throws(UsageError) -> Period {
            guard let p = Period(text) else {
                throw UsageError(message: "option '--\(name)' value '\(text)' is not a period (YYYY, YYYY-Qn or YYYY-MM)", command: command)
            }
            return p
        }
        if let m = try choice("method", NormalisationMethod.self) { o.method = m }
        if let a = try choice("aggregate", Aggregation.self) { o.aggregate = a }
        if let x = try choice("outliers", OutlierTreatment.self) { o.outliers = x }
        if let g = try choice("group", Grouping.self) { o.group = g }
        if let f = try choice("field", ActionField.self) { o.field = f }
        if let p = args.value("period") { o.period = try period(p, "period") }
        if let t = args.value("trend") {
            let parts = t.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2 else {
                throw UsageError(message: "option '--trend' must be FROM:TO such as 2022:2024, not '\(t)'", command: command)
            }
            o.trend = TrendSpan(from: try period(parts[0], "trend"), to: try period(parts[1], "trend"))
        }
        o.kpis = Set(args.all("kpi"))
        if let n = try args.int("uncertainty", command: command, range: 0...1_000_000) { o.uncertaintyRuns = n }
        if let s = args.value("seed") {
            guard let seed = UInt64(s) else {
                throw UsageError(message: "option '--seed' must be a whole number from 0 to \(UInt64.max), not '\(s)'", command: command)
            }
            o.seed = seed
        }
        if let n = try args.int("top", command: command, range: 0...1000) { o.bestPracticeTop = n }
        return o
    }

    /// Writes `text` to `path` (atomically) or to standard output.
    static func emit(_ text: String, to path: String?, _ ctx: CommandContext) throws(NodeError) {
        guard let path else {
            ctx.out.write(text)
            return
        }
        try OutputFile.replace(path, with: text)
    }
}
