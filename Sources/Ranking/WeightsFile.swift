import Foundation
import Formats
import Model

/// Reads `--weights FILE.json`: weights by KPI code and by action field, and optional targets
/// for `--method target`. Either `{"kpis":{CODE:w},"fields":{field:w},"targets":{CODE:t}}` or a
/// flat object whose keys are field codes or KPI codes. Unknown names are an error naming them.
public enum WeightsFile {
    public struct Weights: Sendable, Hashable {
        public var kpis: [String: Double] = [:]
        public var fields: [ActionField: Double] = [:]
        public var targets: [String: Double] = [:]
        public init() {}

        /// Copies the weights and targets into ranking options.
        public func apply(to options: inout RankingOptions) {
            options.kpiWeights = kpis
            options.fieldWeights = fields
            options.targets = targets
        }
    }

    public static func load(path: String, catalog: KPICatalog = .builtIn) throws(RankingError) -> Weights {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RankingError(.unreadableFile, "cannot read the weights file \(path)")
        }
        return try load(bytes: Array(data), catalog: catalog, source: path)
    }

    public static func load(bytes: [UInt8], catalog: KPICatalog = .builtIn, source: String = "weights") throws(RankingError) -> Weights {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch {
            throw RankingError(.malformedInput, "\(source): not valid JSON: \(error.description)")
        }
        guard let object = value.objectValue else {
            throw RankingError(.malformedInput, "\(source): expected a JSON object of weights")
        }
        var weights = Weights()
        var unknown: [String] = []
        func number(_ v: JSONValue, _ name: String, positive: Bool) throws(RankingError) -> Double {
            guard let n = v.numberValue?.doubleValue, n.isFinite, !positive || n > 0 else {
                throw RankingError(.invalidWeight, "\(source): \(name) must be \(positive ? "a positive number" : "a number")")
            }
            return n
        }
        func entries(_ v: JSONValue, _ section: String) throws(RankingError) -> JSONObject {
            guard let o = v.objectValue else { throw RankingError(.malformedInput, "\(source): '\(section)' must be an object") }
            return o
        }
        let structured = object.keys.contains { ["kpis", "fields", "targets"].contains($0) }
        if structured {
            for (key, v) in object {
                switch key {
                case "kpis":
                    for (code, w) in try entries(v, key) {
                        if catalog.contains(code) { weights.kpis[code] = try number(w, "the weight of \(code)", positive: true) } else { unknown.append(code) }
                    }
                case "fields":
                    for (name, w) in try entries(v, key) {
                        if let f = ActionField(rawValue: name) { weights.fields[f] = try number(w, "the weight of \(name)", positive: true) } else { unknown.append(name) }
                    }
                case "targets":
                    for (code, t) in try entries(v, key) {
                        if catalog.contains(code) { weights.targets[code] = try number(t, "the target of \(code)", positive: false) } else { unknown.append(code) }
                    }
                default: unknown.append(key)
                }
            }
        } else {
            for (key, w) in object {
                if let f = ActionField(rawValue: key) {
                    weights.fields[f] = try number(w, "the weight of \(key)", positive: true)
                } else if catalog.contains(key) {
                    weights.kpis[key] = try number(w, "the weight of \(key)", positive: true)
                } else {
                    unknown.append(key)
                }
            }
        }
        if !unknown.isEmpty {
            throw RankingError(.unknownWeight, "\(source): unknown names (neither an action field nor a KPI in the catalog): \(unknown.sorted().joined(separator: ", "))")
        }
        return weights
    }
}
