/// A failure in the cryptography layer, with a stable code and a sentence a city clerk can act on.
/// Messages name the file or input that was wrong, never key material or secrets.
public struct CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Stable machine-readable codes; never renumber or rename.
    public enum Code: String, Sendable {
        /// A private signing key could not be read or is not an Ed25519 key.
        case invalidSigningKey = "invalid_signing_key"
        /// A public key is not 32 raw Ed25519 bytes.
        case invalidPublicKey = "invalid_public_key"
        /// A PEM certificate could not be parsed.
        case invalidCertificate = "invalid_certificate"
        /// A TLS private key could not be read or does not belong to its certificate.
        case invalidTLSKey = "invalid_tls_key"
        /// A subjectAltName entry is neither a valid DNS name nor an IP address.
        case invalidSubjectAltName = "invalid_subject_alt_name"
        /// A certificate validity period is empty or negative.
        case invalidValidity = "invalid_validity"
        /// The operating system's random number generator failed.
        case randomUnavailable = "random_unavailable"
        /// OpenSSL could not generate a key or certificate (usually out of memory).
        case generationFailed = "generation_failed"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
