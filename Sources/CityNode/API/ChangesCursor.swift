/// The `since` parameter of `GET /v1/changes` (design §5): `0` for the beginning of the arrival
/// log, or `<epoch>.<pos>` as returned in `next`. Parsed strictly; anything else is a 400.
public enum ChangesCursor: Sendable, Hashable, CustomStringConvertible {
    /// `since=0`: every item, whatever the epoch.
    case beginning
    /// Items after arrival position `pos` of epoch `epoch`.
    case position(epoch: String, pos: Int)

    /// Longest position accepted, in decimal digits (positions stay far below 2^53).
    public static let maxPositionDigits = 16

    public init?<S: StringProtocol>(_ text: S) {
        if text == "0" {
            self = .beginning
            return
        }
        guard let dot = text.firstIndex(of: ".") else { return nil }
        let epoch = text[..<dot], digits = text[text.index(after: dot)...]
        guard ArrivalEpoch.isValidID(epoch), !digits.isEmpty, digits.utf8.count <= ChangesCursor.maxPositionDigits,
              digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), digits.utf8.count == 1 || digits.utf8.first != 48,
              let pos = Int(digits) else { return nil }
        self = .position(epoch: String(epoch), pos: pos)
    }

    public var description: String {
        switch self {
        case .beginning: "0"
        case let .position(epoch, pos): "\(epoch).\(pos)"
        }
    }
}
