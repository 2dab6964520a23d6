import Formats
import Foundation
import Model

/// A byte-level check of `kpi/<period>` payloads that accepts the common shape (the one
/// `JSONWriter` emits, any whitespace, members in any order) without building a JSON tree.
/// It answers only `valid` or `undecided`: anything it does not fully understand (escapes,
/// unknown members, numbers, a malformed value, …) is left to `JSONReader` and
/// `KPIPayload(json:)`, which then give the exact refusal. So it accepts only what the full
/// path accepts, and the full path stays the one definition of the schema.
struct KPIPayloadScanner {
    /// The scanner's answer for one payload.
    enum Outcome: Equatable {
        /// Every byte was checked and the payload is one `KPIPayload(json:)` accepts.
        case valid
        /// Not decided here; the caller must run the full parse.
        case undecided
    }

    /// Thrown internally to stop scanning as soon as something is outside the fast shape.
    private struct Undecided: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private let catalog: KPICatalog
    /// Whether value objects are first read in the layout `JSONWriter` writes (`canonicalValue`).
    private let canonicalFirst: Bool
    private var pos = 0
    /// The definition cache as it was at this payload's first `def`.
    private var definitions: DefinitionCache.Snapshot?

    private init(bytes: UnsafeBufferPointer<UInt8>, catalog: KPICatalog, canonicalFirst: Bool) {
        self.bytes = bytes
        self.catalog = catalog
        self.canonicalFirst = canonicalFirst
    }

    /// Checks `payload` against the schema of `kpi/<period>`, codes in `catalog` needing no `def`.
    /// `canonicalFirst: false` reads every value object member by member (tests compare both ways).
    static func check(_ payload: [UInt8], period: Period, catalog: KPICatalog = .builtIn, canonicalFirst: Bool = true) -> Outcome {
        payload.withUnsafeBufferPointer { buffer in
            var scanner = KPIPayloadScanner(bytes: buffer, catalog: catalog, canonicalFirst: canonicalFirst)
            do { try scanner.scanRoot(period: period) } catch { return .undecided }
            return .valid
        }
    }

    /// Whether `valueObject` (one element of `values`) is read by the canonical-layout shortcut
    /// and accepted there, for tests.
    static func readsCanonically(_ valueObject: [UInt8], catalog: KPICatalog = .builtIn) -> Bool {
        valueObject.withUnsafeBufferPointer { buffer in
            var scanner = KPIPayloadScanner(bytes: buffer, catalog: catalog, canonicalFirst: true)
            guard (try? scanner.canonicalValue()) ?? nil != nil else { return false }
            return scanner.pos == buffer.count
        }
    }

    // MARK: Payload shape

