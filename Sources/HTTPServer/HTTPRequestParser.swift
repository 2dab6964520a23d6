/// The limits the request parser enforces, in bytes and field counts (see `ServerConfiguration`).
public struct ParserLimits: Sendable, Hashable {
    /// Longest request line without its CRLF; longer gets 414.
    public var maxRequestLineBytes: Int
    /// Largest header block (or chunked trailer) including line ends; larger gets 431.
    public var maxHeaderBytes: Int
    /// Most header fields (or trailer fields); more gets 431.
    public var maxHeaderCount: Int
    /// Largest body after chunked decoding; larger gets 413.
    public var maxBodyBytes: Int
    /// Longest chunk-size line without its CRLF; longer gets 400.
    public var maxChunkLineBytes: Int

    /// Limits with the given values; the defaults are the design's.
    public init(
        maxRequestLineBytes: Int = 8 * 1024, maxHeaderBytes: Int = 16 * 1024, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 8 * 1024 * 1024, maxChunkLineBytes: Int = 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }
}

/// A strict HTTP/1.1 request parser (RFC 9110/9112) as a pure state machine: feed it bytes with
/// `append`, then call `next()` until it asks for more. It does no I/O and reads no clock, so every
/// framing rule is testable without sockets; pipelined requests come out one per `next()` in order.
///
/// Decisions: a request line must end in CRLF (a bare LF is 400); one empty line before a request
/// is ignored (RFC 9112 §2.2); obs-fold is 400; two `Content-Length` fields are 400 even when equal,
/// because equal duplicates are exactly what a smuggling front end would add; `Content-Length` with
/// `Transfer-Encoding` is 400; only `chunked` alone is accepted as a transfer coding (other codings
/// before it are 501, `chunked` not last or repeated is 400); only origin-form targets (and `*` for
/// OPTIONS) are accepted; after any error the parser stays failed.
public struct HTTPRequestParser: Sendable {
    /// What the parser is waiting for, which decides the applicable deadline.
    public enum Phase: Sendable, Hashable {
        /// No byte of the next request has arrived (keep-alive idle).
        case idle
        /// Part of a request line or header block has arrived.
        case head
        /// The head is complete and body bytes are awaited.
        case body
    }

    /// The result of one `next()` call.
    public enum Event: Sendable, Hashable {
        /// More bytes are needed; the phase tells which deadline applies.
        case needMoreData(Phase)
        /// A complete request (peer address not yet set).
        case request(HTTPRequest)
        /// The bytes cannot be framed; answer with the error's status and close.
        case failure(HTTPParseError)
    }

    private enum State: Sendable, Hashable {
        case requestLine
        case headerLines
        case fixedBody(remaining: Int)
        case chunkSizeLine
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailerLines
        case failed(HTTPParseError)
    }

    /// The limits this parser enforces.
    public let limits: ParserLimits

    private var buffer: [UInt8] = []
    /// Index of the first byte not yet consumed.
    private var consumed = 0
    /// Index from which to continue searching for a line feed.
    private var scanFrom = 0
    private var state: State = .requestLine
    private var skippedLeadingEmptyLine = false
    private var headerBytes = 0
    private var headerCount = 0
    private var method = ""
    private var path = ""
    private var query: String?
    private var queryItems: [QueryItem] = []
    private var version: HTTPVersion = .http11
    private var headers = HTTPHeaders()
    private var body: [UInt8] = []
    private var continueRequested = false

    /// A parser enforcing `limits`.
    public init(limits: ParserLimits = ParserLimits()) {
        self.limits = limits
    }

    /// Adds received bytes; call `next()` afterwards.
    public mutating func append<Bytes: Collection>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Adds received bytes from a raw buffer; call `next()` afterwards.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Whether the current request asked for `100 Continue` and has not been told yet; reading
    /// it clears the request so the interim response is sent at most once.
    public mutating func takeContinueRequest() -> Bool {
        defer { continueRequested = false }
        return continueRequested
    }

    /// Body bytes of the current request received so far (after chunked decoding).
    public var bodyBytesReceived: Int { body.count }

    /// Whether bytes of a further request are already buffered (pipelining).
    public var hasBufferedBytes: Bool { consumed < buffer.count }

