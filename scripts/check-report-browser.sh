#!/usr/bin/env bash
# Issue 6: renders a generated HTML report (bench-rank --report) in headless Chromium, takes a
# screenshot and checks that the SVG charts are really drawn — the overall rank-interval chart
# (whiskers #6baed6, dots #08306b), the city × field heat map (its colour scale) and the KPI
# bar charts (#4292c6) — each as a non-blank region, and that the page logs no console messages
# (the report has no scripts, so any console line is a fault). The PNG is decoded with
# Python's zlib (no PIL). Not part of `swift test`: Chromium is too heavy for the test run.
# usage: [SHOT=FILE.png] scripts/check-report-browser.sh [REPORT.html]   (default: generate one)
# Prints PASS/FAIL per check; exits 1 if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."

# Viewport of the screenshot: wide enough for the widest chart, tall enough for the overall
# chart, the heat map and the first KPI bar charts.
WINDOW=${WINDOW:-1100,2600}
# Least pixels of a chart's colour that count as the chart being drawn.
MIN_PIXELS=${MIN_PIXELS:-150}
# Least share of non-white pixels inside the region a chart's colours span.
MIN_INK=${MIN_INK:-0.05}

if ! command -v chromium >/dev/null 2>&1; then
    echo "check-report-browser: chromium is missing; installing the Debian package"
    if [ "$(id -u)" -eq 0 ]; then sudo=(); elif command -v sudo >/dev/null; then sudo=(sudo); else
        echo "check-report-browser: cannot install chromium: not root and no sudo; run: apt-get install chromium" >&2; exit 1
    fi
    "${sudo[@]}" apt-get install -y chromium >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ $# -ge 1 ]; then
    report=$(realpath "$1")
else
    swift build -c release --product bench-rank >/dev/null
    .build/release/bench-rank --dir "$work" --report "$work/report.html" --uncertainty 200
    report="$work/report.html"
fi

failed=0
check() { # check NAME OK DETAIL
    if [ "$2" = 1 ]; then echo "PASS $1 ($3)"; else echo "FAIL $1 ($3)"; failed=1; fi
}

# Root cannot use Chromium's sandbox; the page is a local file with no scripts.
sandbox=()
[ "$(id -u)" -eq 0 ] && sandbox=(--no-sandbox)
status=0
chromium --headless "${sandbox[@]}" --disable-gpu --hide-scrollbars --force-device-scale-factor=1 \
    --user-data-dir="$work/profile" --window-size="$WINDOW" --screenshot="$work/shot.png" \
    --enable-logging=stderr --v=0 "file://$report" >"$work/stdout.log" 2>"$work/stderr.log" || status=$?
check "chromium renders the report" "$([ $status -eq 0 ] && [ -s "$work/shot.png" ] && echo 1 || echo 0)" "exit $status"

console=$(grep -c "CONSOLE" "$work/stderr.log" || true)
check "no console messages" "$([ "$console" -eq 0 ] && echo 1 || echo 0)" "$console lines"
[ "$console" -eq 0 ] || grep "CONSOLE" "$work/stderr.log" | head -5 | sed 's/^/    /'

[ -s "$work/shot.png" ] || { echo "FAIL no screenshot to inspect"; exit 1; }
# SHOT=FILE keeps the screenshot for a person to look at.
[ -z "${SHOT:-}" ] || cp "$work/shot.png" "$SHOT"

python3 - "$work/shot.png" "$MIN_PIXELS" "$MIN_INK" <<'PY' || failed=1
import struct, sys, zlib

path, min_pixels, min_ink = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat, width = 8, b"", 0
while pos < len(data):
    length, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + length]
    if kind == b"IHDR":
        width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
        assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG format"
        bpp = 3 if colour == 2 else 4
    elif kind == b"IDAT":
        idat += body
    pos += 12 + length
raw = zlib.decompress(idat)
stride = width * bpp
rows, prev = [], bytearray(stride)
for y in range(height):
    f = raw[y * (stride + 1)]
    line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride): line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride): line[i] = (line[i] + ((line[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line)
    prev = line

import numpy as np

image = np.frombuffer(b"".join(rows), dtype=np.uint8).reshape(height, width, bpp)[:, :, :3].astype(np.int32)
ink = (image < 235).any(axis=2)
failed = False

def report(name, mask):
    global failed
    count = int(mask.sum())
    if count < min_pixels:
        print(f"FAIL {name}: {count} pixels of its colours (at least {min_pixels} expected)")
        failed = True
        return
    ys, xs = np.nonzero(mask)
    y0, y1, x0, x1 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    share = float(ink[y0:y1, x0:x1].mean())
    ok = share >= min_ink
    failed |= not ok
    print(f"{'PASS' if ok else 'FAIL'} {name}: {count} pixels in region x {x0}-{x1}, y {y0}-{y1}, {share:.0%} non-white")

def colour(hex_rgb, tolerance=8):
    target = np.array([int(hex_rgb[i:i + 2], 16) for i in (1, 3, 5)])
    return (np.abs(image - target) <= tolerance).all(axis=2)

# The heat map's scale runs from (247,251,255) to (8,48,107): pixels on that line, away from
# its ends (white paper and the dots' dark blue).
light, dark = np.array([247, 251, 255]), np.array([8, 48, 107])
t = (light[0] - image[:, :, 0]) / (light[0] - dark[0])
on_scale = (np.abs(light + t[:, :, None] * (dark - light) - image) <= 4).all(axis=2) & (t > 0.15) & (t < 0.85)

print(f"     screenshot {width}x{height}, {float(ink.mean()):.1%} non-white")
report("overall rank-interval chart (whiskers #6baed6)", colour("#6baed6"))
report("overall rank-interval chart (dots #08306b)", colour("#08306b", 4))
report("field heat map (light-to-dark blue scale)", on_scale)
report("KPI bar charts (bars #4292c6)", colour("#4292c6"))
sys.exit(1 if failed else 0)
PY
echo
exit $failed
