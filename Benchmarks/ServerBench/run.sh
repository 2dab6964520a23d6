#!/usr/bin/env bash
# Peer-API figures (design §10): ingest of 300-KPI records through POST /v1/push, authenticated
# no-change GET /v1/changes against `openssl speed ed25519` verify/s on one core, and
# the server's RSS idle and holding 1,000 origins. The server runs pinned to core 0
# (SERVER_CORE), the client on core 1. Everything listens on 127.0.0.1 and stops at the end.
# Usage: Benchmarks/ServerBench/run.sh [--origins N] [--requests N]
set -euo pipefail
cd "$(dirname "$0")/../.."
echo "building release..."
swift build -c release --product bench-server >/dev/null
BIN=$(swift build -c release --show-bin-path)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
SERVER_CORE=${SERVER_CORE:-0} taskset -c "${CLIENT_CORE:-1}" "$BIN/bench-server" run "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
