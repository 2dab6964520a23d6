#!/usr/bin/env bash
# schemathesis against `citybench serve`'s own /openapi.json (plain HTTP on loopback): every
# endpoint fuzzed from the document. Signed endpoints answer 401 to unsigned requests, which the
# document declares; the checks are that every answer conforms to the document (status codes,
# content types, response schemas) and that no request crashes the server.
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
"$BIN" --home "$WORK/home" init --city Teststadt --country DE >/dev/null
"$BIN" --home "$WORK/home" serve --listen "127.0.0.1:$PORT" --plain-http > "$WORK/serve.out" 2>/dev/null &
PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.2; done
"$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" --url "http://127.0.0.1:$PORT" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
    --max-examples "${MAX_EXAMPLES:-100}" --no-color 2>&1 | tee "$WORK/st.txt"
rc=${PIPESTATUS[0]}
echo "server still serving: $(curl -s --max-time 5 "http://127.0.0.1:$PORT/v1/health")"
exit "$rc"
