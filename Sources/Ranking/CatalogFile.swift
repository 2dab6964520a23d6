import Foundation
import Model

/// Reads `--catalog FILE.json`: a JSON array of KPI definitions (design §3 format) that
/// override built-in definitions of the same code.
public enum CatalogFile {
    /// `base` with the file's definitions added or replacing, and one note per override for
    /// the caller to print on stderr.
    public static func load(path: String, base: KPICatalog = .builtIn) throws(RankingError) -> (catalog: KPICatalog, notes: [String]) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RankingError(.unreadableFile, "cannot read the KPI catalog \(path)")
        }
        return try load(bytes: Array(data), base: base, source: path)
    }

    /// The same from bytes in memory (`source` names them in messages).
    public static func load(bytes: [UInt8], base: KPICatalog = .builtIn, source: String = "catalog") throws(RankingError) -> (catalog: KPICatalog, notes: [String]) {
        let file: KPICatalog
        do { file = try KPICatalog(json: bytes) } catch {
            throw RankingError(.malformedInput, "\(source): \(error.message)")
        }
        let notes = file.sorted.filter { base.contains($0.code) }.map {
            "note: the catalog file's definition of \($0.code) replaces the built-in one"
        }
        return (base.merging(file), notes)
    }
}
