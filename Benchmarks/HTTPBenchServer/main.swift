// A tiny server for Benchmarks/HTTPBench/run.sh: GET /v1/health → {"status":"ok"} over plain HTTP
// and TLS, with the access log on (buffered, to stderr), until SIGTERM or SIGINT.
// Usage: bench-http-server PLAIN_PORT TLS_PORT CERT.pem KEY.pem   (env LOOPS: event-loop threads, default one per core)
import Foundation
import HTTPServer

let arguments = CommandLine.arguments
guard arguments.count == 5, let plainPort = UInt16(arguments[1]), let tlsPort = UInt16(arguments[2]) else {
    FileHandle.standardError.write(Data("usage: bench-http-server PLAIN_PORT TLS_PORT CERT.pem KEY.pem\n".utf8))
    exit(64)
}

var router = Router()
// Built once, as nginx's `return 200 '…'` is: the benchmark measures the server, not the handler.
let health = HTTPResponse.json(bytes: Array(#"{"status":"ok"}"#.utf8))
router.add("GET", "/v1/health", inline: true) { _ in health }
let waiter = SignalWaiter()
let loops = ProcessInfo.processInfo.environment["LOOPS"].flatMap { Int($0) } ?? 0
do {
    var plainConfiguration = ServerConfiguration(host: "127.0.0.1", port: plainPort)
    plainConfiguration.eventLoopThreads = loops
    var tlsConfiguration = ServerConfiguration(
        host: "127.0.0.1", port: tlsPort,
        tls: TLSConfiguration(certificateChainPath: arguments[3], privateKeyPath: arguments[4]))
    tlsConfiguration.eventLoopThreads = loops
    let plain = try HTTPServer(configuration: plainConfiguration, router: router)
    let tls = try HTTPServer(configuration: tlsConfiguration, router: router)
    try plain.start()
    try tls.start()
    _ = waiter.wait()
    plain.shutdown(gracePeriod: 2)
    tls.shutdown(gracePeriod: 2)
} catch {
    FileHandle.standardError.write(Data("bench-http-server: \(error)\n".utf8))
    exit(1)
}
