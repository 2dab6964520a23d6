/// Why a record, head, key record or envelope was refused. Each failure has its own stable
/// code, which `push` reports as the `reason` of a `rejected` item.
public struct ReplicationError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        /// The envelope is not a JSON object with base64url `h`, `s` and optional `p`.
        case malformedEnvelope = "malformed_envelope"
        /// The header bytes are not a strict JSON object of the v1 header schema.
        case malformedHeader = "malformed_header"
        /// The header's `v` is not a version this node understands.
        case unsupportedVersion = "unsupported_version"
        /// `n` is not an integer with 1 ≤ n < 2^53, or jumps too far ahead of the origin.
        case sequenceOutOfRange = "sequence_out_of_range"
        /// No key of the origin's chain is known for this `kid` and `n`.
        case unknownKey = "unknown_key"
        /// The Ed25519 signature does not verify with the key the chain assigns to this `n`.
        case badSignature = "bad_signature"
        /// The payload's SHA-256 differs from the header's `ph`.
        case payloadHashMismatch = "payload_hash_mismatch"
        /// A payload is present where none belongs, or missing where one is required.
        case payloadPresence = "payload_presence"
        /// The payload does not match the schema of its subject.
        case invalidPayload = "invalid_payload"
        /// The first key record does not hash to the origin id, or a key record is inconsistent.
        case invalidKeyRecord = "invalid_key_record"
        /// The origin's key chain forked; nothing after the fork point is accepted.
        case keyFork = "key_fork"
        /// Header or payload larger than the protocol allows.
        case tooLarge = "too_large"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