    private mutating func scanRoot(period: Period) throws(Undecided) {
        skipWhitespace()
        try expect(UInt8(ascii: "{"))
        var sawPeriod = false, sawValues = false
        while true {
            skipWhitespace()
            let key = try plainString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            if matches(key, "period") {
                guard !sawPeriod else { throw Undecided() }
                sawPeriod = true
                let text = try plainString()
                guard let p = Period(string(text.range)), p == period else { throw Undecided() }
            } else if matches(key, "values") {
                guard !sawValues else { throw Undecided() }
                sawValues = true
                try scanValues()
            } else {
                throw Undecided()
            }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "}")) { break }
        }
        guard sawPeriod, sawValues else { throw Undecided() }
        skipWhitespace()
        guard pos == bytes.count else { throw Undecided() }
    }

    private mutating func scanValues() throws(Undecided) {
        try expect(UInt8(ascii: "["))
        skipWhitespace()
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "]") { pos += 1; return }
        var previous: Range<Int>?
        var count = 0
        let maxCount = Verifier.payloadLimits.maxContainerCount
        while true {
            skipWhitespace()
            let code = try scanValue()
            // Publishers write values sorted by code (`KPIPayload.init`), so strictly increasing
            // codes prove there are no duplicates without hashing; any other order is undecided.
            if let previous, !precedes(previous, code) { throw Undecided() }
            previous = code
            count += 1
            guard count <= maxCount else { throw Undecided() }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "]")) { return }
        }
    }

    /// One `{kpi, value, flag, unit, scaled?, def?}` object, with the checks of `KPIPayload(json:)`;
    /// returns the byte range of its code.
    private mutating func scanValue() throws(Undecided) -> Range<Int> {
        let start = pos
        if canonicalFirst, let code = try canonicalValue() { return code }
        pos = start
        try expect(UInt8(ascii: "{"))
        var code: Range<Int>?
        var flag: ValueFlag?
        var value: Bool? // true: a decimal string, false: null
        var sawUnit = false, sawScaled = false
        var definitionCode: CarriedCode?
        while true {
            skipWhitespace()
            let key = try plainString()
            skipWhitespace()
            try expect(UInt8(ascii: ":"))
            skipWhitespace()
            let name = packed(key)
            if name == Self.kpiKey {
                guard code == nil else { throw Undecided() }
                let text = try plainString()
                guard isCode(text.range) else { throw Undecided() }
                code = text.range
            } else if name == Self.valueKey {
                guard value == nil else { throw Undecided() }
                if pos < bytes.count && bytes[pos] == UInt8(ascii: "n") {
                    try literal("null")
                    value = false
                } else {
                    guard isDecimal(try plainString()) else { throw Undecided() }
                    value = true
                }
            } else if name == Self.flagKey {
                guard flag == nil else { throw Undecided() }
                let text = try plainString()
                if matches(text, "ok") { flag = .ok } else if matches(text, "S") { flag = .suppressed }
                else if matches(text, "P") { flag = .provisional } else if matches(text, "R") { flag = .revised }
                else { throw Undecided() }
            } else if name == Self.unitKey {
                guard !sawUnit else { throw Undecided() }
                sawUnit = true
                let text = try plainString()
                // Without escapes or non-ASCII bytes, each byte is one character (raw CR LF cannot occur).
                let count = text.ascii ? text.range.count : string(text.range).count
                guard (1...40).contains(count) else { throw Undecided() }
            } else if name == Self.scaledKey {
                guard !sawScaled else { throw Undecided() }
                sawScaled = true
                if pos < bytes.count && bytes[pos] == UInt8(ascii: "t") { try literal("true") } else { try literal("false") }
            } else if name == Self.defKey {
                guard definitionCode == nil else { throw Undecided() }
                definitionCode = try definition()
            } else {
                throw Undecided()
            }
            skipWhitespace()
            if try separator(closing: UInt8(ascii: "}")) { break }
        }
        guard let code, let flag, let value, sawUnit else { throw Undecided() }
        try checkValue(code: code, flag: flag, hasValue: value, definitionCode: definitionCode)
        return code
    }

    /// A value object exactly as `KPIPayload.json` and `JSONWriter` write it, checked byte by
    /// byte against that layout: `{"kpi":"…","value":"…"|null,"flag":"…","unit":"…"`, then
    /// optionally `,"scaled":true` and `,"def":{…}`, then `}`. Nil (position undefined) at the
    /// first byte that differs, and the caller reads the object member by member instead; a
    /// layout that matches but breaks a rule is refused as the member-by-member reading would.
    private mutating func canonicalValue() throws(Undecided) -> Range<Int>? {
        guard consume(#"{"kpi":""#) else { return nil }
        guard let codeEnd = closingQuote(within: 64), isCode(pos..<codeEnd) else { return nil }
        let code = pos..<codeEnd
        pos = codeEnd + 1
        guard consume(#","value":"#) else { return nil }
        let hasValue: Bool
        if consume("null") {
            hasValue = false
        } else {
            guard consume(#"""#), let end = closingQuote(within: 200),
                  isDecimal(PlainString(range: pos..<end, ascii: true)) else { return nil }
            pos = end + 1
            hasValue = true
        }
        guard consume(#","flag":""#), pos + 3 <= bytes.count else { return nil }
        let flag: ValueFlag
        if bytes[pos] == UInt8(ascii: "o") && bytes[pos + 1] == UInt8(ascii: "k") && bytes[pos + 2] == UInt8(ascii: "\"") {
            flag = .ok
            pos += 3
        } else {
            guard bytes[pos + 1] == UInt8(ascii: "\"") else { return nil }
            switch bytes[pos] {
            case UInt8(ascii: "S"): flag = .suppressed
            case UInt8(ascii: "P"): flag = .provisional
            case UInt8(ascii: "R"): flag = .revised
            default: return nil
            }
            pos += 2
        }
        // A unit of 1 to 40 printable ASCII characters other than `\` (any other takes the long way).
        guard consume(#","unit":""#) else { return nil }
        let base = bytes.baseAddress!, unitStart = pos
        let unitEnd = min(bytes.count, unitStart + 41)
        var i = unitStart
        while i < unitEnd && base[i] != UInt8(ascii: "\"") {
            guard base[i] &- 0x20 < 0x5F && base[i] != 92 else { return nil }
            i += 1
        }
        guard i < unitEnd, i > unitStart else { return nil }
        pos = i + 1
        _ = consume(#","scaled":true"#)
        var definitionCode: CarriedCode?
        if consume(#","def":"#) { definitionCode = try definition() }
        guard consume("}") else { return nil }
        try checkValue(code: code, flag: flag, hasValue: hasValue, definitionCode: definitionCode)
        return code
    }

    /// The code of a carried definition: an entry of this payload's definition snapshot (no
    /// copy, no reference count touched) or the code of one parsed just now.
    private enum CarriedCode {
        case remembered(entry: Int)
        case parsed([UInt8])
    }

    /// A `def` value at `pos`: a definition met before is found in the definition cache's
    /// snapshot by its bytes; any other is parsed, checked and remembered. Returns its code.
    private mutating func definition() throws(Undecided) -> CarriedCode {
        let rest = UnsafeBufferPointer(rebasing: bytes[pos...])
        if definitions == nil { definitions = DefinitionCache.shared.snapshot() }
        if pos < bytes.count && bytes[pos] == UInt8(ascii: "{"), let known = definitions?.match(rest) {
            pos += known.length
            return .remembered(entry: known.entry)
        }
        let range = try skipObject()
        guard let code = DefinitionCache.shared.validate(UnsafeBufferPointer(rebasing: bytes[range])) else { throw Undecided() }
        return .parsed(code)
    }

    /// The rules of `KPIPayload(json:)` across a value's members: `null` exactly with flag `S`,
    /// and a code that is its carried definition's or, without one, in the catalog.
    private func checkValue(code: Range<Int>, flag: ValueFlag, hasValue: Bool, definitionCode: CarriedCode?) throws(Undecided) {
        if flag == .suppressed ? hasValue : !hasValue { throw Undecided() }
        let codeBytes = UnsafeBufferPointer(rebasing: bytes[code])
        switch definitionCode {
        case .remembered(let entry)?:
            guard definitions!.code(of: entry, equals: codeBytes) else { throw Undecided() }
        case .parsed(let carried)?:
            guard carried.count == code.count, memcmp(carried, codeBytes.baseAddress!, code.count) == 0 else { throw Undecided() }
        case nil:
            guard catalog.contains(string(code)) else { throw Undecided() }
        }
    }

    /// `KPIDefinition.validateCode` on bytes: 3 to 64 of `A-Z 0-9 _ .`, starting with a letter,
    /// at least one dot, no empty segment.
    private func isCode(_ range: Range<Int>) -> Bool {
        guard (3...64).contains(range.count) else { return false }
        var previous = UInt8(ascii: ".")
        var dots = 0
        for i in range {
            let c = bytes[i]
            let upper = c >= 65 && c <= 90
            let allowed = upper || (c >= 48 && c <= 57) || c == 95 || c == 46
            if !allowed || (i == range.lowerBound && !upper) || (c == 46 && previous == 46) { return false }
            if c == 46 { dots += 1 }
            previous = c
        }
        return previous != 46 && dots > 0
    }

    /// True if the bytes of `a` sort strictly before those of `b`.
    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let order = memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, min(a.count, b.count))
        return order < 0 || (order == 0 && a.count < b.count)
    }

    /// True if `text` is what `DecimalValue(_:)` accepts, checked by its grammar: an optional
    /// sign, digits with at most one `.`, at least one digit, no trailing `.`. Values of more
    /// than 19 digits (which `DecimalValue` builds another way) are built to be sure.
    private func isDecimal(_ text: PlainString) -> Bool {
        let range = text.range
        guard text.ascii, (1...200).contains(range.count) else { return false }
        var i = range.lowerBound
        if bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+") { i += 1 }
        var integerDigits = 0, fractionDigits = 0, sawMark = false
        while i < range.upperBound {
            let c = bytes[i]
            if c >= 48 && c <= 57 {
                if sawMark { fractionDigits += 1 } else { integerDigits += 1 }
            } else if c == UInt8(ascii: ".") && !sawMark {
                sawMark = true
            } else {
                return false
            }
            i += 1
        }
        guard integerDigits + fractionDigits > 0, !(sawMark && fractionDigits == 0) else { return false }
        if max(integerDigits, 1) + fractionDigits <= 19 { return true }
        return DecimalValue(string(text.range)) != nil
    }

    // MARK: Tokens

    /// A string without escapes: its content bytes, and whether they are all ASCII.
    private struct PlainString {
        let range: Range<Int>
        let ascii: Bool
    }

    /// Reads a string that has no escapes and no control characters; non-ASCII content must be
    /// valid UTF-8 (as `JSONReader` requires). Anything else is undecided.
    private mutating func plainString() throws(Undecided) -> PlainString {
        try expect(UInt8(ascii: "\""))
        let start = pos
        var ascii = true
        // Byte by byte: the strings here are short (names, codes, numbers, units).
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "\"") {
                let text = PlainString(range: start..<pos, ascii: ascii)
                pos += 1
                if !ascii && String(validating: UnsafeBufferPointer(rebasing: bytes[text.range]), as: UTF8.self) == nil {
                    throw Undecided()
                }
                return text
            }
            if b == 92 || b < 0x20 { throw Undecided() }
            if b >= 0x80 { ascii = false }
            pos += 1
        }
        throw Undecided()
    }

    /// Finds the extent of the object starting at `pos` by matching brackets outside strings.
    /// It checks nothing else: the caller validates the bytes (or finds them already validated).
    private mutating func skipObject() throws(Undecided) -> Range<Int> {
        guard pos < bytes.count, bytes[pos] == UInt8(ascii: "{") else { throw Undecided() }
        let start = pos
        var depth = 0
        while pos < bytes.count {
            let b = bytes[pos]
            pos += 1
            switch b {
            case UInt8(ascii: "\""):
                while pos < bytes.count && bytes[pos] != UInt8(ascii: "\"") {
                    pos += bytes[pos] == 92 ? 2 : 1
                }
                pos += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                if depth == 0 { return start..<pos }
            default:
                break
            }
        }
        throw Undecided()
    }

    /// Consumes `text` if the bytes at `pos` are exactly it.
    @inline(__always)
    private mutating func consume(_ text: StaticString) -> Bool {
        guard bytes.hasLiteral(text, at: pos) else { return false }
        pos += text.utf8CodeUnitCount
        return true
    }

    /// The index of the first `"` at or after `pos` if it lies within `limit` bytes; the bytes
    /// before it are not checked (the caller's grammar does, and refuses `\`).
    private func closingQuote(within limit: Int) -> Int? {
        var i = pos
        let end = min(bytes.count, pos + limit + 1)
        while i < end {
            if bytes[i] == UInt8(ascii: "\"") { return i }
            i += 1
        }
        return nil
    }

    private mutating func literal(_ text: StaticString) throws(Undecided) {
        guard consume(text) else { throw Undecided() }
    }

    /// Consumes `,` (false: another member follows) or `closing` (true: the container ends).
    private mutating func separator(closing: UInt8) throws(Undecided) -> Bool {
        guard pos < bytes.count else { throw Undecided() }
        if bytes[pos] == UInt8(ascii: ",") { pos += 1; return false }
        if bytes[pos] == closing { pos += 1; return true }
        throw Undecided()
    }

    private mutating func expect(_ byte: UInt8) throws(Undecided) {
        guard pos < bytes.count, bytes[pos] == byte else { throw Undecided() }
        pos += 1
    }

    private mutating func skipWhitespace() {
        while pos < bytes.count {
            switch bytes[pos] {
            case 0x20, 0x09, 0x0A, 0x0D: pos += 1
            default: return
            }
        }
    }

    /// Member names of a value object packed as `packed(_:)` packs them, so a name is found
    /// with one integer comparison.
    /// Literals rather than computed statics, so reading one costs no lazy-initialisation check
    /// (`memberNamesArePackedAsThePackingOfTheirBytes` checks them against `pack`).
    static let kpiKey: UInt64 = 0x69706b, valueKey: UInt64 = 0x65756c6176, flagKey: UInt64 = 0x67616c66
    static let unitKey: UInt64 = 0x74696e75, scaledKey: UInt64 = 0x64656c616373, defKey: UInt64 = 0x666564

    static func pack(_ name: StaticString) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<name.utf8CodeUnitCount { value |= UInt64(name.utf8Start[i]) << (8 * i) }
        return value
    }

    /// A string of up to seven bytes packed into an integer, first byte lowest; unambiguous since
    /// no byte of a plain string is zero. Longer strings give zero, which is no member name.
    private func packed(_ text: PlainString) -> UInt64 {
        let range = text.range
        guard range.count <= 7 else { return 0 }
        var value: UInt64 = 0
        var i = range.upperBound
        while i > range.lowerBound {
            i -= 1
            value = value << 8 | UInt64(bytes[i])
        }
        return value
    }

    private func matches(_ text: PlainString, _ name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        return text.range.count == n && memcmp(bytes.baseAddress! + text.range.lowerBound, name.utf8Start, n) == 0
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }
}

/// Codes of carried `def` objects already validated, with their exact bytes: a city sends the
/// same definitions with every period, so each is parsed and checked once per process. A lookup
/// hashes only the first bytes at a `def` and compares candidates with the payload in place,
/// so a known definition costs one short hash and one `memcmp`. Bounded; emptied when full.
final class DefinitionCache: @unchecked Sendable {
    static let shared = DefinitionCache()
    /// Most definitions remembered before the cache is emptied.
    static let capacity = 4096
    /// Most bytes of definitions remembered before the cache is emptied, so large crafted
    /// definitions cannot make it hold much memory.
    static let maxBytes = 4 << 20
    /// Largest definition remembered (honest ones are well under a kilobyte); larger ones are
    /// checked each time.
    static let maxEntryBytes = 64 << 10
    /// Bytes at the start of a definition that select its bucket (they include its code).
    static let prefixLength = 64
    /// Most definitions kept per bucket, so crafted look-alike prefixes cannot make lookups slow.
    static let bucketLimit = 8

    struct Entry {
        let bytes: [UInt8]
        /// The definition's code, as bytes to compare with the value's `kpi`.
        let code: [UInt8]
    }

    /// The cache's contents frozen for lock-free lookups: a payload takes one (one retain) and
    /// looks up all its definitions without locking. Every remembered definition's bytes sit in
    /// one buffer, found through an open-addressing table keyed by `bucket` (linear probing), so
    /// a lookup costs one short hash, a probe or two and one `memcmp`, without hashing a
    /// dictionary key or retaining the entries it passes. Immutable after init.
    // @unchecked Sendable: every stored property is a `let` written only in init.
    final class Snapshot: @unchecked Sendable {
        private let storage: [UInt8]
        private let entries: [(hash: UInt64, start: Int, length: Int)]
        /// Every entry's code, one after another, and where each one lies in it.
        private let codeStorage: [UInt8]
        private let codes: [Range<Int>]
        /// Indexes into `entries`, -1 for an empty slot; at least twice as many slots as entries.
        private let slots: [Int32]
        private let mask: Int

        fileprivate init(_ buckets: [UInt64: [Entry]]) {
            var storage: [UInt8] = []
            var entries: [(hash: UInt64, start: Int, length: Int)] = []
            var codeStorage: [UInt8] = []
            var codes: [Range<Int>] = []
            for (hash, bucket) in buckets {
                for entry in bucket {
                    entries.append((hash, storage.count, entry.bytes.count))
                    storage += entry.bytes
                    codes.append(codeStorage.count..<(codeStorage.count + entry.code.count))
                    codeStorage += entry.code
                }
            }
            var size = 8
            while size < 2 * entries.count { size *= 2 }
            var slots = [Int32](repeating: -1, count: size)
            for (index, entry) in entries.enumerated() {
                var i = Int(truncatingIfNeeded: entry.hash) & (size - 1)
                while slots[i] >= 0 { i = (i + 1) & (size - 1) }
                slots[i] = Int32(index)
            }
            self.storage = storage
            self.entries = entries
            self.codeStorage = codeStorage
            self.codes = codes
            self.slots = slots
            mask = size - 1
        }

        /// A remembered definition that `rest` (the payload from a `def` value on) starts with:
        /// its length in bytes and its entry (for `code(of:equals:)`). Those bytes are then
        /// exactly the `def` value, since a valid JSON object ends where it closes.
        func match(_ rest: UnsafeBufferPointer<UInt8>) -> (length: Int, entry: Int)? {
            guard !entries.isEmpty, let restStart = rest.baseAddress else { return nil }
            let hash = DefinitionCache.bucket(rest)
            let found: Int? = storage.withUnsafeBufferPointer { stored in
                entries.withUnsafeBufferPointer { entries in
                    slots.withUnsafeBufferPointer { slots in
                        var i = Int(truncatingIfNeeded: hash) & mask
                        while slots[i] >= 0 {
                            let index = Int(slots[i])
                            let entry = entries[index]
                            if entry.hash == hash, entry.length <= rest.count,
                               memcmp(stored.baseAddress! + entry.start, restStart, entry.length) == 0 {
                                return index
                            }
                            i = (i + 1) & mask
                        }
                        return nil
                    }
                }
            }
            guard let found else { return nil }
            return (entries[found].length, found)
        }

        /// Whether the code of the definition at `entry` is exactly `bytes`.
        func code(of entry: Int, equals bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            let range = codes[entry]
            return range.count == bytes.count
                && codeStorage.withUnsafeBufferPointer { memcmp($0.baseAddress! + range.lowerBound, bytes.baseAddress!, range.count) == 0 }
        }
    }

    // `lock` guards `buckets`, `count`, `byteCount` and `frozen`.
    private let lock = NSLockLike()
    private var buckets: [UInt64: [Entry]] = [:]
    private var count = 0
    private var byteCount = 0
    /// The snapshot of the current contents, built on first use after a change.
    private var frozen: Snapshot?

    /// Bytes of definitions currently remembered.
    var storedBytes: Int { lock.withLock { byteCount } }

    /// The current contents, for lock-free lookups during one payload.
    func snapshot() -> Snapshot {
        lock.withLock {
            if let frozen { return frozen }
            let snapshot = Snapshot(buckets)
            frozen = snapshot
            return snapshot
        }
    }

    /// A multiply-xor hash of the first `prefixLength` bytes, read eight at a time. Not keyed:
    /// colliding prefixes only share a bucket, which `bucketLimit` keeps short.
    fileprivate static func bucket(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let n = min(bytes.count, prefixLength)
        let raw = UnsafeRawBufferPointer(bytes)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        while i < n {
            h = (h ^ UInt64(raw[i])) &* 0xC4CE_B9FE_1A85_EC53
            i += 1
        }
        return h ^ (h >> 29)
    }

    /// The code of the definition in `bytes` if they are a valid `def` object as
    /// `KPIPayload(json:)` reads it (parsed with the nesting left below a payload's `def`),
    /// remembering it; nil otherwise.
    func validate(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let copy = Array(bytes)
        var limits = Verifier.payloadLimits
        limits.maxDepth -= Verifier.definitionDepth
        guard let json = try? JSONReader.parse(copy, limits: limits),
              let definition = try? KPIDefinition(json: json, context: "KPI definition") else { return nil }
        let code = Array(definition.code.utf8)
        guard copy.count <= DefinitionCache.maxEntryBytes else { return code }
        let key = DefinitionCache.bucket(bytes)
        lock.withLock {
            if count >= DefinitionCache.capacity || byteCount + copy.count > DefinitionCache.maxBytes {
                buckets.removeAll()
                count = 0
                byteCount = 0
            }
            var entries = buckets[key] ?? []
            if entries.count >= DefinitionCache.bucketLimit {
                byteCount -= entries.removeFirst().bytes.count
                count -= 1
            }
            entries.append(Entry(bytes: copy, code: code))
            buckets[key] = entries
            count += 1
            byteCount += copy.count
            frozen = nil
        }
        return code
    }
}
