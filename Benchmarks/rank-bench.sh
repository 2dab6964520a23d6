#!/bin/sh
# Ranking benchmark (design §10): release build of bench-rank, then 10 %, 50 % and 100 % of
# 1,000 cities x 300 KPIs x 10 periods from CSV to JSON, each compared with the pandas
# baseline (Benchmarks/rank_pandas.py) on the same file in the same run, and the real
# citybench binary end to end on the same file.
# usage: Benchmarks/rank-bench.sh [DIR]   (DIR holds the generated files; default a temp dir)
set -eu
cd "$(dirname "$0")/.."
python3 -c 'import pandas' 2>/dev/null || {
    echo "pandas is missing: pip install pandas" >&2
    exit 1
}
dir="${1:-$(mktemp -d)}"
swift build -c release --product bench-rank
swift build -c release --product citybench   # timed end to end beside the library figures
echo "== default options (1000 uncertainty runs for rank intervals)"
.build/release/bench-rank --dir "$dir" --pandas Benchmarks/rank_pandas.py
echo "== like for like with the pandas baseline (no uncertainty runs)"
.build/release/bench-rank --dir "$dir" --pandas Benchmarks/rank_pandas.py --uncertainty 0
