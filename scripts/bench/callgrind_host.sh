#!/usr/bin/env bash
# Instructions per packet of the host stack (lib/net), counted by callgrind:
#   scripts/bench/callgrind_host.sh [BUILD_DIR=build]
# For each frame kind, runs bench_host with N1 and N2 frames and reports
# (Ir(N2) - Ir(N1)) / (N2 - N1), minus the same slope of the frame-restore
# loop alone ("copy"), so setup and the harness's memcpy are not counted.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/tests/bench_host
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install -y valgrind"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n1=10000 n2=110000

ir() { # mode n
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bin" "$1" "$2" >/dev/null 2>"$tmp/vg.err"
	awk '/^summary:/{print $2}' "$tmp/cg.out"
}
slope() { awk -v a="$(ir "$1" $n1)" -v b="$(ir "$1" $n2)" -v d=$((n2 - n1)) 'BEGIN{printf "%.1f", (b-a)/d}'; }

base=$(slope copy)
printf '%-22s %10s\n' "frame" "instr/pkt"
for m in echo arp bad_cksum; do
	s=$(slope "$m")
	printf '%-22s %10.1f\n' "$m" "$(awk -v s="$s" -v b="$base" 'BEGIN{print s-b}')"
done
echo "(harness frame restore, subtracted: $base instr/pkt; binary: $bin)"
