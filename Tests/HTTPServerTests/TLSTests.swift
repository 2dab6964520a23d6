import Foundation
import Testing
@testable import HTTPServer

/// Runs a command-line tool with `input` on stdin; returns its exit status and stdout+stderr.
/// `keepInputOpen` delays closing stdin, for interactive tools that act on input while connected.
func runTool(_ path: String, _ arguments: [String], input: String = "", keepInputOpen: Double = 0, timeout: Double = 30) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    let output = Pipe()
    let stdin = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = stdin
    try process.run()
    stdin.fileHandleForWriting.write(Data(input.utf8))
    if keepInputOpen > 0 { usleep(UInt32(keepInputOpen * 1_000_000)) }
    try stdin.fileHandleForWriting.close()
    let deadline = Date(timeIntervalSinceNow: timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { process.terminate() }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A throwaway self-signed ECDSA P-256 certificate made with the openssl CLI, once per test run,
/// in a directory removed when the test process exits.
enum TestCertificate {
    static let directory = FileManager.default.temporaryDirectory.appendingPathComponent("citybench-http-tls-\(getpid())")

    static let files: TLSConfiguration? = {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(at: TestCertificate.directory) }
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let result = try? runTool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key,
            "-out", cert, "-days", "2", "-subj", "/CN=citybench", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        guard result?.status == 0 else { return nil }
        return TLSConfiguration(certificateChainPath: cert, privateKeyPath: key)
    }()
}

@Suite struct TLSTests {
    private let request = "GET /v1/health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"

    private func sClient(_ port: UInt16, _ options: [String]) throws -> (status: Int32, output: String) {
        try runTool("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(port)", "-ign_eof", "-brief"] + options, input: request)
    }

    private func startTLSServer(_ configure: (inout ServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
        let tls = try #require(TestCertificate.files)
        return try TestServer.start(tls: tls, configure)
    }

    @Test func acceptsTLS13() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        let result = try sClient(server.port, ["-tls1_3"])
        #expect(result.output.contains("Protocol version: TLSv1.3"))
        #expect(result.output.contains(#"{"status":"ok"}"#))
    }

    @Test func acceptsTLS12WithAnAESGCMCipher() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        let result = try sClient(server.port, ["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])
        #expect(result.output.contains("Protocol version: TLSv1.2"))
        #expect(result.output.contains("Ciphersuite: ECDHE-ECDSA-AES128-GCM-SHA256"))
        #expect(result.output.contains(#"{"status":"ok"}"#))
    }

    @Test func refusesTLS11AndStillServesAfterwards() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        // SECLEVEL=0 lets the client actually offer TLS 1.1, so the refusal is the server's.
        let result = try sClient(server.port, ["-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"])
        #expect(result.status != 0)
        #expect(result.output.contains("protocol version"))
        #expect(!result.output.contains(#"{"status":"ok"}"#))
        #expect(try sClient(server.port, []).output.contains(#"{"status":"ok"}"#))
    }

    @Test func refusesCBCOnlyTLS12Clients() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        for cipher in ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA384"] {
            let result = try sClient(server.port, ["-tls1_2", "-cipher", cipher])
            #expect(result.status != 0)
            #expect(result.output.contains("handshake failure"))
            #expect(!result.output.contains(#"{"status":"ok"}"#))
        }
        #expect(try sClient(server.port, []).output.contains(#"{"status":"ok"}"#))
    }

    /// OpenSSL 3 already refuses client-initiated renegotiation by default; this pins that down
    /// together with SSL_OP_NO_RENEGOTIATION, so a future SSL_OP_ALLOW_CLIENT_RENEGOTIATION fails here.
    @Test func refusesRenegotiationAndCompression() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        let result = try runTool("/usr/bin/openssl", ["s_client", "-connect", "127.0.0.1:\(server.port)", "-tls1_2"], input: "R\n", keepInputOpen: 1)
        #expect(result.output.contains("Compression: NONE"))
        #expect(result.output.contains("RENEGOTIATING"))
        #expect(result.output.contains("no renegotiation"))
    }

    @Test func servesKeepAliveRequestsOverTLSToCurl() throws {
        let server = try startTLSServer()
        defer { server.shutdown(gracePeriod: 1) }
        let url = "https://127.0.0.1:\(server.port)/v1/health"
        let result = try runTool("/usr/bin/curl", ["-sS", "--cacert", try #require(TestCertificate.files).certificateChainPath, url, url, "-X", "GET"])
        #expect(result.status == 0)
        #expect(result.output == #"{"status":"ok"}{"status":"ok"}"#)
    }

    @Test func sendsALargeResponseOverTLSAcrossBlockedWrites() throws {
        let body = (0..<3_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var router = TestServer.router
        router.add("GET", "/big") { _ in HTTPResponse(status: .ok, body: body) }
        let tls = try #require(TestCertificate.files)
        let server = try TestServer.start(router: router, tls: tls)
        defer { server.shutdown(gracePeriod: 1) }
        // Far more than the socket buffers hold, so the event loop waits for POLLOUT repeatedly.
        let result = try runTool("/usr/bin/curl", [
            "-sS", "--cacert", tls.certificateChainPath, "-o", "/dev/null",
            "-w", "%{size_download}", "https://127.0.0.1:\(server.port)/big",
        ])
        #expect(result.status == 0)
        #expect(result.output == "3000000")
    }

    @Test func dropsAClientThatNeverCompletesTheHandshake() throws {
        let server = try startTLSServer { $0.headerReadTimeout = 1 }
        defer { server.shutdown(gracePeriod: 1) }
        let client = try #require(RawClient(port: server.port))
        client.send([0x16, 0x03, 0x01])  // the first bytes of a ClientHello, then silence
        #expect(client.isClosedByServer())
        #expect(try sClient(server.port, []).output.contains(#"{"status":"ok"}"#))
    }

    @Test func reportsAnUnreadableKeyWithAStableCode() throws {
        let files = try #require(TestCertificate.files)
        let broken = TLSConfiguration(certificateChainPath: files.certificateChainPath, privateKeyPath: "/nonexistent/key.pem")
        do {
            _ = try HTTPServer(configuration: ServerConfiguration(tls: broken), router: TestServer.router)
            Issue.record("a server started without its key")
        } catch let error as HTTPServerError {
            #expect(error.code == "tls_configuration_invalid")
            #expect(error.message.contains("/nonexistent/key.pem"))
        }
    }
}
