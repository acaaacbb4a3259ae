#!/usr/bin/env bash
# Instructions per received BFD control packet (callgrind), engine only (no
# EAL, no PMD): build/tests/bench_bfd keeps SESSIONS sessions Up and delivers
# one packet per session per 10 ms round; the inclusive cost of rx_round()
# (parse, O(1) lookup by discriminator, state machine, detection re-arm,
# health publish) is divided by the packets it received.
#   scripts/bench/callgrind_bfd.sh [BUILD_DIR=build] [SESSIONS=10000] [ROUNDS=20]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/tests/bench_bfd
n=${2:-10000}
rounds=${3:-20}
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" "$n" "$rounds" 2>/dev/null)
pkts=$(awk '{print $2}' <<<"$out")
ir=$(callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null | grep -E "[ :]rx_round( |$|\[)" |
	head -1 | awk '{gsub(",","",$1); print $1}')
awk -v i="$ir" -v p="$pkts" -v n="$n" 'BEGIN{printf "%.0f instructions per received BFD control packet (%d sessions Up, %d packets)\n", i/p, n, p}'
