import Foundation

/// Buffered writes to a file descriptor (standard output or error), so a million-line export
/// is not a million system calls. Flushed when full and by `flush()`.
final class OutputStream {
    /// Bytes collected before a write to the descriptor.
    static let bufferSize = 1 << 16

    private let handle: FileHandle
    private var buffer: [UInt8] = []

    init(_ handle: FileHandle) {
        self.handle = handle
        buffer.reserveCapacity(OutputStream.bufferSize)
    }

    deinit { flush() }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= OutputStream.bufferSize { flush() }
    }

    func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= OutputStream.bufferSize { flush() }
    }

    func line(_ text: String = "") { write(text + "\n") }

    func flush() {
        guard !buffer.isEmpty else { return }
        // A closed pipe (e.g. `| head`) must not crash the export; the bytes are simply dropped.
        try? handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}

/// What every command gets: where the home is and where to print.
final class CommandContext {
    /// `--home` if given.
    let explicitHome: String?
    let environment: [String: String]
    let out: OutputStream
    let err: OutputStream

    init(explicitHome: String?, environment: [String: String], out: OutputStream, err: OutputStream) {
        self.explicitHome = explicitHome
        self.environment = environment
        self.out = out
        self.err = err
    }
}
