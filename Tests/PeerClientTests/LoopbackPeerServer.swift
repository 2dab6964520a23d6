import Foundation

/// A scripted HTTP(S) server on 127.0.0.1 for client tests: a Python 3 process started from the test,
/// which logs every raw request it receives (client port, method, path, exact bytes) and answers by path.
///
/// Paths: `/status/<code>[?retry=<s>]`, `/sleep/<ms>`, `/bytes/<n>` (Content-Length), `/chunked/<n>`,
/// `/headers/<n>` (n bytes of padding headers), `/redirect?to=<url>`, `/close` (answers with
/// `Connection: close`); anything else answers 200 `{"status":"ok"}`, and a POST answers `{"received":<n>}`.
/// The process exits when its stdin closes, so it dies with the test process even if `stop()` is never reached.
final class LoopbackPeerServer: @unchecked Sendable {
    // @unchecked Sendable: `process` and `input` are only used by the test that owns the server; `stop()` is idempotent under `lock`.

    /// A request as the server received it.
    struct LoggedRequest: Decodable, Sendable {
        /// The client's TCP source port: equal ports mean one reused connection.
        let port: Int
        let method: String
        let path: String
        /// The request line, headers and body exactly as received (after TLS decryption), base64.
        let raw: String

        var rawBytes: [UInt8] { Array(Data(base64Encoded: raw) ?? Data()) }

        /// Header names in the order received, lowercased.
        var headerNames: [String] { headerFields.map { $0.name } }

        /// Header fields in the order received, names lowercased.
        var headerFields: [(name: String, value: String)] {
            let text = String(decoding: rawBytes, as: UTF8.self)
            guard let end = text.range(of: "\r\n\r\n") else { return [] }
            return text[..<end.lowerBound].components(separatedBy: "\r\n").dropFirst().map { line in
                let colon = line.firstIndex(of: ":")!
                return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
            }
        }
    }

    enum StartError: Error { case failed(String) }

    /// `https://127.0.0.1:<port>` or `http://…`.
    let baseURL: String
    let port: Int
    /// libcurl pin of the server's certificate, computed with the openssl CLI; nil for plain HTTP.
    let pin: String?
    let directory: URL
    private let process: Process
    private let input: Pipe
    private let errorHandle: FileHandle
    private let lock = NSLock()
    private var stopped = false

    /// Starts a server with a fresh self-signed P-256 certificate (`tls`) or plain HTTP.
    init(tls: Bool = true) throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("peerclient-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("server.py")
        try LoopbackPeerServer.script.write(to: script, atomically: true, encoding: .utf8)
        var arguments = [script.path, directory.appendingPathComponent("requests.log").path,
                         directory.appendingPathComponent("port").path]
        if tls {
            try LoopbackPeerServer.shell(
                "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=citybench -keyout key.pem -out cert.pem",
                in: directory)
            let digest = try LoopbackPeerServer.shell(
                "openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64",
                in: directory)
            pin = "sha256//" + digest.trimmingCharacters(in: .whitespacesAndNewlines)
            arguments += [directory.appendingPathComponent("cert.pem").path, directory.appendingPathComponent("key.pem").path]
        } else {
            pin = nil
        }
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        let errorLog = directory.appendingPathComponent("stderr.log")
        _ = FileManager.default.createFile(atPath: errorLog.path, contents: nil)
        errorHandle = try FileHandle(forWritingTo: errorLog)
        process.standardError = errorHandle
        try process.run()

        let portFile = directory.appendingPathComponent("port")
        var found: Int?
        for _ in 0..<500 where found == nil {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), text.hasSuffix("\n") {
                found = Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
            } else if !process.isRunning {
                break
            } else {
                usleep(20_000)
            }
        }
        guard let found else {
            let stderr = (try? String(contentsOf: errorLog, encoding: .utf8)) ?? ""
            process.terminate()
            throw StartError.failed("loopback server did not start: \(stderr)")
        }
        port = found
        baseURL = "\(tls ? "https" : "http")://127.0.0.1:\(found)"
    }

    deinit { stop() }

    /// Stops the server process and removes its directory; safe to call more than once.
    func stop() {
        lock.lock()
        defer { lock.unlock() }
        guard !stopped else { return }
        stopped = true
        try? input.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? errorHandle.close()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Every request received so far, in arrival order.
    func requests() -> [LoggedRequest] {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("requests.log")) else { return [] }
        return data.split(separator: UInt8(ascii: "\n")).compactMap { try? JSONDecoder().decode(LoggedRequest.self, from: $0) }
    }

    /// Runs `command` with /bin/sh in `directory` and returns its stdout; throws if it fails.
    @discardableResult
    static func shell(_ command: String, in directory: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.currentDirectoryURL = directory
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw StartError.failed("command failed: \(command)") }
        return String(decoding: data, as: UTF8.self)
    }

    /// A TCP port on 127.0.0.1 that nothing listens on: bound, read back and closed again by a short Python call.
    static func unusedPort() throws -> Int {
        let text = try shell(#"python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'"#,
                             in: FileManager.default.temporaryDirectory)
        guard let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw StartError.failed("no free port")
        }
        return port
    }

    static let script = #"""
