#!/usr/bin/env bash
# testssl.sh against `citybench serve` (design §5): a throw-away local CA signs the server's
# certificate (passed with --add-ca), so trust findings about the pinned self-signed default do
# not drown the real ones. Counts protocol, cipher and vulnerability findings rated MEDIUM or
# worse (exit 1 if any) and lists certificate/revocation notes separately.
# Listens on 127.0.0.1 only and stops the server at the end. Usage: scripts/check-tls.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v testssl >/dev/null || command -v testssl.sh >/dev/null || { apt-get update >/dev/null; apt-get install -y testssl.sh >/dev/null; }
TESTSSL=$(command -v testssl || command -v testssl.sh)
swift build --product citybench >/dev/null
BIN=$(swift build --show-bin-path)/citybench
WORK=$(mktemp -d /tmp/citybench-tls.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=${PORT:-38543}

# Throw-away CA and a server certificate for 127.0.0.1 signed by it.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/ca-key.pem" -out "$WORK/ca.pem" \
    -days 90 -subj "/CN=citybench throw-away test CA" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" -out "$WORK/csr.pem" -subj /CN=citybench 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' > "$WORK/ext.cnf"
openssl x509 -req -in "$WORK/csr.pem" -CA "$WORK/ca.pem" -CAkey "$WORK/ca-key.pem" -CAcreateserial -days 90 \
    -extfile "$WORK/ext.cnf" -out "$WORK/cert.pem" 2>/dev/null

"$BIN" --home "$WORK/home" init --city Teststadt --country DE --listen "127.0.0.1:$PORT" >/dev/null
python3 - "$WORK" <<'PY'
import json, sys
w = sys.argv[1]
p = w + "/home/node.json"
c = json.load(open(p))
c["tlsCertificate"] = w + "/cert.pem"
c["tlsKey"] = w + "/key.pem"
json.dump(c, open(p, "w"))
PY
"$BIN" --home "$WORK/home" serve > "$WORK/serve.out" 2>"$WORK/serve.log" &
PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.2; done

"$TESTSSL" --quiet --warnings off --color 0 --add-ca "$WORK/ca.pem" --jsonfile "$WORK/testssl.json" \
    --protocols --std --server-defaults --server-preference --vulnerable "127.0.0.1:$PORT" > "$WORK/testssl.txt" 2>&1 || true

python3 - "$WORK/testssl.json" <<'PY'
import json, sys
findings = json.load(open(sys.argv[1]))
bad = {"MEDIUM", "HIGH", "CRITICAL"}
cert_like = ("cert", "OCSP", "CRL", "DNS_CAA", "intermediate", "chain_of_trust", "pwnedkeys", "HSTS", "HPKP", "banner", "security_headers")
serious, notes = [], []
for f in findings:
    sev = f.get("severity", "")
    if sev not in bad and sev not in ("LOW", "WARN"):
        continue
    line = f'{sev:8} {f.get("id")}: {f.get("finding")}'
    (notes if f.get("id", "").startswith(cert_like) or sev in ("LOW", "WARN") else serious).append(line)
print(f"testssl.sh: {len(findings)} checks; protocol/cipher/vulnerability findings rated MEDIUM or worse: {len(serious)}")
for s in serious: print("  " + s)
print(f"certificate, trust and other notes (LOW/WARN or certificate-related): {len(notes)}")
for s in notes: print("  " + s)
sys.exit(1 if serious else 0)
PY
