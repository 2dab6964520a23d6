import Crypto

/// Identifiers derived from public keys (design §4).
public enum KeyIDs {
    /// Hex of the first 8 bytes of SHA-256 of the raw public key.
    public static func keyID(_ publicKey: [UInt8]) -> String { Ed25519PublicKey.keyID(raw: publicKey) }
    /// Hex of the first 16 bytes of SHA-256 of the origin's first raw public key.
    public static func originID(_ publicKey: [UInt8]) -> String { Ed25519PublicKey.originID(raw: publicKey) }
}
