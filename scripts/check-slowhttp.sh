#!/usr/bin/env bash
# slowhttptest against `citybench serve` on loopback, in slowloris (headers trickled) and slow
# body modes, while a normal client asks GET /v1/health every second from the same address as
# the attacker; prints how many of those answered during and after each attack, and the server's
# eviction and refusal counters (design §5 deadlines: header read 10 s, body idle 15 s, 512
# connections; the minimum data rate 240 B/s after 5 s; at the limit idle, below-rate or silent
# requests give up their slot). Target: >= 24/25 during, 3/3 after. Listens on 127.0.0.1 only and
# stops the server at the end.
# Usage: scripts/check-slowhttp.sh   (env: CONNECTIONS=1000 RATE=200 LENGTH=30 TLS=0; TLS=1 attacks
# the HTTPS server `serve` runs by default, the probe trusting the node's own certificate)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v slowhttptest >/dev/null || { apt-get update >/dev/null; apt-get install -y slowhttptest >/dev/null; }
swift build --product citybench >/dev/null
BIN=$(swift build --show-bin-path)/citybench
WORK=$(mktemp -d /tmp/citybench-slow.XXXXXX)
PID=""
cleanup() { [ -n "$PID" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
PORT=${PORT:-38580}
CONNECTIONS=${CONNECTIONS:-1000}
RATE=${RATE:-200}
LENGTH=${LENGTH:-30}

"$BIN" --home "$WORK/home" init --city Teststadt --country DE >/dev/null
TLS=${TLS:-0}
if [ "$TLS" = 1 ]; then
    "$BIN" --home "$WORK/home" serve --listen "127.0.0.1:$PORT" > "$WORK/serve.out" 2>/dev/null &
    URL="https://127.0.0.1:$PORT/v1/health"
    CURL_TLS=(--cacert "$WORK/home/keys/tls-cert.pem")
else
    "$BIN" --home "$WORK/home" serve --listen "127.0.0.1:$PORT" --plain-http > "$WORK/serve.out" 2>/dev/null &
    URL="http://127.0.0.1:$PORT/v1/health"
    CURL_TLS=()
fi
PID=$!
for _ in $(seq 50); do grep -q listening "$WORK/serve.out" 2>/dev/null && break; sleep 0.2; done
METRICS="${URL%/v1/health}/metrics"

probe() {  # $1 seconds: one normal request per second, prints answered/asked
    local ok=0 n=0
    for _ in $(seq "$1"); do
        n=$((n + 1))
        if [ "$(curl -s "${CURL_TLS[@]}" --max-time 5 "$URL")" = '{"status":"ok"}' ]; then ok=$((ok + 1)); fi
        sleep 1
    done
    echo "$ok/$n"
}

status=0
for mode in slowloris slowbody; do
    flag=-H
    [ "$mode" = slowbody ] && flag=-B
    slowhttptest $flag -c "$CONNECTIONS" -r "$RATE" -i 10 -l "$LENGTH" -s 8192 -t POST -u "$URL" \
        -p 3 -x 24 -g -o "$WORK/$mode" > "$WORK/$mode.txt" 2>&1 &
    ATTACK=$!
    sleep 3
    during=$(probe $((LENGTH - 5)))
    wait "$ATTACK" || true
    after=$(probe 3)
    verdict=$(sed 's/\x1b\[[0-9;]*m//g' "$WORK/$mode.txt" | grep -a -o 'service available: *[A-Za-z]*' | tail -1 || true)
    counters=$(curl -s "${CURL_TLS[@]}" --max-time 5 "$METRICS" | grep -E '^citybench_http_connections_(evicted|refused)_total' | sed 's/citybench_http_connections_//' | tr '\n' ' ')
    echo "slowhttptest $mode ($CONNECTIONS connections, $RATE/s, ${LENGTH} s): normal client answered $during during, $after after; slowhttptest's last status: ${verdict:-n/a}; server so far: ${counters:-n/a}"
    [ "${after%%/*}" = "${after##*/}" ] || status=1
done
echo "server still serving: $(curl -s "${CURL_TLS[@]}" --max-time 5 "$URL")"
exit $status
