/// Why a publication cannot be built; messages name the KPI or setting at fault.
public struct PublishingError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The disclosure policy in node.json is invalid.
        case invalidPolicy = "invalid_policy"
        /// ε changed for values already published with another ε; they must be re-entered.
        case epsilonChanged = "epsilon_changed"
        /// Switching an origin that has published to pseudonymous is refused.
        case identityChange = "identity_change"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
