#!/usr/bin/env bash
# Instructions per TCP data segment received and per ACK processed (callgrind),
# TCP core only (no EAL, no PMD): build/tests/bench_tcp moves BYTES from one
# stack to another in memory; the inclusive cost of rx_data()/rx_ack() is
# divided by the segment/ACK counts the driver prints.
#   scripts/bench/callgrind_tcp.sh [BUILD_DIR=build] [BYTES=20000000]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/tests/bench_tcp
bytes=${2:-20000000}
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ir() { grep -E "[ :]$1( |$|\\[)" <<<"$ann" | head -1 | awk '{gsub(",","",$1); print $1}'; }
for mode in software offload; do
	counts=$(valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" "$bytes" $mode 2>/dev/null)
	segs=$(awk '{print $2}' <<<"$counts")
	acks=$(awk '{print $4}' <<<"$counts")
	ann=$(callgrind_annotate --inclusive=yes "$tmp/cg.out" 2>/dev/null)
	d=$(ir rx_data)
	a=$(ir rx_ack)
	awk -v d="$d" -v a="$a" -v s="$segs" -v k="$acks" -v m="$mode" 'BEGIN{
		printf "%-9s checksums: %6.0f instructions per data segment received (1448 B, copy and ACK decision included), %5.0f per ACK processed (%d segments, %d ACKs)\n", m, d/s, a/k, s, k }'
done
