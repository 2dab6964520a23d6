import Store

extension Node {
    /// Prometheus gauges of the replicated store (no payloads): items held by origin (with its
    /// trust), quarantined items, forks and the arrival log's highest position.
    func replicaMetrics() throws(NodeError) -> String {
        try read { () throws(StoreError) -> String in
            var out = "# HELP citybench_records Current records, heads and key records held, by origin.\n"
            out += "# TYPE citybench_records gauge\n"
            let stmt = try database.prepare("""
                SELECT o.origin, o.own, o.trusted, count(i.id) FROM origin o
                LEFT JOIN item i ON i.origin = o.origin AND i.current = 1 AND i.quarantine_peer IS NULL
                GROUP BY o.origin ORDER BY o.origin
                """)
            while try stmt.step() {
                let trust = stmt.int(1) == 1 ? "own" : (stmt.int(2) == 1 ? "trusted" : "untrusted")
                out += "citybench_records{origin=\"\(stmt.text(0))\",trust=\"\(trust)\"} \(stmt.int(3))\n"
            }
            out += "# HELP citybench_quarantined_items Items of untrusted origins held in quarantine.\n"
            out += "# TYPE citybench_quarantined_items gauge\n"
            out += "citybench_quarantined_items \(try database.scalarInt("SELECT count(*) FROM item WHERE quarantine_peer IS NOT NULL"))\n"
            out += "# HELP citybench_forked_origins Origins with fork evidence.\n"
            out += "# TYPE citybench_forked_origins gauge\n"
            out += "citybench_forked_origins \(try database.scalarInt("SELECT count(DISTINCT origin) FROM fork"))\n"
            out += "# HELP citybench_arrival_position Highest position of the arrival log (the changes feed).\n"
            out += "# TYPE citybench_arrival_position gauge\n"
            out += "citybench_arrival_position \(try epochInDatabase().highestArrival)\n"
            return out
        }
    }
}
