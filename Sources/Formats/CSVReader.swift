import Foundation

/// One parsed CSV record: its fields and the 1-based line on which it starts.
public struct CSVRecord: Sendable, Equatable {
    public let line: Int
    public let fields: [String]
}

/// Why a CSV file was refused; the message names the line (and column where known).
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case empty
        case invalidUTF8 = "invalid_utf8"
        case unterminatedQuote = "unterminated_quote"
        case strayQuote = "stray_quote"
        case fieldTooLong = "field_too_long"
        case unreadable
    }

    public let code: Code
    public let line: Int
    public let column: Int?
    public let message: String

    public var description: String { message }
}

/// A streaming RFC 4180 reader with the tolerances city spreadsheets need (design §8): UTF-8
/// with or without BOM, LF or CRLF, `,` or `;` separators (detected from the header line),
/// quoted fields with embedded separators, quotes and newlines. Blank lines are skipped.
/// Reads in chunks, so memory stays flat for files of any length.
public final class CSVReader {
    /// Longest single field accepted, in bytes.
    public static let maxFieldBytes = 1 << 20
    /// Bytes read from the file per refill.
    public static let chunkSize = 1 << 16

    /// The separator in use: `,` or `;`.
    public private(set) var separator: UInt8
    private let source: FileHandle?
    private var buffer: [UInt8]
    private var pos = 0
    private var eof: Bool
    private var line = 1
    private var started = false

    /// Reads a file from disk.
    public convenience init(path: String, separator: UInt8? = nil) throws(CSVError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CSVError(code: .unreadable, line: 0, column: nil, message: "cannot read \(path)")
        }
        try self.init(handle: handle, separator: separator)
    }

    /// Reads from an open file handle (e.g. standard input).
    public init(handle: FileHandle, separator: UInt8? = nil) throws(CSVError) {
        self.source = handle
        self.buffer = []
        self.eof = false
        self.separator = separator ?? UInt8(ascii: ",")
        try prepare(explicitSeparator: separator)
    }

    /// Reads from bytes in memory.
    public init(bytes: [UInt8], separator: UInt8? = nil) throws(CSVError) {
        self.source = nil
        self.buffer = bytes
        self.eof = true
        self.separator = separator ?? UInt8(ascii: ",")
        try prepare(explicitSeparator: separator)
    }

    private func prepare(explicitSeparator: UInt8?) throws(CSVError) {
        refill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
        // Skip leading blank lines to find the header, without consuming it.
        var probe = pos
        while true {
            while probe >= buffer.count && !eof { refill() }
            guard probe < buffer.count else { break }
            if buffer[probe] == 10 || buffer[probe] == 13 { probe += 1 } else { break }
        }
        guard probe < buffer.count else {
            throw CSVError(code: .empty, line: 1, column: nil, message: "the file is empty (expected a header row)")
        }
        if explicitSeparator == nil { separator = detectSeparator(from: probe) }
    }

    /// Chooses `;` when the header line has more semicolons than commas outside quotes.
    private func detectSeparator(from start: Int) -> UInt8 {
        var commas = 0, semicolons = 0, quoted = false
        var i = start
        while true {
            while i >= buffer.count && !eof { refill() }
            guard i < buffer.count else { break }
            let b = buffer[i]
            if b == 34 { quoted.toggle() } else if !quoted {
                if b == 10 || b == 13 { break }
                if b == 44 { commas += 1 } else if b == 59 { semicolons += 1 }
            }
            i += 1
        }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    /// Appends the next chunk of the file, dropping what has been consumed.
    private func refill(compact: Bool = false) {
        guard let source, !eof else { return }
        if compact && pos > 0 && pos >= buffer.count / 2 {
            buffer.removeFirst(pos)
            pos = 0
        }
        let data = source.readData(ofLength: CSVReader.chunkSize)
        if data.isEmpty { eof = true } else { buffer.append(contentsOf: data) }
    }

    /// The byte `offset` places after the read position, refilling (and compacting, which
    /// moves `pos`) as needed; callers therefore always index relative to `pos`.
    @inline(__always) private func peek(_ offset: Int = 0) -> UInt8? {
        while pos + offset >= buffer.count && !eof { refill(compact: true) }
        return pos + offset < buffer.count ? buffer[pos + offset] : nil
    }

    /// The next record, or nil at the end of the input.
    public func next() throws(CSVError) -> CSVRecord? {
        // Skip blank lines.
        while let b = peek(), b == 10 || b == 13 {
            if b == 13, peek(1) == 10 { pos += 1 }
            pos += 1
            line += 1
        }
        guard peek() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        field.reserveCapacity(32)
        var column = 1
        func finishField() throws(CSVError) {
            guard let s = String(validating: field, as: UTF8.self) else {
                throw CSVError(code: .invalidUTF8, line: startLine, column: column,
                               message: "line \(startLine), column \(column): the text is not valid UTF-8 (save the file as UTF-8)")
            }
            fields.append(s)
            field.removeAll(keepingCapacity: true)
            column += 1
        }
        while true {
            guard let b = peek() else {
                try finishField()
                return CSVRecord(line: startLine, fields: fields)
            }
            if b == 34 && field.isEmpty {
                // Quoted field.
                let quoteLine = line
                pos += 1
                while true {
                    guard let q = peek() else {
                        throw CSVError(code: .unterminatedQuote, line: quoteLine, column: column,
                                       message: "line \(quoteLine), column \(column): a quoted field is never closed")
                    }
                    pos += 1
                    if q == 34 {
                        if peek() == 34 { field.append(34); pos += 1; continue }
                        break
                    }
                    if q == 10 { line += 1 }
                    field.append(q)
                    if field.count > CSVReader.maxFieldBytes {
                        throw CSVError(code: .fieldTooLong, line: quoteLine, column: column,
                                       message: "line \(quoteLine), column \(column): field longer than \(CSVReader.maxFieldBytes) bytes")
                    }
                }
                guard let after = peek() else { continue }
                if after != separator && after != 10 && after != 13 {
                    throw CSVError(code: .strayQuote, line: line, column: column,
                                   message: "line \(line), column \(column): unexpected text after a closing quote")
                }
                continue
            }
            if b == separator {
                pos += 1
                try finishField()
                continue
            }
            if b == 10 || b == 13 {
                pos += 1
                if b == 13, peek() == 10 { pos += 1 }
                line += 1
                try finishField()
                return CSVRecord(line: startLine, fields: fields)
            }
            if b == 34 {
                throw CSVError(code: .strayQuote, line: line, column: column,
                               message: "line \(line), column \(column): a quote inside an unquoted field (quote the whole field)")
            }
            field.append(b)
            pos += 1
            if field.count > CSVReader.maxFieldBytes {
                throw CSVError(code: .fieldTooLong, line: startLine, column: column,
                               message: "line \(startLine), column \(column): field longer than \(CSVReader.maxFieldBytes) bytes")
            }
        }
    }
}

/// A CSV header row resolved to column positions by case-insensitive names and aliases.
public struct CSVHeader: Sendable {
    public let names: [String]
    private let index: [String: Int]

    public init(_ record: CSVRecord) {
        names = record.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for (i, n) in names.enumerated() where index[n] == nil { index[n] = i }
        self.index = index
    }

    /// Position of the first column called any of `names` (lower case), if present.
    public func column(_ names: String...) -> Int? {
        for n in names { if let i = index[n] { return i } }
        return nil
    }

    /// Names that occur more than once.
    public var duplicates: [String] {
        var seen = Set<String>(), dup = Set<String>()
        for n in names where !seen.insert(n).inserted { dup.insert(n) }
        return dup.sorted()
    }
}
