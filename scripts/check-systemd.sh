#!/usr/bin/env bash
# Verifies the systemd units in config/systemd/ with `systemd-analyze verify` (syntax, known
# directives, ExecStart executable, dependencies resolvable) and reports their sandbox exposure
# with `systemd-analyze security --offline`. Runs without systemd as init: the units are checked
# inside a throwaway root holding the distribution's unit files and a stub
# /usr/local/bin/citybench, so this machine's /etc and /usr/local stay untouched.
# Prints PASS/FAIL per check; exits 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Highest acceptable `systemd-analyze security` exposure (0 = fully sandboxed, 10 = unsandboxed;
# systemd calls up to 2.0 "OK").
MAX_EXPOSURE=${MAX_EXPOSURE:-2.0}
units=(citybench.service citybench-sync.service citybench-sync.timer)

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "check-systemd: systemd-analyze is missing; installing the systemd package (tools only, it does not become init)"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
        echo "check-systemd: cannot install systemd: not root and no sudo; run: apt-get install systemd" >&2; exit 1
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends systemd \
        || { echo "check-systemd: apt-get could not install systemd" >&2; exit 1; }
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
printf '#!/bin/sh\nexit 0\n' > "$root/usr/local/bin/citybench"
chmod 0755 "$root/usr/local/bin/citybench"
for u in "${units[@]}"; do cp "config/systemd/$u" "$root/etc/systemd/system/$u"; done

failures=0
echo "systemd-analyze: $(systemd-analyze --version | head -1)"
status=0; out=$(systemd-analyze verify --root="$root" "${units[@]}" 2>&1) || status=$?
if [ "$status" -eq 0 ] && [ -z "$out" ]; then
    echo "PASS  systemd-analyze verify ${units[*]}: no findings"
else
    echo "FAIL  systemd-analyze verify (exit $status):"; echo "$out" | sed "s|$root||g; s/^/      /"
    failures=$((failures + 1))
fi

for u in "${units[@]}"; do
    [[ $u == *.service ]] || continue
    line=$(systemd-analyze security --offline=yes --root="$root" "$u" 2>&1 | grep 'Overall exposure level' || true)
    exposure=$(echo "$line" | sed -E 's/.*: ([0-9.]+).*/\1/')
    if [ -n "$exposure" ] && awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e <= m) }'; then
        echo "PASS  systemd-analyze security $u: exposure $exposure (at most $MAX_EXPOSURE)"
    else
        echo "FAIL  systemd-analyze security $u: exposure ${exposure:-unknown} (at most $MAX_EXPOSURE allowed)"
        failures=$((failures + 1))
    fi
done

if [ "$failures" -eq 0 ]; then echo "check-systemd: all checks passed"; else echo "check-systemd: $failures checks failed"; exit 1; fi
