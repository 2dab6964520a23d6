import Foundation
import Glibc

/// Where access-log bytes go; the default is standard error (journald picks it up under systemd).
public struct LogSink: Sendable {
    /// Receives complete lines, each ending in a newline.
    public let write: @Sendable ([UInt8]) -> Void

    /// A sink calling `write` with batches of complete lines.
    public init(write: @escaping @Sendable ([UInt8]) -> Void) {
        self.write = write
    }

    /// Writes to file descriptor 2 with `write(2)`, retrying short writes.
    public static let standardError = LogSink { bytes in
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = Glibc.write(2, raw.baseAddress! + offset, raw.count - offset)
                if count > 0 {
                    offset += count
                } else if count < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// One structured line per request (`level=info event=request method=GET path=/v1/health
/// status=200 bytes=15 ms=0.4 peer=127.0.0.1`), buffered and flushed at least once a second and
/// at shutdown, so logging costs an append, not a syscall, per request (event loops hand over
/// their lines in one batch per pass).
/// Only the path is logged: never the query (cursors or tokens could ride there), headers or bodies.
/// A client cannot forge lines: the method is a token and the path a validated target, so neither
/// can hold a space or a line break.
///
/// `@unchecked Sendable`: `buffer`, `flusher` and `stopping` are only touched under `condition`.
public final class AccessLog: @unchecked Sendable {
    /// Longest time a line waits in the buffer before it is written.
    public let flushInterval: Double
    /// Buffered bytes that trigger an immediate flush, bounding memory under load.
    public let maxBufferedBytes: Int
    private let sink: LogSink
    private let condition = NSCondition()
    private var buffer: [UInt8] = []
    private var flusher: Thread?
    private var stopping = false

    // The constant parts of a line, as bytes once.
    private static let linePrefix = Array("level=info event=request method=".utf8)
    private static let pathKey = Array(" path=".utf8)
    private static let statusKey = Array(" status=".utf8)
    private static let bytesKey = Array(" bytes=".utf8)
    private static let millisecondsKey = Array(" ms=".utf8)
    private static let peerKey = Array(" peer=".utf8)

    /// A log writing to `sink`, flushed every `flushInterval` seconds or at `maxBufferedBytes`.
    public init(sink: LogSink = .standardError, flushInterval: Double = 1, maxBufferedBytes: Int = 64 * 1024) {
        self.sink = sink
        self.flushInterval = flushInterval
        self.maxBufferedBytes = maxBufferedBytes
    }

    /// Appends one request line; `method` and `path` are nil when the request could not be framed.
    public func record(method: String?, path: String?, status: Int, bytes: Int, milliseconds: Double, peer: String) {
        var flushNow: [UInt8]?
        condition.lock()
        AccessLog.format(method: method, path: path, status: status, bytes: bytes, milliseconds: milliseconds, peer: peer, into: &buffer)
        if buffer.count >= maxBufferedBytes {
            flushNow = buffer
            buffer.removeAll(keepingCapacity: true)
        }
        condition.unlock()
        if let flushNow { sink.write(flushNow) }
    }

    /// Appends complete lines formatted with `format`; an event loop hands over its lines once per
    /// pass this way, so logging costs one lock per batch instead of one per request.
    func append(lines: [UInt8]) {
        var flushNow: [UInt8]?
        condition.lock()
        buffer.append(contentsOf: lines)
        if buffer.count >= maxBufferedBytes {
            flushNow = buffer
            buffer.removeAll(keepingCapacity: true)
        }
        condition.unlock()
        if let flushNow { sink.write(flushNow) }
    }

    /// Formats one request line onto `line`, appended piece by piece: no per-request String is built.
    static func format(
        method: String?, path: String?, status: Int, bytes: Int, milliseconds: Double, peer: String, into line: inout [UInt8]
    ) {
        let tenths = Int((max(0, milliseconds) * 10).rounded())
        line.append(contentsOf: AccessLog.linePrefix)
        HTTPResponse.appendUTF8(method ?? "-", to: &line)
        line.append(contentsOf: AccessLog.pathKey)
        HTTPResponse.appendUTF8(path ?? "-", to: &line)
        line.append(contentsOf: AccessLog.statusKey)
        HTTPResponse.appendDecimal(status, to: &line)
        line.append(contentsOf: AccessLog.bytesKey)
        HTTPResponse.appendDecimal(bytes, to: &line)
        line.append(contentsOf: AccessLog.millisecondsKey)
        HTTPResponse.appendDecimal(tenths / 10, to: &line)
        line.append(0x2E)
        HTTPResponse.appendDecimal(tenths % 10, to: &line)
        line.append(contentsOf: AccessLog.peerKey)
        HTTPResponse.appendUTF8(peer.isEmpty ? "-" : peer, to: &line)
        line.append(0x0A)
    }

    /// Starts the background flusher thread (idempotent).
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard flusher == nil else { return }
        stopping = false
        let thread = Thread { [self] in runFlusher() }
        thread.name = "access-log"
        thread.stackSize = 128 * 1024
        flusher = thread
        thread.start()
    }

    /// Writes everything buffered so far.
    public func flush() {
        condition.lock()
        let pending = buffer
        buffer.removeAll(keepingCapacity: true)
        condition.unlock()
        if !pending.isEmpty { sink.write(pending) }
    }

    /// Stops the flusher thread and writes what is left.
    public func stop() {
        condition.lock()
        stopping = true
        flusher = nil
        condition.broadcast()
        condition.unlock()
        flush()
    }

    private func runFlusher() {
        while true {
            condition.lock()
            if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: flushInterval)) }
            let done = stopping
            condition.unlock()
            if done { return }
            flush()
        }
    }
}
