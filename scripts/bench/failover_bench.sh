#!/usr/bin/env bash
# Failover benchmarks, on this host, with the netns topology of
# tests/netns/failover.sh (root):
#   1. TCB activation cost per connection (bench_activate, no EAL): a planned
#      switchover's (drained) and a failover's (unacknowledged data sent
#      again), 10 000 and 100 000 connections.
#   2. The failover timeline over KILLS (default 20) kill -9 rounds with 50
#      streaming kernel connections: detection, promotion, first peer byte
#      acknowledged and first byte sent by the new active (p50/p99), and the
#      wire stall per connection.
#   3. SWITCHOVERS (default 20) planned switchovers: pause p50/p99.
#   4. docs/failover_seq.png (gnuplot): one connection's bytes over time
#      across a kill (a run of its own: one kill, 5 connections).
#   scripts/bench/failover_bench.sh [KILLS=20] [SWITCHOVERS=20] [BUILD=build]
# TOPO_HA_FAILOVER_MS=N sets the pair's failover_ms (default 30): a standby
# takes over after N + N/4 (one keepalive) + 3 ms of silence.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
kills=${1:-20}
switchovers=${2:-20}
build=$top/${3:-build}
[ "$(id -u)" = 0 ] || { echo "needs root (network namespaces)"; exit 1; }
command -v gnuplot >/dev/null || apt-get install -y gnuplot-nox >/dev/null
export NONSTOP=$build/app/nonstop NONSTOPCTL=$build/app/nonstopctl
export TOPO_HA_FAILOVER_MS=${TOPO_HA_FAILOVER_MS:-30}

echo "== TCB activation"
for n in 10000 100000; do
	"$build/tests/bench_activate" "$n" 8192 drained
	"$build/tests/bench_activate" "$n" 0 unplanned
	"$build/tests/bench_activate" "$n" 8192 unplanned
done

echo "== failover timeline, $kills kills"
log=$(mktemp)
KEEP_TMP=1 FAILOVER_ROUNDS=$kills FAILOVER_CONNS=50 "$top/tests/netns/failover.sh" >"$log" 2>&1
rc=$?
grep -E "^(ok|FAIL)|over [0-9]+|wire stall over" "$log" | grep -v "^ok   round" | sed 's/^/  /'
[ "$rc" = 0 ] || echo "  failover.sh exit $rc (see $log)"
dir=$(sed -n 's/^KEEP_TMP=1: kept //p' "$log" | tail -1)

echo "== planned switchover, $switchovers"
SWITCHOVERS=$switchovers "$top/tests/netns/switchover.sh" 2>&1 | grep -E "pause|wire stall over|^FAIL" | sed 's/^/  /'

rm -rf "$dir"
# The plot: a short run of its own (one kill, 5 connections: a small capture).
KEEP_TMP=1 FAILOVER_ROUNDS=1 FAILOVER_CONNS=5 "$top/tests/netns/failover.sh" >"$log" 2>&1
dir=$(sed -n 's/^KEEP_TMP=1: kept //p' "$log" | tail -1)
if [ -n "$dir" ] && [ -f "$dir/kills" ]; then
	echo "== docs/failover_seq.png"
	k=$(awk 'NR == 1 {print $2}' "$dir/kills")
	# stream 0: the peer's bytes (sequence, relative) and the echo's, from 0.3 s
	# before the kill to 0.5 s after it, times relative to the kill in ms
	tshark -r "$dir/peer.pcap" -Y "tcp.stream == 0 && tcp.len > 0" -T fields \
		-e frame.time_epoch -e tcp.srcport -e tcp.seq -e tcp.len 2>/dev/null |
		awk -v k="$k" '$1 > k - 0.3 && $1 < k + 0.5 {printf "%.3f %s %d\n", ($1 - k) * 1000, ($2 == 7 ? "echo" : "peer"), $3 + $4}' \
			>"$dir/seq.dat"
	took=$(awk 'NR == 1 && $3 != "" {printf "%.1f", $3 / 1e6 - $2 * 1000}' "$dir/timeline")
	gnuplot <<GP
set terminal pngcairo size 900,500 noenhanced
set output "$top/docs/failover_seq.png"
set title "One connection (of 5 streaming 100 KB/s each way) across kill -9 of the active; failover_ms = $TOPO_HA_FAILOVER_MS"
set xlabel "ms after the kill"
set ylabel "bytes (sequence, relative)"
set key right bottom
set arrow from 0, graph 0 to 0, graph 1 nohead lc rgb "red"
set label "kill -9" at 2, graph 0.95 tc rgb "red"
set arrow from ${took:-30}, graph 0 to ${took:-30}, graph 1 nohead lc rgb "blue" dt 2
set label "takeover" at ${took:-30} + 2, graph 0.88 tc rgb "blue"
plot "< grep peer $dir/seq.dat" using 1:3 with points pt 7 ps 0.5 title "peer -> nonstop (data sent)", \
     "< grep echo $dir/seq.dat" using 1:3 with points pt 5 ps 0.5 title "nonstop -> peer (echo)"
GP
	echo "  written ($(wc -l <"$dir/seq.dat") segments)"
	rm -rf "$dir"
fi
rm -f "$log"
