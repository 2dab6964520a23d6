import Foundation

/// Turns repeated byte strings of one buffer (city names, KPI codes, units) into one index
/// each, in order of first appearance. Texts are found by hashing their raw bytes in place, so
/// a `String` is made (and its UTF-8 validated) once per distinct text, and a repeat of the
/// previous text (inputs are grouped by city and KPI) costs one comparison.
struct ByteInterner {
    /// One occupied slot of the open-addressing table: where the text's first occurrence lies
    /// in the buffer, and its index.
    private struct Slot {
        var hash: UInt64
        var offset: Int
        var length: Int
        /// The index plus one; 0 marks an empty slot.
        var indexPlusOne: Int32
    }

    /// Slots in a fresh table; it doubles whenever it is half full.
    static let initialSlots = 64

    private let base: UnsafePointer<UInt8>
    private var slots: [Slot]
    /// The distinct texts, by index.
    private(set) var texts: [String] = []
    private var lastOffset = 0
    private var lastLength = -1
    private var lastIndex: Int32 = -1

    /// An interner over the bytes at `base`, which must outlive it.
    init(base: UnsafePointer<UInt8>) {
        self.base = base
        slots = Array(repeating: Slot(hash: 0, offset: 0, length: 0, indexPlusOne: 0), count: ByteInterner.initialSlots)
    }

    /// Whether the `length` bytes at offsets `a` and `b` are equal (`memcmp`).
    @inline(__always) private func same(_ a: Int, _ b: Int, _ length: Int) -> Bool {
        a == b || memcmp(base + a, base + b, length) == 0
    }

    /// FNV-1a over the bytes.
    @inline(__always) private func hash(_ offset: Int, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for i in offset..<(offset + length) { h = (h ^ UInt64(base[i])) &* 0x100_0000_01b3 }
        return h
    }

    /// The index of the text spelled by `length` bytes at `offset`, registering it on first
    /// sight (then `index == texts.count - 1`). Nil when the bytes are not UTF-8.
    mutating func intern(_ offset: Int, _ length: Int) -> Int32? {
        if length == lastLength, same(lastOffset, offset, length) { return lastIndex }
        let h = hash(offset, length)
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: h) & mask
        while slots[s].indexPlusOne != 0 {
            let slot = slots[s]
            if slot.hash == h, slot.length == length, same(slot.offset, offset, length) {
                lastOffset = offset
                lastLength = length
                lastIndex = slot.indexPlusOne - 1
                return lastIndex
            }
            s = (s + 1) & mask
        }
        guard let text = String(validating: UnsafeBufferPointer(start: base + offset, count: length), as: UTF8.self) else {
            return nil
        }
        let index = Int32(texts.count)
        texts.append(text)
        slots[s] = Slot(hash: h, offset: offset, length: length, indexPlusOne: index + 1)
        if texts.count * 2 > slots.count { grow() }
        lastOffset = offset
        lastLength = length
        lastIndex = index
        return index
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: Slot(hash: 0, offset: 0, length: 0, indexPlusOne: 0), count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot.indexPlusOne != 0 {
            var s = Int(truncatingIfNeeded: slot.hash) & mask
            while slots[s].indexPlusOne != 0 { s = (s + 1) & mask }
            slots[s] = slot
        }
    }
}