    /// Advances the state machine as far as the buffered bytes allow.
    public mutating func next() -> Event {
        while true {
            switch state {
            case .failed(let error):
                return .failure(error)
            case .requestLine:
                guard let step = parseRequestLine() else {
                    return .needMoreData(consumed == buffer.count && !skippedLeadingEmptyLine ? .idle : .head)
                }
                if case .failure(let error) = step { return fail(error) }
            case .headerLines:
                guard let step = parseHeaderLine(trailer: false) else { return .needMoreData(.head) }
                switch step {
                case .failure(let error): return fail(error)
                case .request(let request): return .request(request)
                case .needMoreData: continue
                }
            case .fixedBody(let remaining):
                let available = min(remaining, buffer.count - consumed)
                if available > 0 {
                    body.append(contentsOf: buffer[consumed..<(consumed + available)])
                    consumed += available
                }
                if remaining - available > 0 {
                    state = .fixedBody(remaining: remaining - available)
                    return .needMoreData(.body)
                }
                return .request(finishRequest())
            case .chunkSizeLine:
                guard let step = parseChunkSizeLine() else { return .needMoreData(.body) }
                if case .failure(let error) = step { return fail(error) }
            case .chunkData(let remaining):
                let available = min(remaining, buffer.count - consumed)
                if available > 0 {
                    body.append(contentsOf: buffer[consumed..<(consumed + available)])
                    consumed += available
                }
                if remaining - available > 0 {
                    state = .chunkData(remaining: remaining - available)
                    return .needMoreData(.body)
                }
                state = .chunkDataEnd
            case .chunkDataEnd:
                guard buffer.count - consumed >= 2 else { return .needMoreData(.body) }
                guard buffer[consumed] == cr, buffer[consumed + 1] == lf else {
                    return fail(.badRequest(.missingChunkTerminator))
                }
                consumed += 2
                scanFrom = consumed
                state = .chunkSizeLine
            case .trailerLines:
                guard let step = parseHeaderLine(trailer: true) else { return .needMoreData(.body) }
                switch step {
                case .failure(let error): return fail(error)
                case .request(let request): return .request(request)
                case .needMoreData: continue
                }
            }
        }
    }

    // MARK: - Lines

    /// Finds the next complete line; returns the range without CRLF, or nil when incomplete.
    /// A line ending in a bare LF is reported as `.failure`.
    private mutating func nextLine() -> Result<Range<Int>, HTTPParseError>? {
        // Body bytes advance `consumed` without touching `scanFrom`, so never search behind it.
        guard let lfIndex = buffer[max(scanFrom, consumed)...].firstIndex(of: lf) else {
            scanFrom = buffer.count
            return nil
        }
        guard lfIndex > consumed, buffer[lfIndex - 1] == cr else {
            return .failure(.badRequest(.lineWithoutCarriageReturn))
        }
        let line = consumed..<(lfIndex - 1)
        consumed = lfIndex + 1
        scanFrom = consumed
        return .success(line)
    }

    private mutating func parseRequestLine() -> Event? {
        let start = consumed
        guard let found = nextLine() else {
            if buffer.count - start > limits.maxRequestLineBytes + 1 { return .failure(.requestLineTooLong) }
            return nil
        }
        let line: Range<Int>
        switch found {
        case .failure(let error): return .failure(error)
        case .success(let range): line = range
        }
        if line.isEmpty && !skippedLeadingEmptyLine {
            skippedLeadingEmptyLine = true
            return .needMoreData(.head)
        }
        if line.count > limits.maxRequestLineBytes { return .failure(.requestLineTooLong) }
        if let error = readRequestLine(buffer[line]) { return .failure(error) }
        state = .headerLines
        return .needMoreData(.head)
    }

    private mutating func readRequestLine(_ line: ArraySlice<UInt8>) -> HTTPParseError? {
        // Two single spaces separate three parts; any further space lands in the version, which then fails.
        guard let firstSpace = line.firstIndex(of: sp),
            let secondSpace = line[(firstSpace + 1)...].firstIndex(of: sp)
        else { return .badRequest(.malformedRequestLine) }
        let methodBytes = line[..<firstSpace]
        let targetBytes = line[(firstSpace + 1)..<secondSpace]
        let versionBytes = line[(secondSpace + 1)...]
        guard !methodBytes.isEmpty, methodBytes.allSatisfy(isTokenByte) else { return .badRequest(.invalidMethod) }
        if versionBytes.elementsEqual("HTTP/1.1".utf8) {
            version = .http11
        } else if versionBytes.elementsEqual("HTTP/1.0".utf8) {
            version = .http10
        } else {
            let bytes = Array(versionBytes)
            if bytes.count == 8, bytes.starts(with: Array("HTTP/".utf8)), isDigit(bytes[5]), bytes[6] == dot,
                isDigit(bytes[7])
            {
                return .unsupportedVersion
            }
            return .badRequest(.malformedRequestLine)
        }
        method = String(decoding: methodBytes, as: UTF8.self)
        guard !targetBytes.isEmpty, targetBytes.allSatisfy(isTargetByte) else { return .badRequest(.invalidTarget) }
        if targetBytes.count == 1, targetBytes.first == asterisk, method == "OPTIONS" {
            path = "*"
            query = nil
            queryItems = []
            return nil
        }
        guard targetBytes.first == slash else { return .badRequest(.invalidTarget) }
        let pathEnd = targetBytes.firstIndex(of: question) ?? targetBytes.endIndex
        let pathBytes = targetBytes[targetBytes.startIndex..<pathEnd]
        guard PercentDecoding.isWellFormed(pathBytes) else { return .badRequest(.invalidPercentEncoding) }
        path = String(decoding: pathBytes, as: UTF8.self)
        if pathEnd < targetBytes.endIndex {
            let queryBytes = targetBytes[(pathEnd + 1)...]
            guard let items = PercentDecoding.queryItems(queryBytes) else {
                return .badRequest(.invalidPercentEncoding)
            }
            query = String(decoding: queryBytes, as: UTF8.self)
            queryItems = items
        } else {
            query = nil
            queryItems = []
        }
        return nil
    }

