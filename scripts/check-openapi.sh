#!/usr/bin/env bash
# schemathesis against `citybench serve`'s own /openapi.json (plain HTTP on loopback): every
# endpoint fuzzed from the document, the signed ones as a trusted test origin (the hook
# scripts/openapi_signing_hook.py signs each request), so fuzzing reaches past authentication.
# Checks: every answer conforms to the document (status codes, content types, response schemas)
# and no request crashes the server. SIGNED=0 fuzzes unsigned (all signed endpoints then 401).
# Installs schemathesis into a throw-away virtualenv. Usage: scripts/check-openapi.sh   (env: MAX_EXAMPLES=100)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product citybench >/dev/null
BIN=$(swift build --show-bin-path)/citybench
WORK=$(mktemp -d /tmp/citybench-openapi.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=${PORT:-38590}
VENV=${VENV:-/tmp/citybench-schemathesis-venv}
if [ ! -x "$VENV/bin/st" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q schemathesis
fi
"$VENV/bin/python" -c 'import cryptography' 2>/dev/null || "$VENV/bin/pip" install -q cryptography
"$BIN" --home "$WORK/home" init --city Teststadt --country DE >/dev/null
"$BIN" --home "$WORK/home" serve --listen "127.0.0.1:$PORT" --plain-http > "$WORK/serve.out" 2>/dev/null &
PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.2; done
if [ "${SIGNED:-1}" = 1 ]; then
    # A client origin the server trusts with its first key, as `peer add` records it.
    "$BIN" --home "$WORK/client" init --city Fuzzstadt --country DE >/dev/null
    export CB_CLIENT_KEY="$WORK/client/keys/signing.pem"
    export CB_CLIENT_ORIGIN=$("$BIN" --home "$WORK/client" identity --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["origin"])')
    export CB_AUDIENCE=$("$BIN" --home "$WORK/home" identity --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["origin"])')
    KEY_B64=$("$BIN" --home "$WORK/client" identity --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["publicKey"])')
    python3 - "$WORK/home/citybench.sqlite" "$CB_CLIENT_ORIGIN" "$KEY_B64" <<'PY'
import base64, sqlite3, sys
key = base64.urlsafe_b64decode(sys.argv[3] + "=" * (-len(sys.argv[3]) % 4))
db = sqlite3.connect(sys.argv[1], timeout=5)
db.execute("INSERT INTO origin (origin, trusted, first_key) VALUES (?, 1, ?)", (sys.argv[2], key))
db.commit()
PY
    export SCHEMATHESIS_HOOKS=openapi_signing_hook
    export PYTHONPATH="$PWD/scripts"
fi
"$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" --url "http://127.0.0.1:$PORT" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "${MAX_EXAMPLES:-100}" --no-color 2>&1 | tee "$WORK/st.txt"
rc=${PIPESTATUS[0]}
echo "server still serving: $(curl -s --max-time 5 "http://127.0.0.1:$PORT/v1/health")"
exit "$rc"
