import COpenSSL

/// Owner of one parsed OpenSSL `X509` certificate, freed on deinit (`X509_free`).
final class X509Certificate {
    let pointer: OpaquePointer

    /// Parses the first certificate in PEM text (`PEM_read_bio_X509`); later certificates of a
    /// chain are ignored.
    init(pem: String) throws(CryptoError) {
        let certificate = PEMBuffer.read(pem) { bio in
            PEM_read_bio_X509(bio, nil, { _, _, _, _ in 0 }, nil)  // certificates are never encrypted; never prompt
        }
        guard let certificate else {
            throw CryptoError(.invalidCertificate,
                              "the certificate is not a PEM X.509 certificate (\(OpenSSLErrorQueue.drain()))")
        }
        pointer = certificate
    }

    deinit { X509_free(pointer) }

    /// The DER encoding of the certificate's SubjectPublicKeyInfo (`X509_get_X509_PUBKEY`,
    /// `i2d_X509_PUBKEY`): what an SPKI pin hashes.
    func subjectPublicKeyInfoDER() throws(CryptoError) -> [UInt8] {
        guard let publicKey = X509_get_X509_PUBKEY(pointer) else {
            throw CryptoError(.invalidCertificate, "the certificate has no public key")
        }
        let length = Int(i2d_X509_PUBKEY(publicKey, nil))
        guard length > 0 else {
            throw CryptoError(.invalidCertificate,
                              "the certificate's public key cannot be encoded (\(OpenSSLErrorQueue.drain()))")
        }
        var written: Int32 = 0
        let der = [UInt8](unsafeUninitializedCapacity: length) { buffer, initialized in
            var cursor = buffer.baseAddress
            written = i2d_X509_PUBKEY(publicKey, &cursor)
            initialized = written == Int32(length) ? length : 0
        }
        guard written == Int32(length) else {
            throw CryptoError(.invalidCertificate,
                              "the certificate's public key cannot be encoded (\(OpenSSLErrorQueue.drain()))")
        }
        return der
    }
}