    /// Parses one header (or trailer) line; returns nil when incomplete, `.needMoreData` after a
    /// field, `.request` at the end of the block when no body follows, `.failure` on a fault.
    private mutating func parseHeaderLine(trailer: Bool) -> Event? {
        let start = consumed
        guard let found = nextLine() else {
            if headerBytes + (buffer.count - start) > limits.maxHeaderBytes { return .failure(.headerBlockTooLarge) }
            return nil
        }
        let line: Range<Int>
        switch found {
        case .failure(let error): return .failure(error)
        case .success(let range): line = range
        }
        headerBytes += line.count + 2
        if headerBytes > limits.maxHeaderBytes { return .failure(.headerBlockTooLarge) }
        if line.isEmpty {
            if trailer { return .request(finishRequest()) }
            return endOfHead()
        }
        let first = buffer[line.lowerBound]
        if first == sp || first == htab { return .failure(.badRequest(.obsoleteLineFolding)) }
        headerCount += 1
        if headerCount > limits.maxHeaderCount { return .failure(.tooManyHeaderFields) }
        guard let colon = buffer[line].firstIndex(of: colon), colon > line.lowerBound,
            buffer[line.lowerBound..<colon].allSatisfy(isTokenByte)
        else { return .failure(.badRequest(.malformedHeaderField)) }
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd, buffer[valueStart] == sp || buffer[valueStart] == htab { valueStart += 1 }
        while valueEnd > valueStart, buffer[valueEnd - 1] == sp || buffer[valueEnd - 1] == htab { valueEnd -= 1 }
        let valueBytes = buffer[valueStart..<valueEnd]
        guard valueBytes.allSatisfy(isFieldValueByte) else { return .failure(.badRequest(.malformedHeaderField)) }
        if !trailer {
            headers.add(
                name: String(decoding: buffer[line.lowerBound..<colon], as: UTF8.self),
                value: String(decoding: valueBytes, as: UTF8.self))
        }
        return .needMoreData(.head)
    }

