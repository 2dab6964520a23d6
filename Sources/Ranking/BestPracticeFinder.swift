import Model

/// Best practice (design §7): for each ranked KPI and field, the top cities with the project
/// descriptors they shared for it, and the project categories over-represented in the top
/// quartile compared with the other ranked cities.
enum BestPracticeFinder {
    static func find(result: RankingResult, projects: [ProjectDescriptor], cities: CityTable, top: Int) -> [BestPractice] {
        guard top > 0 else { return [] }
        var byCity: [String: [ProjectDescriptor]] = [:]
        for p in projects { byCity[p.cityKey, default: []].append(p) }
        let keyOfLabel = Dictionary(zip(cities.labels, cities.keys), uniquingKeysWith: { first, _ in first })
        var out: [BestPractice] = []
        /// Without any projects (e.g. CSV input) every list of shared projects is empty, so
        /// only the leaders are looked at.
        let noProjects = byCity.isEmpty
        func scope(_ name: String, _ all: () -> [(city: String, origin: String?, rank: Int, score: Double)],
                   leadersOnly: () -> [(city: String, origin: String?, rank: Int, score: Double)],
                   linked: (ProjectDescriptor) -> Bool) {
            func shared(_ label: String) -> [ProjectDescriptor] {
                noProjects ? [] : (byCity[keyOfLabel[label] ?? label] ?? []).filter(linked)
            }
            if noProjects {
                let leaders = leadersOnly().map { e in
                    BestPracticeCity(city: e.city, origin: e.origin, rank: e.rank, score: e.score, projects: [])
                }
                out.append(BestPractice(scope: name, top: leaders, overRepresented: []))
                return
            }
            let ranked = all()
            let leaders = ranked.filter { $0.rank <= top }.map { e in
                BestPracticeCity(city: e.city, origin: e.origin, rank: e.rank, score: e.score,
                                 projects: Array(Set(shared(e.city).map {
                                     SharedProject(category: $0.category, status: $0.status, startYear: $0.startYear)
                                 })).sorted())
            }
            let quartile = (ranked.count + 3) / 4
            let topSet = ranked.filter { $0.rank <= quartile }
            let rest = ranked.filter { $0.rank > quartile }
            var over: [OverRepresentedCategory] = []
            if !rest.isEmpty {
                func counts(_ group: [(city: String, origin: String?, rank: Int, score: Double)]) -> [ProjectCategory: Int] {
                    var n: [ProjectCategory: Int] = [:]
                    for e in group { for c in Set(shared(e.city).map(\.category)) { n[c, default: 0] += 1 } }
                    return n
                }
                let t = counts(topSet), r = counts(rest)
                for category in t.keys.sorted() {
                    let tc = t[category]!, rc = r[category] ?? 0
                    if tc * rest.count > rc * topSet.count {
                        over.append(OverRepresentedCategory(category: category, topCount: tc, topCities: topSet.count,
                                                            restCount: rc, restCities: rest.count))
                    }
                }
            }
            out.append(BestPractice(scope: name, top: leaders, overRepresented: over))
        }
        // Entries are listed by rank, so the leaders are a prefix.
        for k in result.kpis {
            scope("kpi:\(k.kpi)", { k.cities.map { ($0.city, $0.origin, $0.rank, $0.score) } },
                  leadersOnly: { k.cities.prefix { $0.rank <= top }.map { ($0.city, $0.origin, $0.rank, $0.score) } }) {
                $0.kpis.contains(k.kpi)
            }
        }
        for f in result.fields {
            scope("field:\(f.field.rawValue)", { f.cities.map { ($0.city, $0.origin, $0.rank, $0.score) } },
                  leadersOnly: { f.cities.prefix { $0.rank <= top }.map { ($0.city, $0.origin, $0.rank, $0.score) } }) {
                $0.field == f.field
            }
        }
        return out
    }
}
