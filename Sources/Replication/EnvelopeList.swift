import Crypto
import Formats
import Foundation

/// Envelope arrays as the peer protocol carries them (push bodies, changes pages), read straight
/// from the body's bytes when they are laid out exactly as this program writes them: no
/// whitespace, members in the written order, `[{"h":"…","s":"…"[,"p":"…"]},…]`. The base64url
/// text is decoded where it lies, without a JSON tree or a `String` per member (a 300-KPI
/// record's payload is about 75 KB of text). Anything else, including an item that would be
/// refused, gives nil, and the caller reads the body with `JSONReader` and `Envelope(json:)`,
/// which give the exact refusal; so this path accepts only what that one accepts, with the
/// same envelopes.
public enum EnvelopeList {
    /// How deep an envelope's members sit in a push body or a changes page (body object, items
    /// array, envelope object): a JSON depth limit below this refuses every such body.
    public static let depth = 3

    /// The envelopes of a push body `{"items":[…]}`, if it is laid out as `JSONWriter` writes it
    /// and holds at most `maxItems` envelopes that all read.
    public static func pushItems(_ body: [UInt8], maxItems: Int) -> [Envelope]? {
        body.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer)
            guard reader.consume(#"{"items":"#), let items = reader.envelopes(maxItems: maxItems),
                  reader.consume("}"), reader.atEnd else { return nil }
            return items
        }
    }

    /// The members of a changes page `{"epoch":"…","next":"…","more":true|false,"items":[…]}`,
    /// if it is laid out as `ChangesPage.json` writes it and its envelopes all read.
    public static func changesPage(_ body: [UInt8], maxItems: Int) -> (epoch: String, next: String, more: Bool, items: [Envelope])? {
        body.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer)
            guard reader.consume(#"{"epoch":""#), let epoch = reader.plainText(),
                  reader.consume(#","next":""#), let next = reader.plainText(),
                  reader.consume(#","more":"#) else { return nil }
            let more: Bool
            if reader.consume("true") { more = true } else if reader.consume("false") { more = false } else { return nil }
            guard reader.consume(#","items":"#), let items = reader.envelopes(maxItems: maxItems),
                  reader.consume("}"), reader.atEnd else { return nil }
            return (epoch, next, more, items)
        }
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var pos = 0

        var atEnd: Bool { pos == bytes.count }

        /// Consumes `text` if the bytes at `pos` are exactly it.
        @inline(__always)
        mutating func consume(_ text: StaticString) -> Bool {
            guard bytes.hasLiteral(text, at: pos) else { return false }
            pos += text.utf8CodeUnitCount
            return true
        }

        /// The bytes up to the next `"` (consumed), if they are printable ASCII without `\`.
        mutating func plainRange() -> Range<Int>? {
            let base = bytes.baseAddress!, start = pos
            var i = start
            while i < bytes.count {
                let c = base[i]
                if c == UInt8(ascii: "\"") {
                    pos = i + 1
                    return start..<i
                }
                guard c &- 0x20 < 0x5F, c != 92 else { return nil }
                i += 1
            }
            return nil
        }

        /// A short string member's text (an epoch, a cursor), as `plainRange` reads it.
        mutating func plainText() -> String? {
            plainRange().map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) }
        }

        /// `"…"` of base64url decoded, with `pos` after the closing quote. The closing quote is
        /// found with `memchr`; the decoder then refuses every byte outside the alphabet (which
        /// has no `\`, so the quote found is the string's end whenever the text decodes).
        mutating func base64(maxBytes: Int) -> [UInt8]? {
            guard consume(#"""#) else { return nil }
            let start = pos, limit = min(bytes.count - start, (maxBytes + 2) / 3 * 4 + 1)
            guard let quote = memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\"")), limit) else { return nil }
            let end = start + (UnsafeRawPointer(quote) - UnsafeRawPointer(bytes.baseAddress! + start))
            pos = end + 1
            return Base64URL.decode(bytes: UnsafeBufferPointer(rebasing: bytes[start..<end]))
        }

        /// `[` envelope objects `]`, each read with the checks of `Envelope(json:)`.
        mutating func envelopes(maxItems: Int) -> [Envelope]? {
            guard consume("[") else { return nil }
            var items: [Envelope] = []
            if consume("]") { return items }
            repeat {
                guard items.count < maxItems, consume(#"{"h":"#), let header = base64(maxBytes: Header.maxBytes),
                      header.count <= Header.maxBytes, consume(#","s":"#),
                      let signature = base64(maxBytes: Ed25519SigningKey.signatureCount),
                      signature.count == Ed25519SigningKey.signatureCount else { return nil }
                var payload: [UInt8]?
                if consume(#","p":"#) {
                    guard let p = base64(maxBytes: Envelope.maxPayloadBytes), p.count <= Envelope.maxPayloadBytes else { return nil }
                    payload = p
                }
                guard consume("}") else { return nil }
                items.append(Envelope(headerBytes: header, signature: signature, payload: payload))
            } while consume(",")
            return consume("]") ? items : nil
        }
    }
}
