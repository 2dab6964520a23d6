import COpenSSL

/// Moves PEM text in and out of OpenSSL through memory BIOs, so no key ever touches a
/// temporary file.
enum PEMBuffer {
    /// Runs `body` on a read-only memory BIO over the text's UTF-8 bytes (`BIO_new_mem_buf`);
    /// nil if the text is empty or `body` finds nothing.
    static func read<T>(_ pem: String, _ body: (OpaquePointer) -> T?) -> T? {
        let bytes = Array(pem.utf8)
        guard !bytes.isEmpty, bytes.count <= Int(Int32.max) else { return nil }
        return bytes.withUnsafeBytes { raw -> T? in
            guard let bio = BIO_new_mem_buf(raw.baseAddress, Int32(raw.count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// Collects what `body` writes into a memory BIO (`BIO_new(BIO_s_mem())`,
    /// `BIO_get_mem_data`); nil if `body` reports failure (a result other than 1).
    static func write(_ body: (OpaquePointer) -> Int32) -> String? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard body(bio) == 1 else { return nil }
        var data: UnsafeMutablePointer<CChar>?
        let length = cossl_bio_get_mem_data(bio, &data)
        guard length > 0, let data else { return nil }
        let bytes = UnsafeRawBufferPointer(start: data, count: Int(length))
        return String(decoding: bytes, as: UTF8.self)
    }
}
