import Formats
import Model
import Ranking

/// The JSON of `rank --format json` in design §7's exact shape and key order. Extensions
/// (`medianRank`, `groups`, `trend`, `notes`, `settings`) follow the contract's keys and only
/// appear where the contract leaves room. Built only from the result, so the same input in any
/// order gives the same bytes.
public enum RankingJSON {
    public static func value(_ r: RankingResult) -> JSONValue {
        var o = JSONObject()
        o["method"] = .string(r.options.method.rawValue)
        o["period"] = .string(r.options.period?.description)
        o["kpis"] = .array(r.kpis.map { k in
            .object(JSONObject(pairs: [
                ("kpi", .string(k.kpi)), ("field", .string(k.field.rawValue)), ("direction", .string(k.direction.rawValue)),
                ("unit", .string(k.unit)), ("period", .string(k.period.description)),
                ("cities", .array(k.cities.map { e in
                    .object(JSONObject(pairs: [
                        ("city", .string(e.city)), ("origin", .string(e.origin)), ("value", .double(e.value)),
                        ("x", .double(e.x)), ("score", .double(e.score)), ("rank", .int(e.rank)),
                    ]))
                })),
            ]))
        })
        o["fields"] = .array(r.fields.map { f in
            .object(JSONObject(pairs: [("field", .string(f.field.rawValue)), ("cities", composite(f.cities))]))
        })
        o["overall"] = .object(JSONObject(pairs: [("cities", composite(r.overall))]))
        o["excluded"] = .array(r.excluded.map { x in
            .object(JSONObject(pairs: [("city", .string(x.city)), ("scope", .string(x.scope)), ("reason", .string(x.reason))]))
        })
        o["bestPractice"] = .array(r.bestPractice.map(bestPractice))
        if !r.groups.isEmpty || r.options.group != .none {
            o["groups"] = .array(r.groups.map { g in
                .object(JSONObject(pairs: [
                    ("group", .string(g.group)),
                    ("fields", .array(g.fields.map { f in
                        .object(JSONObject(pairs: [("field", .string(f.field.rawValue)), ("cities", composite(f.cities))]))
                    })),
                    ("overall", .object(JSONObject(pairs: [("cities", composite(g.overall))]))),
                ]))
            })
        }
        if let t = r.trend { o["trend"] = trend(t) }
        if !r.notes.isEmpty { o["notes"] = .array(r.notes.map { .string($0) }) }
        o["settings"] = settings(r.options)
        return .object(o)
    }

    /// Compact bytes (plus a final newline) for files and pipes.
    public static func render(_ r: RankingResult, pretty: Bool = false) -> String {
        JSONWriter.string(value(r), pretty: pretty) + "\n"
    }

    static func composite(_ entries: [CompositeEntry]) -> JSONValue {
        .array(entries.map { e in
            var o = JSONObject(pairs: [
                ("city", .string(e.city)), ("origin", .string(e.origin)), ("score", .double(e.score)),
                ("rank", .int(e.rank)), ("coverage", .double(e.coverage)),
            ])
            if let u = e.uncertainty {
                o["rankInterval"] = .array([.int(u.interval.lowerBound), .int(u.interval.upperBound)])
                o["rankQuantiles"] = .array([.int(u.quantiles.lowerBound), .int(u.quantiles.upperBound)])
                o["medianRank"] = .int(u.median)
            }
            return .object(o)
        })
    }

    static func bestPractice(_ b: BestPractice) -> JSONValue {
        .object(JSONObject(pairs: [
            ("scope", .string(b.scope)),
            ("top", .array(b.top.map { t in
                .object(JSONObject(pairs: [
                    ("city", .string(t.city)), ("origin", .string(t.origin)), ("rank", .int(t.rank)), ("score", .double(t.score)),
                    ("projects", .array(t.projects.map { p in
                        .object(JSONObject(pairs: [
                            ("category", .string(p.category.rawValue)), ("status", .string(p.status.rawValue)),
                            ("startYear", p.startYear.map { .int($0) } ?? .null),
                        ]))
                    })),
                ]))
            })),
            ("overRepresented", .array(b.overRepresented.map { c in
                .object(JSONObject(pairs: [
                    ("category", .string(c.category.rawValue)), ("topCount", .int(c.topCount)), ("topCities", .int(c.topCities)),
                    ("restCount", .int(c.restCount)), ("restCities", .int(c.restCities)),
                ]))
            })),
        ]))
    }

    static func trend(_ t: TrendResult) -> JSONValue {
        func entries(_ list: [TrendEntry]) -> JSONValue {
            .array(list.map { e in
                var o = JSONObject(pairs: [("city", .string(e.city)), ("origin", .string(e.origin))])
                if let f = e.fromScore { o["fromScore"] = .double(f) }
                if let s = e.toScore { o["toScore"] = .double(s) }
                o["change"] = .double(e.change)
                o["rank"] = .int(e.rank)
                return .object(o)
            })
        }
        return .object(JSONObject(pairs: [
            ("from", .string(t.from.description)), ("to", .string(t.to.description)),
            ("kpis", .array(t.kpis.map { k in .object(JSONObject(pairs: [("kpi", .string(k.kpi)), ("cities", entries(k.cities))])) })),
            ("overall", .object(JSONObject(pairs: [("cities", entries(t.overall))]))),
        ]))
    }

    static func settings(_ o: RankingOptions) -> JSONValue {
        var s = JSONObject()
        s["aggregate"] = .string(o.aggregate.rawValue)
        s["outliers"] = .string(o.outliers.rawValue)
        s["group"] = .string(o.group.rawValue)
        s["field"] = .string(o.field?.rawValue)
        s["kpiFilter"] = .array(o.kpis.sorted().map { .string($0) })
        s["kpiWeights"] = .object(JSONObject(pairs: o.kpiWeights.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))
        s["fieldWeights"] = .object(JSONObject(pairs: o.fieldWeights.sorted { $0.key < $1.key }.map { ($0.key.rawValue, .double($0.value)) }))
        s["targets"] = .object(JSONObject(pairs: o.targets.sorted { $0.key < $1.key }.map { ($0.key, .double($0.value)) }))
        s["uncertaintyRuns"] = .int(o.uncertaintyRuns)
        s["seed"] = .string(String(o.seed))
        s["weightNoise"] = .double(RankingOptions.weightNoise)
        return .object(s)
    }
}
