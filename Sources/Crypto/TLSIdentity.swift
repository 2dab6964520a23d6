import COpenSSL
import Foundation

/// A node's TLS identity: an ECDSA P-256 private key and a self-signed X.509 v3 certificate
/// whose subject and issuer are exactly `CN=citybench`, never the city name (design §3, §5).
/// Peers trust it by its SPKI pin (`TLSPin`), not by a CA.
public struct TLSIdentity: Sendable, Hashable {
    /// The certificate's only subject (and issuer) attribute. Fixed so that a certificate never
    /// reveals which city runs the node.
    public static let commonName = "citybench"

    /// The certificate as PEM (`-----BEGIN CERTIFICATE-----`).
    public let certificatePEM: String
    /// The private key as unencrypted PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`); store it with mode 0600.
    public let privateKeyPEM: String

    /// One subjectAltName entry.
    public enum SubjectAltName: Sendable, Hashable {
        /// A DNS host name such as `node.braunschweig.example` (letters, digits, hyphens, dots).
        case dns(String)
        /// An IPv4 or IPv6 address in text form, such as `127.0.0.1` or `::1`.
        case ip(String)
    }

    /// What `generate` puts into a certificate.
    public struct Configuration: Sendable, Hashable {
        /// Names the certificate is valid for when the caller gives none: the loopback names.
        public static let defaultSubjectAltNames: [SubjectAltName] = [.dns("localhost"), .ip("127.0.0.1"), .ip("::1")]
        /// Default backdating of `notBefore`: one hour, so peers whose clocks run a little slow accept a fresh certificate.
        public static let defaultBackdate: TimeInterval = 3600
        /// Default lifetime in calendar years: ten, since the pin, not expiry, is what peers trust.
        public static let defaultLifetimeYears = 10

        /// DNS names and IP addresses the certificate is valid for (subjectAltName); at least one.
        public var subjectAltNames: [SubjectAltName]
        /// Seconds by which `notBefore` precedes the generation time; zero or more.
        public var backdate: TimeInterval
        /// Calendar years (UTC, Gregorian) from the generation time to `notAfter`; 1 to 100.
        public var lifetimeYears: Int

        public init(subjectAltNames: [SubjectAltName] = Configuration.defaultSubjectAltNames,
                    backdate: TimeInterval = Configuration.defaultBackdate,
                    lifetimeYears: Int = Configuration.defaultLifetimeYears) {
            self.subjectAltNames = subjectAltNames
            self.backdate = backdate
            self.lifetimeYears = lifetimeYears
        }
    }

    /// Wraps an existing key and certificate (for instance from a public CA), after checking that
    /// both parse and that the key belongs to the certificate (`X509_check_private_key`).
    public init(certificatePEM: String, privateKeyPEM: String) throws(CryptoError) {
        let certificate = try X509Certificate(pem: certificatePEM)
        let key = PEMBuffer.read(privateKeyPEM) { bio in
            PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil)  // refuse passphrases, never prompt
        }
        guard let key else {
            throw CryptoError(.invalidTLSKey,
                              "the TLS key is not an unencrypted PEM private key (\(OpenSSLErrorQueue.drain()))")
        }
        defer { EVP_PKEY_free(key) }
        guard X509_check_private_key(certificate.pointer, key) == 1 else {
            OpenSSLErrorQueue.clear()
            throw CryptoError(.invalidTLSKey, "the TLS key does not belong to the TLS certificate")
        }
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    private init(generatedCertificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = generatedCertificatePEM
        self.privateKeyPEM = privateKeyPEM
    }

    /// The SPKI pin of the certificate, `sha256//` + base64 SHA-256 of its SubjectPublicKeyInfo.
    public func spkiPin() throws(CryptoError) -> String {
        try TLSPin.spkiPin(certificatePEM: certificatePEM)
    }

