import Foundation

/// A cheap digest of a file's bytes, to prove a command changed nothing on disk.
public enum FileFingerprint {
    /// FNV-1a 64 over the file's bytes, or nil if it cannot be read.
    public static func of(_ path: String) -> UInt64? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