    /// Decides the body framing once the head is complete (RFC 9112 §6.3).
    private mutating func endOfHead() -> Event {
        let hosts = headers.values(for: "Host")
        if hosts.count > 1 { return .failure(.badRequest(.multipleHost)) }
        if hosts.isEmpty && version == .http11 { return .failure(.badRequest(.missingHost)) }

        let transferEncodings = headers.values(for: "Transfer-Encoding")
        let contentLengths = headers.values(for: "Content-Length")
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty { return .failure(.badRequest(.contentLengthWithTransferEncoding)) }
            if version == .http10 { return .failure(.badRequest(.transferEncodingInHTTP10)) }
            let codings = transferEncodings.flatMap {
                $0.split(separator: ",", omittingEmptySubsequences: false).map { HTTPHeaders.lowercasedASCII($0.trimmingASCIIWhitespace()) }
            }
            guard codings.last == "chunked", codings.firstIndex(of: "chunked") == codings.count - 1,
                !codings.contains("")
            else { return .failure(.badRequest(.chunkedNotFinal)) }
            if codings.count > 1 { return .failure(.unsupportedTransferCoding) }
        }
        var declaredLength = 0
        if !contentLengths.isEmpty {
            if contentLengths.count > 1 { return .failure(.badRequest(.duplicateContentLength)) }
            let digits = contentLengths[0].utf8
            guard !digits.isEmpty, digits.allSatisfy(isDigit) else {
                return .failure(.badRequest(.invalidContentLength))
            }
            // Beyond leading zeros, more digits than the limit has can only be too large; this also rules out overflow.
            let significant = digits.drop { $0 == 0x30 }
            guard significant.count <= String(limits.maxBodyBytes).utf8.count,
                let length = significant.isEmpty ? 0 : Int(String(decoding: significant, as: UTF8.self)),
                length <= limits.maxBodyBytes
            else { return .failure(.bodyTooLarge) }
            declaredLength = length
        }
        if let expectation = headers["Expect"] {
            guard HTTPHeaders.lowercasedASCII(expectation) == "100-continue" else {
                return .failure(.unsupportedExpectation)
            }
            continueRequested = version == .http11 && (declaredLength > 0 || !transferEncodings.isEmpty)
        }
        if !transferEncodings.isEmpty {
            headerBytes = 0
            headerCount = 0
            state = .chunkSizeLine
            return .needMoreData(.body)
        }
        if declaredLength > 0 {
            // Reserve only what a small body needs: memory must follow bytes that actually arrive,
            // not a length a client merely declares.
            body.reserveCapacity(min(declaredLength, 64 * 1024))
            state = .fixedBody(remaining: declaredLength)
            return .needMoreData(.body)
        }
        return .request(finishRequest())
    }

    private mutating func parseChunkSizeLine() -> Event? {
        let start = consumed
        guard let found = nextLine() else {
            if buffer.count - start > limits.maxChunkLineBytes + 1 { return .failure(.badRequest(.chunkLineTooLong)) }
            return nil
        }
        let line: Range<Int>
        switch found {
        case .failure(let error): return .failure(error)
        case .success(let range): line = range
        }
        if line.count > limits.maxChunkLineBytes { return .failure(.badRequest(.chunkLineTooLong)) }
        var index = line.lowerBound
        var size = 0
        while index < line.upperBound, let digit = hexValue(buffer[index]) {
            size = size * 16 + digit
            // Checked per digit so that no number of digits can overflow.
            if size > limits.maxBodyBytes - body.count { return .failure(.bodyTooLarge) }
            index += 1
        }
        guard index > line.lowerBound else { return .failure(.badRequest(.malformedChunkSize)) }
        // Chunk extensions (`;name=value`) are allowed and ignored; whitespace before them is tolerated (BWS).
        while index < line.upperBound, buffer[index] == sp || buffer[index] == htab { index += 1 }
        if index < line.upperBound {
            guard buffer[index] == semicolon, buffer[index..<line.upperBound].allSatisfy(isFieldValueByte) else {
                return .failure(.badRequest(.malformedChunkSize))
            }
        }
        state = size == 0 ? .trailerLines : .chunkData(remaining: size)
        return .needMoreData(.body)
    }

    // MARK: - Bookkeeping

    private mutating func finishRequest() -> HTTPRequest {
        let request = HTTPRequest(
            method: method, path: path, query: query, queryItems: queryItems, version: version,
            headers: headers, body: body)
        state = .requestLine
        skippedLeadingEmptyLine = false
        headerBytes = 0
        headerCount = 0
        headers = HTTPHeaders()
        body = []
        continueRequested = false
        return request
    }

    private mutating func fail(_ error: HTTPParseError) -> Event {
        state = .failed(error)
        return .failure(error)
    }

    /// Drops consumed bytes so the buffer holds only unparsed input.
    private mutating func compact() {
        guard consumed > 0 else { return }
        if consumed == buffer.count {
            buffer.removeAll(keepingCapacity: true)
        } else if consumed >= 4096 || consumed * 2 >= buffer.count {
            buffer.removeSubrange(0..<consumed)
        } else {
            return
        }
        scanFrom = max(0, scanFrom - consumed)
        consumed = 0
    }
}

// MARK: - Byte classes (RFC 9110 §5.6.2, RFC 3986 §2)

private let cr: UInt8 = 0x0D
private let lf: UInt8 = 0x0A
private let sp: UInt8 = 0x20
private let htab: UInt8 = 0x09
private let colon: UInt8 = 0x3A
private let semicolon: UInt8 = 0x3B
private let slash: UInt8 = 0x2F
private let question: UInt8 = 0x3F
private let asterisk: UInt8 = 0x2A
private let dot: UInt8 = 0x2E

private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

private func hexValue(_ byte: UInt8) -> Int? {
    switch byte {
    case 0x30...0x39: return Int(byte - 0x30)
    case 0x41...0x46: return Int(byte - 0x41 + 10)
    case 0x61...0x66: return Int(byte - 0x61 + 10)
    default: return nil
    }
}

/// tchar: ALPHA / DIGIT / "!#$%&'*+-.^_`|~".
private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
    default: return false
    }
}

/// field-vchar, SP and HTAB; obs-text (0x80–0xFF) is allowed, control bytes and DEL are not.
private func isFieldValueByte(_ byte: UInt8) -> Bool {
    byte == htab || (byte >= 0x20 && byte != 0x7F)
}

/// Bytes allowed in an origin-form target: unreserved, sub-delims, ":", "@", "/", "?" and "%".
private func isTargetByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case 0x2D, 0x2E, 0x5F, 0x7E: return true  // - . _ ~
    case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D: return true  // ! $ & ' ( ) * + , ; =
    case 0x3A, 0x40, 0x2F, 0x3F, 0x25: return true  // : @ / ? %
    default: return false
    }
}
