import Formats

/// A set of KPI definitions by code. The built-in catalog (version 1) ships as
/// `config/kpi-catalog.json` and is compiled in; a node may add local definitions.
public struct KPICatalog: Sendable, Hashable {
    public private(set) var definitions: [String: KPIDefinition]

    public init(_ definitions: [KPIDefinition] = []) {
        var byCode: [String: KPIDefinition] = [:]
        for d in definitions { byCode[d.code] = d }
        self.definitions = byCode
    }

    /// The compiled-in catalog, version 1. Codes in it never need a carried definition on the wire.
    public static let builtIn: KPICatalog = {
        do {
            return try KPICatalog(json: Array(builtInJSON.utf8))
        } catch {
            preconditionFailure("built-in KPI catalog is invalid: \(error)")
        }
    }()

    /// Reads a JSON array of definitions (design §3 format; unknown keys ignored).
    public init(json bytes: [UInt8]) throws(ModelError) {
        let value: JSONValue
        do { value = try JSONReader.parse(bytes) } catch {
            throw ModelError(.invalidDefinition, "KPI catalog is not valid JSON: \(error.description)")
        }
        guard let items = value.arrayValue else {
            throw ModelError(.invalidDefinition, "KPI catalog must be a JSON array of definitions")
        }
        var seen = Set<String>()
        var definitions: [KPIDefinition] = []
        for (i, item) in items.enumerated() {
            let d = try KPIDefinition(json: item, context: "catalog entry \(i + 1)")
            guard seen.insert(d.code).inserted else {
                throw ModelError(.invalidDefinition, "catalog entry \(i + 1): KPI \(d.code) is defined twice")
            }
            definitions.append(d)
        }
        self.init(definitions)
    }

    public subscript(code: String) -> KPIDefinition? { definitions[code] }
    /// Looks the code up without copying its definition out.
    public func contains(_ code: String) -> Bool { definitions.index(forKey: code) != nil }

    /// Definitions sorted by code.
    public var sorted: [KPIDefinition] { definitions.values.sorted { $0.code < $1.code } }

    /// Adds or replaces a definition.
    public mutating func insert(_ definition: KPIDefinition) { definitions[definition.code] = definition }

    /// This catalog with `other`'s definitions replacing any of the same code.
    public func merging(_ other: KPICatalog) -> KPICatalog {
        var merged = self
        for d in other.definitions.values { merged.insert(d) }
        return merged
    }
}

extension KPIDefinition {
    /// Reads a definition from JSON (design §3): `code`, `name`, `unit`, `direction`, `field`
    /// required; `nameDe`, `perCapita`, `personCount`, `refs` optional; unknown keys ignored.
    /// `context` prefixes error messages (e.g. "catalog entry 3").
    public init(json: JSONValue, context: String) throws(ModelError) {
        guard let o = json.objectValue else { throw ModelError(.invalidDefinition, "\(context): expected a JSON object") }
        func string(_ key: String, required: Bool) throws(ModelError) -> String? {
            guard let v = o[key], !v.isNull else {
                if required { throw ModelError(.invalidDefinition, "\(context): field '\(key)' is missing") }
                return nil
            }
            guard let s = v.stringValue else { throw ModelError(.invalidDefinition, "\(context): field '\(key)' must be a string") }
            return s
        }
        let code = try string("code", required: true)!
        let where_ = "\(context) (\(code))"
        var perCapita: Int?
        if let p = o["perCapita"], !p.isNull {
            guard let n = p.numberValue, n.isInteger, let i = n.intValue else {
                throw ModelError(.invalidDefinition, "\(where_): field 'perCapita' must be a whole number or null")
            }
            perCapita = i
        }
        var personCount = false
        if let pc = o["personCount"], !pc.isNull {
            guard let b = pc.boolValue else { throw ModelError(.invalidDefinition, "\(where_): field 'personCount' must be true or false") }
            personCount = b
        }
        var refs: [String] = []
        if let r = o["refs"], !r.isNull {
            guard let items = r.arrayValue else { throw ModelError(.invalidDefinition, "\(where_): field 'refs' must be an array of strings") }
            for item in items {
                guard let s = item.stringValue else { throw ModelError(.invalidDefinition, "\(where_): field 'refs' must be an array of strings") }
                refs.append(s)
            }
        }
        let direction: Direction
        do { direction = try Direction.parse(try string("direction", required: true)!) } catch {
            throw ModelError(.invalidDefinition, "\(where_): \(error.message)")
        }
        let field: ActionField
        do { field = try ActionField.parse(try string("field", required: true)!) } catch {
            throw ModelError(.invalidDefinition, "\(where_): \(error.message)")
        }
        let definition = KPIDefinition(
            code: code, name: try string("name", required: true)!, nameDe: try string("nameDe", required: false),
            unit: try string("unit", required: true)!, direction: direction, field: field,
            perCapita: perCapita, personCount: personCount, refs: refs)
        do { self = try definition.validated() } catch {
            throw ModelError(error.code, "\(context): \(error.message)")
        }
    }

    /// The definition as JSON in the design §3 key order.
    public var json: JSONValue {
        var o = JSONObject()
        o["code"] = .string(code)
        o["name"] = .string(name)
        if let nameDe { o["nameDe"] = .string(nameDe) }
        o["unit"] = .string(unit)
        o["direction"] = .string(direction.rawValue)
        o["field"] = .string(field.rawValue)
        o["perCapita"] = perCapita.map { .int($0) } ?? .null
        o["personCount"] = .bool(personCount)
        o["refs"] = .array(refs.map { .string($0) })
        return .object(o)
    }
}
