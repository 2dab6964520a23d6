import Foundation

/// File writes for a node's home: secrets created exclusively with mode 0600, configuration
/// replaced atomically, both fsynced so a crash never leaves half a file.
enum SecureFile {
    /// Creates `path` with `mode`, refusing to overwrite (open with O_CREAT|O_EXCL), writes and fsyncs.
    static func createExclusive(_ path: String, contents: [UInt8], mode: mode_t = 0o600) throws(NodeError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else {
            throw NodeError(.homeUnwritable, "cannot create \(path) (\(String(cString: strerror(errno)))); check the home's permissions")
        }
        defer { close(fd) }
        // open() applies the umask; set the mode explicitly so secrets are exactly 0600.
        fchmod(fd, mode)
        guard contents.withUnsafeBytes({ writeAll(fd, $0) }) else {
            throw NodeError(.homeUnwritable, "cannot write \(path) (\(String(cString: strerror(errno)))); check free disk space")
        }
        guard fsync(fd) == 0 else {
            throw NodeError(.homeUnwritable, "cannot write \(path) to disk (\(String(cString: strerror(errno))))")
        }
    }

    /// Writes all of `bytes` to `fd`, continuing after short writes and interruptions; false on
    /// a failure (`errno` says why).
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return false }
            written += n
        }
        return true
    }

    /// Replaces `path` atomically: writes a temporary file beside it, fsyncs, renames over it and
    /// fsyncs the directory.
    static func replaceAtomically(_ path: String, contents: [UInt8], mode: mode_t = 0o644) throws(NodeError) {
        let temporary = path + ".tmp-\(getpid())"
        unlink(temporary)
        try createExclusive(temporary, contents: contents, mode: mode)
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw NodeError(.homeUnwritable, "cannot replace \(path) (\(String(cString: strerror(errno))))")
        }
        syncDirectory((path as NSString).deletingLastPathComponent)
    }

    /// Makes a directory with `mode` (mkdir), exactly that mode regardless of the umask.
    static func makeDirectory(_ path: String, mode: mode_t) throws(NodeError) {
        guard mkdir(path, mode) == 0 else {
            throw NodeError(.homeUnwritable, "cannot create the directory \(path) (\(String(cString: strerror(errno)))); check that its parent exists and is writable")
        }
        chmod(path, mode)
    }

    /// fsyncs a directory so a rename or a new file in it survives a crash.
    static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

/// Files a command writes for people (rankings, reports, exports), not part of a node's home.
public enum OutputFile {
    /// Replaces `path` with the UTF-8 bytes of `text` through `path.tmp` and a rename, so no
    /// reader sees half a file. Written from the string's own storage: a federation's ranking
    /// JSON runs to tens of megabytes.
    public static func replace(_ path: String, with text: String) throws(NodeError) {
        let staged = path + ".tmp"
        var text = text
        let written = text.withUTF8 { bytes -> Bool in
            let fd = open(staged, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { return false }
            let complete = SecureFile.writeAll(fd, UnsafeRawBufferPointer(bytes))
            return close(fd) == 0 && complete
        }
        guard written, rename(staged, path) == 0 else {
            unlink(staged)
            throw NodeError(.invalidInput, "cannot write \(path); check that its directory exists and is writable")
        }
    }
}
