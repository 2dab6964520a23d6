import Foundation
import Formats
import Model
import Store

/// What `citybench status` shows about the local data (design §6 shape; the federation parts
/// `origins`, `peers`, `epsilon` are filled in by the replication, sync and publishing layers).
public struct NodeStatus: Sendable, Hashable {
    public var identity: NodeIdentity
    public var city: String
    public var country: String
    /// Latest `POP.TOTAL`, if recorded.
    public var population: DecimalValue?
    public var sizeClass: SizeClass?
    /// Local KPI definitions (beside the built-in catalog).
    public var localKPIs: Int
    public var kpiValues: Int
    /// Distinct KPIs with at least one value.
    public var kpisWithValues: Int
    public var projects: Int
    /// Unix seconds of the last entered KPI value, if any.
    public var lastValueEntered: Int64?
    /// Unix seconds of the last project change, if any.
    public var lastProjectChange: Int64?
    /// The arrival log's epoch (design §5).
    public var epoch: String? = nil
    /// A restored database was detected (or restored with `db restore`) and not yet confirmed.
    public var restored = false
    /// Items held in the replicated store: current ones served by `changes`, and quarantined ones.
    public var replicatedItems = 0
    public var quarantinedItems = 0
    /// Every other origin this node knows (design §6).
    public var origins: [OriginStatus] = []
    /// Every peer with its sync state; `json` lists the sync peers (design §6 `peers`).
    public var peers: [PeerRecord] = []
    /// ε of the differential-privacy ledger spent per KPI and period (design §4, §6 `epsilon`).
    public var epsilon: [EpsilonSpent] = []

    /// `{"origin","label","epoch","restored","counts":{…},"origins","peers","epsilon","city",…}`.
    public var json: JSONValue {
        func time(_ t: Int64?) -> JSONValue {
            guard let t else { return .null }
            let f = ISO8601DateFormatter()
            f.timeZone = TimeZone(identifier: "UTC")
            return .string(f.string(from: Date(timeIntervalSince1970: TimeInterval(t))))
        }
        let counts = JSONObject(pairs: [("localKpis", .int(localKPIs)), ("kpiValues", .int(kpiValues)),
                                        ("kpisWithValues", .int(kpisWithValues)), ("projects", .int(projects)),
                                        ("replicatedItems", .int(replicatedItems)), ("quarantinedItems", .int(quarantinedItems))])
        let last = JSONObject(pairs: [("kpiValue", time(lastValueEntered)), ("project", time(lastProjectChange))])
        return .object(JSONObject(pairs: [
            ("origin", .string(identity.origin)), ("label", .string(identity.label)), ("epoch", .string(epoch)), ("restored", .bool(restored)),
            ("counts", .object(counts)), ("origins", .array(origins.map(\.json))), ("peers", .array(peers.filter(\.syncPeer).map(\.statusJSON))), ("epsilon", .array(epsilon.map(\.json))),
            ("city", .string(city)), ("country", .string(country)),
            ("population", population.map { .string($0.description) } ?? .null),
            ("sizeClass", .string(sizeClass?.rawValue)), ("lastChanges", .object(last)),
        ]))
    }
}

extension Node {
    /// Counts and last changes of the local data, with this node's identity.
    public func status() throws(NodeError) -> NodeStatus {
        let identity = try identity()
        var status = try localStatus(identity)
        status.epoch = try currentEpoch().id
        status.restored = try isRestored()
        status.origins = try originStatuses()
        status.peers = try peers()
        status.epsilon = try epsilonSpent().map { EpsilonSpent(kpi: $0.kpi, period: $0.period, spent: $0.spent) }
        try read { () throws(StoreError) in
            status.replicatedItems = try database.scalarInt("SELECT count(*) FROM item WHERE arrival IS NOT NULL AND quarantine_peer IS NULL")
            status.quarantinedItems = try database.scalarInt("SELECT count(*) FROM item WHERE quarantine_peer IS NOT NULL")
        }
        return status
    }

    private func localStatus(_ identity: NodeIdentity) throws(NodeError) -> NodeStatus {
        try read { () throws(StoreError) in
            let population = DecimalValue(try database.scalarText(
                "SELECT value FROM kpi_value WHERE code = ? ORDER BY period_order DESC LIMIT 1", [.text(KPIDefinition.populationCode)]))
            func optionalInt(_ sql: String) throws(StoreError) -> Int64? {
                let stmt = try database.prepare(sql)
                return try stmt.step() ? stmt.optionalInt(0).map(Int64.init) : nil
            }
            return NodeStatus(
                identity: identity, city: configuration.profile.name, country: configuration.profile.country,
                population: population, sizeClass: population.map { SizeClass(population: $0.doubleValue) },
                localKPIs: try database.scalarInt("SELECT count(*) FROM kpi_definition"),
                kpiValues: try database.scalarInt("SELECT count(*) FROM kpi_value"),
                kpisWithValues: try database.scalarInt("SELECT count(DISTINCT code) FROM kpi_value"),
                projects: try database.scalarInt("SELECT count(*) FROM project"),
                lastValueEntered: try optionalInt("SELECT max(entered_at) FROM kpi_value"),
                lastProjectChange: try optionalInt("SELECT max(updated_at) FROM project"))
        }
    }
}

/// ε spent on one KPI and period, summed over every noised value published for it.
public struct EpsilonSpent: Sendable, Hashable {
    public var kpi: String
    public var period: String
    public var spent: Double

    /// `{"kpi","period","spent"}`.
    public var json: JSONValue {
        .object(JSONObject(pairs: [("kpi", .string(kpi)), ("period", .string(period)), ("spent", .double(spent))]))
    }
}
