import Foundation

extension UnsafeBufferPointer<UInt8> {
    /// Whether the bytes at `offset` are exactly `text` (the byte readers' literal check).
    /// Inlined, so the compiler sees the literal's length and compares a few words instead of
    /// calling `memcmp`.
    @inline(__always)
    func hasLiteral(_ text: StaticString, at offset: Int) -> Bool {
        let n = text.utf8CodeUnitCount
        return n == 0 || (offset >= 0 && offset + n <= count && memcmp(baseAddress! + offset, text.utf8Start, n) == 0)
    }
}