    /// Generates a P-256 key and a self-signed certificate with OpenSSL's API: random 128-bit
    /// serial, validity `now − backdate` to `now + lifetimeYears`, basicConstraints CA:FALSE,
    /// keyUsage digitalSignature, extendedKeyUsage serverAuth and clientAuth, the given
    /// subjectAltNames, signed with ECDSA-SHA256.
    public static func generate(_ configuration: Configuration = Configuration(),
                                now: Date = Date()) throws(CryptoError) -> TLSIdentity {
        let (notBefore, notAfter) = try validity(configuration, now: now)
        let subjectAltNames = try SubjectAltNameList(configuration.subjectAltNames)
        let key = try generateP256Key()
        defer { EVP_PKEY_free(key) }
        let serial = try serialNumber()

        guard let certificate = X509_new() else { throw failure("X509_new") }
        defer { X509_free(certificate) }
        guard X509_set_version(certificate, Int(X509_VERSION_3)) == 1 else { throw failure("X509_set_version") }
        let serialSet = serial.withUnsafeBufferPointer { bytes -> Bool in
            guard let number = BN_bin2bn(bytes.baseAddress, Int32(bytes.count), nil) else { return false }
            defer { BN_free(number) }
            return BN_to_ASN1_INTEGER(number, X509_get_serialNumber(certificate)) != nil
        }
        guard serialSet else { throw failure("BN_to_ASN1_INTEGER") }
        guard ASN1_TIME_set(X509_getm_notBefore(certificate), notBefore) != nil,
              ASN1_TIME_set(X509_getm_notAfter(certificate), notAfter) != nil else { throw failure("ASN1_TIME_set") }

        guard let name = X509_NAME_new() else { throw failure("X509_NAME_new") }
        defer { X509_NAME_free(name) }
        let named = Array(commonName.utf8).withUnsafeBufferPointer { value in
            X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, value.baseAddress, Int32(value.count), -1, 0)
        }
        guard named == 1, X509_set_subject_name(certificate, name) == 1,
              X509_set_issuer_name(certificate, name) == 1 else { throw failure("X509_NAME_add_entry_by_txt") }
        guard X509_set_pubkey(certificate, key) == 1 else { throw failure("X509_set_pubkey") }

        var context = X509V3_CTX()
        X509V3_set_ctx(&context, certificate, certificate, nil, nil, 0)
        for (nid, value) in [(NID_basic_constraints, "critical,CA:FALSE"),
                             (NID_key_usage, "critical,digitalSignature"),
                             (NID_ext_key_usage, "serverAuth,clientAuth")] {
            guard let extensionValue = X509V3_EXT_nconf_nid(nil, &context, nid, value) else {
                throw failure("X509V3_EXT_nconf_nid")
            }
            defer { X509_EXTENSION_free(extensionValue) }
            guard X509_add_ext(certificate, extensionValue, -1) == 1 else { throw failure("X509_add_ext") }
        }
        guard X509_add1_ext_i2d(certificate, NID_subject_alt_name, UnsafeMutableRawPointer(subjectAltNames.pointer), 0,
                                UInt(X509V3_ADD_DEFAULT)) == 1 else { throw failure("X509_add1_ext_i2d") }
        guard X509_sign(certificate, key, EVP_sha256()) > 0 else { throw failure("X509_sign") }

        guard let certificatePEM = PEMBuffer.write({ bio in PEM_write_bio_X509(bio, certificate) }) else {
            throw failure("PEM_write_bio_X509")
        }
        guard let privateKeyPEM = PEMBuffer.write({ bio in PEM_write_bio_PKCS8PrivateKey(bio, key, nil, nil, 0, nil, nil) }) else {
            throw failure("PEM_write_bio_PKCS8PrivateKey")
        }
        return TLSIdentity(generatedCertificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    // MARK: - Parts of generate

    /// `notBefore` and `notAfter` as Unix times.
    private static func validity(_ configuration: Configuration, now: Date) throws(CryptoError) -> (time_t, time_t) {
        guard configuration.backdate >= 0, configuration.backdate.isFinite else {
            throw CryptoError(.invalidValidity, "the certificate backdate must be zero or more seconds, not \(configuration.backdate)")
        }
        guard (1...100).contains(configuration.lifetimeYears) else {
            throw CryptoError(.invalidValidity, "the certificate lifetime must be 1 to 100 years, not \(configuration.lifetimeYears)")
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let end = calendar.date(byAdding: .year, value: configuration.lifetimeYears, to: now) else {
            throw CryptoError(.invalidValidity, "the certificate lifetime of \(configuration.lifetimeYears) years cannot be computed")
        }
        let start = now.addingTimeInterval(-configuration.backdate)
        return (time_t(start.timeIntervalSince1970.rounded(.down)), time_t(end.timeIntervalSince1970.rounded(.down)))
    }

    /// A fresh ECDSA P-256 key (`EVP_PKEY_CTX_new_from_name`, `EVP_PKEY_CTX_set_group_name`,
    /// `EVP_PKEY_generate`); the caller frees it.
    private static func generateP256Key() throws(CryptoError) -> OpaquePointer {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, "EC", nil) else { throw failure("EVP_PKEY_CTX_new_from_name") }
        defer { EVP_PKEY_CTX_free(context) }
        var generated: OpaquePointer?
        guard EVP_PKEY_keygen_init(context) == 1,
              EVP_PKEY_CTX_set_group_name(context, "P-256") == 1,
              EVP_PKEY_generate(context, &generated) == 1,
              let key = generated else { throw failure("EVP_PKEY_generate") }
        return key
    }

    /// A random positive, non-zero 128-bit serial number (RFC 5280 allows up to 20 octets).
    private static func serialNumber() throws(CryptoError) -> [UInt8] {
        while true {
            let serial = try SecureRandom.bytes(16)
            if serial.contains(where: { $0 != 0 }) { return serial }
        }
    }

    private static func failure(_ function: String) -> CryptoError {
        CryptoError(.generationFailed, "could not create the TLS certificate: \(function) failed (\(OpenSSLErrorQueue.drain()))")
    }
}

/// A validated subjectAltName list as an OpenSSL `GENERAL_NAMES` stack, built entry by entry so
/// that a caller's name can never inject extra entries the way a text configuration could.
private final class SubjectAltNameList {
    /// Longest DNS name allowed in a certificate (RFC 1035).
    static let maxDNSNameLength = 253
    /// Longest label of a DNS name (RFC 1035).
    static let maxDNSLabelLength = 63

