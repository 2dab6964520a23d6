#!/usr/bin/env bash
# GET /v1/health keep-alive throughput: citybench's HTTPServer vs nginx serving the same bytes
# (design §10 target: >= 0.9x nginx, plain HTTP and HTTPS). Everything listens on 127.0.0.1 and is
# stopped at the end. Besides req/s it prints each server's CPU time per request, which stays
# meaningful on a shared machine where throughput swings with other load, and the load average
# before and after. citybench runs one event loop per core, as nginx runs one worker per core.
# Usage: Benchmarks/HTTPBench/run.sh   (env: DURATION=5s CONNECTIONS=50 THREADS=2 ROUNDS=1 LOOPS=0)
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-50}
THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-1}
NGINX_PLAIN=38080 NGINX_TLS=38443 SWIFT_PLAIN=38081 SWIFT_TLS=38444

if ! command -v nginx >/dev/null || ! command -v wrk >/dev/null; then
    apt-get install -y nginx wrk >/dev/null
fi
NGINX=$(command -v nginx)

WORK=$(mktemp -d /tmp/citybench-httpbench.XXXXXX)
SWIFT_PID=""
cleanup() {
    [ -n "$SWIFT_PID" ] && kill -TERM "$SWIFT_PID" 2>/dev/null && wait "$SWIFT_PID" 2>/dev/null || true
    [ -f "$WORK/nginx.pid" ] && kill -QUIT "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "building release..."
swift build -c release --product bench-http-server >/dev/null
BIN=$(swift build -c release --show-bin-path)/bench-http-server

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/key.pem" \
    -out "$WORK/cert.pem" -days 2 -subj /CN=citybench 2>/dev/null

cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
daemon on;
events { worker_connections 1024; }
http {
    access_log $WORK/nginx-access.log combined buffer=64k flush=1s;
    client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fastcgi;
    uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
    keepalive_requests 1000000;
    tcp_nodelay on;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    server {
        listen 127.0.0.1:$NGINX_PLAIN;
        listen 127.0.0.1:$NGINX_TLS ssl;
        ssl_certificate $WORK/cert.pem;
        ssl_certificate_key $WORK/key.pem;
        location = /v1/health { default_type application/json; return 200 '{"status":"ok"}'; }
    }
}
CONF
"$NGINX" -c "$WORK/nginx.conf" -p "$WORK" 2>/dev/null
"$BIN" $SWIFT_PLAIN $SWIFT_TLS "$WORK/cert.pem" "$WORK/key.pem" 2>"$WORK/swift-access.log" &
SWIFT_PID=$!
sleep 1
NGINX_WORKERS=$(pgrep -P "$(cat "$WORK/nginx.pid")" | tr '\n' ' ')

for url in http://127.0.0.1:$NGINX_PLAIN https://127.0.0.1:$NGINX_TLS http://127.0.0.1:$SWIFT_PLAIN https://127.0.0.1:$SWIFT_TLS; do
    curl -sfk "$url/v1/health" >/dev/null || { echo "no answer from $url" >&2; exit 1; }
done

TICK=$(getconf CLK_TCK)
cpu_ticks() { # PIDS... -> user+system clock ticks used so far
    for pid in "$@"; do cat "/proc/$pid/stat"; done | awk '{ sum += $14 + $15 } END { print sum }'
}
measure() { # URL PIDS... -> "requests/s CPU-microseconds-per-request" (CPU time of the server processes only)
    local url=$1; shift
    local before after out
    before=$(cpu_ticks "$@")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "$url/v1/health")
    after=$(cpu_ticks "$@")
    echo "$out" | awk -v used=$((after - before)) -v tick="$TICK" \
        '/requests in/ { total = $1 } /^Requests\/sec:/ { rps = $2 } END { printf "%s %.1f\n", rps, used * 1e6 / tick / total }'
}

printf "wrk -t%s -c%s -d%s, keep-alive, GET /v1/health\n" "$THREADS" "$CONNECTIONS" "$DURATION"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
    for scheme in plain tls; do
        if [ $scheme = plain ]; then n=http://127.0.0.1:$NGINX_PLAIN; s=http://127.0.0.1:$SWIFT_PLAIN
        else n=https://127.0.0.1:$NGINX_TLS; s=https://127.0.0.1:$SWIFT_TLS; fi
        wrk -t1 -c4 -d1s "$n/v1/health" >/dev/null; wrk -t1 -c4 -d1s "$s/v1/health" >/dev/null  # warm-up
        read -r nginx_rps nginx_cpu < <(measure "$n" $NGINX_WORKERS)
        read -r swift_rps swift_cpu < <(measure "$s" $SWIFT_PID)
        awk -v r="$round" -v sc="$scheme" -v n="$nginx_rps" -v s="$swift_rps" -v nc="$nginx_cpu" -v scpu="$swift_cpu" \
            'BEGIN { printf "round %s %-5s nginx %8.0f req/s (%5.1f us CPU/req)   citybench %8.0f req/s (%5.1f us CPU/req)   ratio %.2f\n", r, sc, n, nc, s, scpu, s / n }'
        echo "$scheme $nginx_rps $swift_rps" >>"$WORK/results"
    done
done
# Median over rounds per scheme; the machine is shared, so single rounds swing widely.
for scheme in plain tls; do
    awk -v sc="$scheme" '$1 == sc { n[++c] = $2; s[c] = $3; r[c] = $3 / $2 }
        function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
        END { printf "median %-5s nginx %10.0f req/s   citybench %10.0f req/s   ratio %.2f (of %d rounds)\n", sc, median(n, c), median(s, c), median(r, c), c }' "$WORK/results"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "access log lines written by citybench: $(wc -l <"$WORK/swift-access.log")"