import base64, json, os, socket, ssl, sys, threading, time, urllib.parse

log_path, port_path = sys.argv[1], sys.argv[2]
context = None
if len(sys.argv) > 4:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
log_lock = threading.Lock()

def die_with_parent():
    sys.stdin.buffer.read()
    os._exit(0)

def watchdog():
    time.sleep(300)
    os._exit(0)

def read_request(conn, buffer):
    while b"\r\n\r\n" not in buffer:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        buffer += chunk
        if not buffer[:1].isalpha():
            # Not HTTP (e.g. a TLS ClientHello on the plain port): answer like a real server would.
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
            return None, b""
    head, rest = buffer.split(b"\r\n\r\n", 1)
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        rest += chunk
    raw = head + b"\r\n\r\n" + rest[:length]
    return raw, rest[length:]

def respond(conn, status, body, headers=()):
    reason = {200: "OK", 302: "Found", 429: "Too Many Requests"}.get(status, "Status")
    lines = ["HTTP/1.1 %d %s" % (status, reason), "Content-Length: %d" % len(body)] + list(headers)
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

def handle(raw, conn, client_port):
    request_line = raw.split(b"\r\n", 1)[0].decode()
    method, target, _ = request_line.split(" ")
    with log_lock:
        with open(log_path, "a") as log:
            log.write(json.dumps({"port": client_port, "method": method, "path": target,
                                  "raw": base64.b64encode(raw).decode()}) + "\n")
    url = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(url.query)
    parts = url.path.strip("/").split("/")
    if method == "POST":
        body_length = len(raw.split(b"\r\n\r\n", 1)[1])
        respond(conn, 200, json.dumps({"received": body_length}).encode())
    elif parts[0] == "status":
        code = int(parts[1])
        headers = ["Retry-After: %s" % query["retry"][0]] if "retry" in query else []
        respond(conn, code, b'{"error":{"code":"rate_limited","message":"slow down"}}', headers)
    elif parts[0] == "sleep":
        time.sleep(int(parts[1]) / 1000.0)
        respond(conn, 200, b'{"status":"ok"}')
    elif parts[0] == "bytes":
        respond(conn, 200, b"x" * int(parts[1]))
    elif parts[0] == "chunked":
        remaining = int(parts[1])
        conn.sendall(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        while remaining > 0:
            size = min(remaining, 65536)
            conn.sendall(b"%x\r\n" % size + b"x" * size + b"\r\n")
            remaining -= size
        conn.sendall(b"0\r\n\r\n")
    elif parts[0] == "headers":
        count = int(parts[1]) // 100 + 1
        respond(conn, 200, b"{}", ["X-Pad-%d: %s" % (i, "p" * 90) for i in range(count)])
    elif parts[0] == "redirect":
        respond(conn, 302, b"", ["Location: %s" % query["to"][0]])
    elif parts[0] == "close":
        respond(conn, 200, b'{"status":"ok"}', ["Connection: close"])
        return False
    else:
        respond(conn, 200, b'{"status":"ok"}')
    return True

def serve(conn, client_port):
    try:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if context is not None:
            conn = context.wrap_socket(conn, server_side=True)
        buffer = b""
        while True:
            raw, buffer = read_request(conn, buffer)
            if raw is None or not handle(raw, conn, client_port):
                break
    except Exception:
        pass
    finally:
        try:
            conn.close()
        except Exception:
            pass

threading.Thread(target=die_with_parent, daemon=True).start()
threading.Thread(target=watchdog, daemon=True).start()
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
with open(port_path + ".tmp", "w") as f:
    f.write("%d\n" % listener.getsockname()[1])
os.rename(port_path + ".tmp", port_path)
while True:
    conn, address = listener.accept()
    threading.Thread(target=serve, args=(conn, address[1]), daemon=True).start()
"""#
}
