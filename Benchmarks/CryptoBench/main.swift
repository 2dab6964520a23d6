// bench-crypto: Ed25519 sign and verify rates on one thread, against `openssl speed ed25519`
// measured in the same run (design §10: ingest and authenticated requests are bounded by
// Ed25519 verification). Build with `swift build -c release --product bench-crypto`.
import BenchSupport
import Crypto
import Foundation

/// User-CPU seconds each measured loop runs; `openssl speed -seconds` gets the same value.
let secondsPerMeasurement = 1
/// Interleaved rounds of (our sign, our verify, openssl speed); the best of each is reported.
let rounds = 5

/// The message `openssl speed` signs and verifies (20 bytes), so the ratio compares like with like.
let message = [UInt8](repeating: 0x5a, count: 20)
/// A record-header-sized message (design §4 headers are 150–300 bytes), for the realistic rate.
let headerMessage = [UInt8](repeating: 0x5a, count: 200)

func rate(seconds: Int, _ body: () -> Void) -> Double { CPUClock.rate(seconds: Double(seconds), body) }
func opensslSpeed(seconds: Int) throws -> (sign: Double, verify: Double) { try OpenSSLSpeed.ed25519(seconds: seconds) }

let key = try Ed25519SigningKey.generate()
let verifier = key.verifier
let signature = key.sign(message)
precondition(verifier.isValidSignature(signature, for: message), "the benchmark signature does not verify")

print("bench-crypto: one thread, \(rounds) interleaved rounds of \(secondsPerMeasurement) user-CPU s per figure, "
      + "\(message.count)-byte messages as openssl speed; best round shown (noise on a shared machine only ever slows a round down)")
var sink = 0
var ours = (sign: [Double](), verify: [Double]())
var theirs = (sign: [Double](), verify: [Double]())
for round in 1...rounds {
    ours.sign.append(rate(seconds: secondsPerMeasurement) { sink &+= Int(key.sign(message)[0]) })
    ours.verify.append(rate(seconds: secondsPerMeasurement) {
        if verifier.isValidSignature(signature, for: message) { sink &+= 1 }
    })
    let baseline = try opensslSpeed(seconds: secondsPerMeasurement)
    theirs.sign.append(baseline.sign)
    theirs.verify.append(baseline.verify)
    print(String(format: "round %d: sign %6.0f vs openssl %6.0f /s, verify %6.0f vs openssl %6.0f /s",
                 round, ours.sign.last!, baseline.sign, ours.verify.last!, baseline.verify))
}
let headerSignature = key.sign(headerMessage)
let headerRate = rate(seconds: 1) {
    if verifier.isValidSignature(headerSignature, for: headerMessage) { sink &+= 1 }
}
let rawKey = key.publicKey
let importRate = rate(seconds: 1) {
    if let fresh = try? Ed25519PublicKey(raw: rawKey), fresh.isValidSignature(signature, for: message) { sink &+= 1 }
}
let hashRate = rate(seconds: 1) { sink &+= Int(SHA256.hash(message)[0]) }
let hmacKey = [UInt8](repeating: 7, count: 32)
let hmacRate = rate(seconds: 1) { sink &+= Int(HMACSHA256.authenticate(key: hmacKey, message: message)[0]) }

print(String(format: "citybench Ed25519 sign:        %9.0f /s", ours.sign.max()!))
print(String(format: "citybench Ed25519 verify:      %9.0f /s  (one Ed25519PublicKey reused)", ours.verify.max()!))
print(String(format: "citybench Ed25519 verify:      %9.0f /s  (%d-byte header, 1 s)", headerRate, headerMessage.count))
print(String(format: "citybench Ed25519 verify:      %9.0f /s  (key imported per call, 1 s, for comparison)", importRate))
print(String(format: "citybench SHA-256 one-shot:    %9.0f /s", hashRate))
print(String(format: "citybench HMAC-SHA256:         %9.0f /s", hmacRate))
print(String(format: "openssl speed ed25519 sign:    %9.0f /s", theirs.sign.max()!))
print(String(format: "openssl speed ed25519 verify:  %9.0f /s", theirs.verify.max()!))
print(String(format: "ratio sign   citybench/openssl: %.2f", ours.sign.max()! / theirs.sign.max()!))
print(String(format: "ratio verify citybench/openssl: %.2f", ours.verify.max()! / theirs.verify.max()!))
if sink == 42 { print("") }  // keeps the measured work observable
