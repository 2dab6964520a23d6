import Foundation

/// SPKI pins in libcurl's `CURLOPT_PINNEDPUBLICKEY` format: `sha256//` + base64 (standard, padded)
/// of SHA-256 over the certificate's DER SubjectPublicKeyInfo. Peers pin a node's TLS key with
/// it (design §5); it survives certificate renewal with the same key.
public enum TLSPin {
    /// The prefix libcurl expects before a base64 SHA-256 pin.
    public static let prefix = "sha256//"

    /// The pin of the first certificate in `certificatePEM`, self-signed or issued by any CA.
    public static func spkiPin(certificatePEM: String) throws(CryptoError) -> String {
        let certificate = try X509Certificate(pem: certificatePEM)
        return spkiPin(subjectPublicKeyInfoDER: try certificate.subjectPublicKeyInfoDER())
    }

    /// The pin of a DER-encoded SubjectPublicKeyInfo.
    public static func spkiPin(subjectPublicKeyInfoDER der: [UInt8]) -> String {
        prefix + Data(SHA256.hash(der)).base64EncodedString()
    }
}
