#!/usr/bin/env bash
# Instructions per request in kv's core (callgrind): build/tests/bench_kv
# parses and executes N pipelined requests of each redis-benchmark test
# (the same bytes redis-benchmark sends) as kv's serve() does, without TCP
# or the application API; the inclusive cost of serve_all() divided by N.
#   scripts/bench/callgrind_kv.sh [BUILD_DIR=build] [N=100000]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/tests/bench_kv
n=${2:-100000}
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for t in ping_inline ping_mbulk set get incr mset; do
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" "$t" "$n" >/dev/null 2>&1
	ir=$(callgrind_annotate --inclusive=yes --threshold=100 "$tmp/cg.out" 2>/dev/null |
		grep -E '[ :]serve_all( |$|\[)' | head -1 | awk '{gsub(",", "", $1); print $1}')
	awk -v t="$t" -v ir="$ir" -v n="$n" 'BEGIN {
		printf "%-12s %6.0f instructions per request (%d requests)\n", t, ir / n, n }'
done
