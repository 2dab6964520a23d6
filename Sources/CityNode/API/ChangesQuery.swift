import HTTPServer

/// The query of `GET /v1/changes?since=<cursor>[&limit=<bytes>][&origin=<id>]`, checked: each
/// parameter at most once, nothing else, `since` required (design §5).
struct ChangesQuery: Sendable {
    let since: ChangesCursor
    let limit: Int
    let origin: String?

    init(_ request: HTTPRequest, configuration: PeerAPIConfiguration) throws(PeerAPIError) {
        var since: ChangesCursor?
        var limit = configuration.defaultChangesLimit
        var origin: String?
        var sawLimit = false
        for item in request.queryItems {
            switch item.name {
            case "since":
                guard since == nil else { throw .unknownParameter }
                guard let cursor = ChangesCursor(item.value) else { throw .invalidCursor }
                since = cursor
            case "limit":
                guard !sawLimit else { throw .unknownParameter }
                sawLimit = true
                let digits = item.value.utf8
                guard digits.count <= 10, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }), let n = Int(item.value),
                      n >= 1, n <= configuration.maxChangesLimit else { throw .invalidLimit }
                limit = n
            case "origin":
                guard origin == nil else { throw .unknownParameter }
                let hex = item.value.utf8
                guard hex.count == 32, hex.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { throw .invalidOriginFilter }
                origin = item.value
            default:
                throw .unknownParameter
            }
        }
        guard let since else { throw .invalidCursor }
        self.since = since
        self.limit = limit
        self.origin = origin
    }
}
