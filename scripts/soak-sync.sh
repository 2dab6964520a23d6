#!/usr/bin/env bash
# Long kill-point sweep of `citybench sync` (beyond the 100 points of the standard test set):
# a node syncing over HTTPS on loopback is killed with SIGKILL at POINTS random moments; after
# each kill the database must pass `db check`, the peer cursor must not point past data that is
# stored, and the final run must complete. Usage: scripts/soak-sync.sh [POINTS] (default 2000).
set -euo pipefail
POINTS="${1:-2000}"
cd "$(dirname "$0")/.."
swift build --build-tests
CITYBENCH_KILL_POINTS="$POINTS" swift test --skip-build --filter 'SyncTests.LoopbackSyncTests/syncKilledAtRandomPointsLeavesASoundDatabaseAndResumes'
