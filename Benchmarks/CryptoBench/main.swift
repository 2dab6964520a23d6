// bench-crypto: Ed25519 sign and verify rates on one thread, against `openssl speed ed25519`
// measured in the same run (design §10: ingest and authenticated requests are bounded by
// Ed25519 verification). Build with `swift build -c release --product bench-crypto`.
import Crypto
import Foundation

/// Seconds each measured loop runs; `openssl speed -seconds` gets the same value.
let secondsPerMeasurement = 3

/// A record-header-sized message (design §4 headers are 150–300 bytes).
let message = [UInt8](repeating: 0x5a, count: 200)

/// Calls `body` in batches until `seconds` have passed and returns calls per second.
func rate(seconds: Int, _ body: () -> Void) -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let deadline = start + .seconds(seconds)
    var calls = 0
    while clock.now < deadline {
        for _ in 0..<64 { body() }
        calls += 64
    }
    let elapsed = clock.now - start
    let secondsElapsed = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return Double(calls) / secondsElapsed
}

/// Runs `openssl speed -seconds N ed25519` and returns its sign/s and verify/s columns.
func opensslSpeed(seconds: Int) throws -> (sign: Double, verify: Double) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = ["speed", "-seconds", String(seconds), "ed25519"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let text = String(decoding: data, as: UTF8.self)
    // " 253 bits EdDSA (Ed25519)   0.0000s   0.0001s  23456.7   8765.4"
    guard let line = text.split(separator: "\n").last(where: { $0.contains("(Ed25519)") }) else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "no Ed25519 line in openssl speed output"])
    }
    let numbers = line.split(separator: " ").compactMap { Double($0) }
    guard numbers.count >= 2 else {
        throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "unexpected openssl speed line: \(line)"])
    }
    return (numbers[numbers.count - 2], numbers[numbers.count - 1])
}

let key = try Ed25519SigningKey.generate()
let verifier = key.verifier
let signature = key.sign(message)
precondition(verifier.isValidSignature(signature, for: message), "the benchmark signature does not verify")

print("bench-crypto: one thread, \(secondsPerMeasurement) s per figure, \(message.count)-byte messages")
var sink = 0
let signRate = rate(seconds: secondsPerMeasurement) { sink &+= Int(key.sign(message)[0]) }
print(String(format: "citybench Ed25519 sign:     %9.0f /s", signRate))
let verifyRate = rate(seconds: secondsPerMeasurement) { if verifier.isValidSignature(signature, for: message) { sink &+= 1 } }
print(String(format: "citybench Ed25519 verify:   %9.0f /s  (one Ed25519PublicKey reused)", verifyRate))
let rawKey = key.publicKey
let freshRate = rate(seconds: 1) {
    if let fresh = try? Ed25519PublicKey(raw: rawKey), fresh.isValidSignature(signature, for: message) { sink &+= 1 }
}
print(String(format: "citybench Ed25519 verify:   %9.0f /s  (key imported per call, for comparison)", freshRate))
let hashRate = rate(seconds: 1) { sink &+= Int(SHA256.hash(message)[0]) }
print(String(format: "citybench SHA-256 one-shot: %9.0f /s", hashRate))
let hmacKey = [UInt8](repeating: 7, count: 32)
let hmacRate = rate(seconds: 1) { sink &+= Int(HMACSHA256.authenticate(key: hmacKey, message: message)[0]) }
print(String(format: "citybench HMAC-SHA256:      %9.0f /s", hmacRate))

let baseline = try opensslSpeed(seconds: secondsPerMeasurement)
print(String(format: "openssl speed ed25519 sign: %9.0f /s", baseline.sign))
print(String(format: "openssl speed ed25519 verify: %7.0f /s", baseline.verify))
print(String(format: "ratio sign   citybench/openssl: %.2f", signRate / baseline.sign))
print(String(format: "ratio verify citybench/openssl: %.2f", verifyRate / baseline.verify))
if sink == 42 { print("") }  // keeps the measured work observable
