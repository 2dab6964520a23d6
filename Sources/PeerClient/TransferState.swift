import CCurl
import Foundation

/// What libcurl's callbacks record during one transfer: body, header fields, bytes sent, cap breaches.
///
/// The owning `PeerConnection` passes it to libcurl as an unretained pointer (`WRITEDATA`, `HEADERDATA`,
/// `DEBUGDATA`) once and keeps it alive until after `curl_easy_cleanup`; it is only touched while the
/// connection's lock is held, inside `curl_easy_perform` or between transfers.
final class TransferState {
    /// Body bytes received so far.
    var body: [UInt8] = []
    /// Header fields of the latest response (reset at each status line, so interim and redirect responses drop out).
    var headerFields: [(name: String, value: String)] = []
    /// Header bytes received in this transfer, all responses included.
    var headerBytes = 0
    /// Request line, header and body bytes libcurl handed to the connection (`CURLINFO_HEADER_OUT` + `CURLINFO_DATA_OUT`).
    var sentBytes = 0
    /// Set when the body or headers would pass their cap and the transfer was stopped.
    var capExceeded = false
    /// The body cap in bytes.
    let maxBodyBytes: Int
    /// The header cap in bytes.
    let maxHeaderBytes: Int
    /// libcurl's error message buffer (`CURLOPT_ERRORBUFFER`), `CURL_ERROR_SIZE` bytes.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(limits: ClientLimits) {
        maxBodyBytes = limits.maxResponseBodyBytes
        maxHeaderBytes = limits.maxResponseHeaderBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit { errorBuffer.deallocate() }

    /// Clears everything recorded by the previous transfer.
    func reset() {
        body = []
        headerFields = []
        headerBytes = 0
        sentBytes = 0
        capExceeded = false
        errorBuffer[0] = 0
    }

    /// libcurl's message for the last failure, or "" if it wrote none.
    var libcurlMessage: String {
        String(cString: errorBuffer).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// This object as libcurl's `void *userdata`.
    var opaque: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// The object behind a `userdata` pointer set from `opaque`.
    static func from(_ pointer: UnsafeMutableRawPointer?) -> TransferState {
        Unmanaged<TransferState>.fromOpaque(pointer!).takeUnretainedValue()
    }

    /// `CURLOPT_WRITEFUNCTION`: appends body bytes, or returns 0 (abort) once the cap would be passed.
    static let writeBody: ccurl_data_callback = { data, size, count, userdata in
        let state = TransferState.from(userdata)
        let length = size * count
        guard state.body.count + length <= state.maxBodyBytes else {
            state.capExceeded = true
            return 0
        }
        if let data, length > 0 {
            state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
        }
        return length
    }

    /// `CURLOPT_HEADERFUNCTION`: called once per header line (status line and blank line included).
    static let receiveHeader: ccurl_data_callback = { data, size, count, userdata in
        let state = TransferState.from(userdata)
        let length = size * count
        state.headerBytes += length
        guard state.headerBytes <= state.maxHeaderBytes else {
            state.capExceeded = true
            return 0
        }
        guard let data, length > 0 else { return length }
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
        if line.hasPrefix("HTTP/") {
            state.headerFields = []
        } else if let colon = line.firstIndex(of: ":") {
            let name = line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if !name.isEmpty { state.headerFields.append((name, value)) }
        }
        return length
    }

    /// `CURLOPT_DEBUGFUNCTION`: counts request bytes exactly as libcurl sends them, before TLS.
    static let observe: ccurl_debug_callback = { _, type, _, size, userdata in
        if type == CURLINFO_HEADER_OUT || type == CURLINFO_DATA_OUT {
            TransferState.from(userdata).sentBytes += size
        }
        return 0
    }
}