    let pointer: OpaquePointer

    init(_ names: [TLSIdentity.SubjectAltName]) throws(CryptoError) {
        guard !names.isEmpty else {
            throw CryptoError(.invalidSubjectAltName, "the certificate needs at least one DNS name or IP address")
        }
        guard let list = GENERAL_NAMES_new() else {
            throw CryptoError(.generationFailed, "could not create the TLS certificate: GENERAL_NAMES_new failed")
        }
        pointer = list
        for name in names {
            guard let entry = GENERAL_NAME_new() else {
                throw CryptoError(.generationFailed, "could not create the TLS certificate: GENERAL_NAME_new failed")
            }
            switch name {
            case .dns(let host):
                guard Self.isValidDNSName(host) else {
                    GENERAL_NAME_free(entry)
                    throw CryptoError(.invalidSubjectAltName,
                                      "'\(host)' is not a valid DNS name (letters, digits and hyphens in dot-separated labels)")
                }
                let bytes = Array(host.utf8)
                guard let value = ASN1_IA5STRING_new() else {
                    GENERAL_NAME_free(entry)
                    throw CryptoError(.generationFailed, "could not create the TLS certificate: ASN1_IA5STRING_new failed")
                }
                guard ASN1_STRING_set(value, bytes, Int32(bytes.count)) == 1 else {
                    ASN1_IA5STRING_free(value)
                    GENERAL_NAME_free(entry)
                    throw CryptoError(.generationFailed, "could not create the TLS certificate: ASN1_STRING_set failed")
                }
                GENERAL_NAME_set0_value(entry, GEN_DNS, UnsafeMutableRawPointer(value))
            case .ip(let address):
                guard let value = a2i_IPADDRESS(address) else {
                    OpenSSLErrorQueue.clear()
                    GENERAL_NAME_free(entry)
                    throw CryptoError(.invalidSubjectAltName, "'\(address)' is not an IPv4 or IPv6 address")
                }
                GENERAL_NAME_set0_value(entry, GEN_IPADD, UnsafeMutableRawPointer(value))
            }
            guard cossl_general_names_push(list, entry) > 0 else {
                GENERAL_NAME_free(entry)
                throw CryptoError(.generationFailed, "could not create the TLS certificate: sk_GENERAL_NAME_push failed")
            }
        }
    }

    deinit { GENERAL_NAMES_free(pointer) }

    /// LDH host names: dot-separated labels of ASCII letters, digits and inner hyphens.
    static func isValidDNSName(_ host: String) -> Bool {
        let bytes = Array(host.utf8)
        guard !bytes.isEmpty, bytes.count <= maxDNSNameLength else { return false }
        return bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).allSatisfy { label in
            guard !label.isEmpty, label.count <= maxDNSLabelLength,
                  label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else { return false }
            return label.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                     UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"): true
                default: false
                }
            }
        }
    }
}

/// Printing or dumping an identity never shows the private key, so it cannot leak into logs.
extension TLSIdentity: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "TLSIdentity(certificate: \(certificatePEM.utf8.count) bytes of PEM, private key: redacted)"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["certificatePEM": certificatePEM, "privateKeyPEM": "redacted"])
    }
}
