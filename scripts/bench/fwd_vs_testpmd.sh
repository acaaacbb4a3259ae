#!/usr/bin/env bash
# Port 0 <-> port 1 io forwarding on net_null, busy polling, one forwarding
# lcore: nonstop vs dpdk-testpmd --forward-mode=io, alternating in one run.
#   scripts/bench/fwd_vs_testpmd.sh [REPS=5] [SECONDS=5]
# Metric: forwarded packets per second (sum of both ports' TX) over a window
# that starts after a warm-up.  testpmd computes its own rate (Tx-pps of
# 'show port stats' between two calls); for nonstop the script divides the
# opackets delta by the measured window.  Both use one pool of 8191 mbufs
# (cache 256), nonstop's default.  Prints each pair and the median ratio.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
reps=${1:-5}
secs=${2:-5}
warm=2
eal=(--no-huge -m 512 --no-pci --no-shconf -l 0-1 --vdev net_null0 --vdev net_null1)
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

[ -x "$top/build/app/nonstop" ] || { echo "build first: meson setup build && ninja -C build"; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing: apt-get install -y dpdk"; exit 1; }

cat >"$tmp/fwd.ini" <<INI
[global]
idle = busy
burst = 32
[lcores]
workers = 1
[port.a]
dev = net_null0
forward = b
[port.b]
dev = net_null1
forward = a
INI

run_testpmd() {
	local out=$tmp/testpmd.out
	{
		sleep "$warm"
		echo "show port stats all"
		sleep "$secs"
		echo "show port stats all"
		sleep 0.5
		echo "quit"
	} | timeout $((warm + secs + 30)) dpdk-testpmd "${eal[@]}" --file-prefix bench-tp-$$ -- \
		-i --forward-mode=io --auto-start --burst=32 --total-num-mbufs=8191 --mbcache=256 >"$out" 2>&1 || true
	# Second 'show port stats all': Tx-pps of port 0 and 1.
	awk '/Tx-pps:/{n++; v[n]=$2} END{print v[n-1]+v[n]}' "$out"
}

ostat() { # total opackets over both ports
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" show port stats all |
		awk '/tx-packets:/{s+=$2} END{print s}'
}

run_nonstop() {
	"$top/build/app/nonstop" "${eal[@]}" --file-prefix bench-ns-$$ -- --config "$tmp/fwd.ini" \
		--ctl-socket "$tmp/ctl.sock" >"$tmp/nonstop.out" 2>&1 &
	local pid=$!
	pids+=("$pid")
	sleep "$warm"
	local t0 p0 t1 p1
	t0=$(date +%s.%N) p0=$(ostat)
	sleep "$secs"
	t1=$(date +%s.%N) p1=$(ostat)
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" quit >/dev/null || kill "$pid"
	wait "$pid" || true
	awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.0f\n", (b-a)/(e-s)}'
}

ratios=()
printf '%-4s %14s %14s %7s\n' rep testpmd_pps nonstop_pps ratio
for r in $(seq 1 "$reps"); do
	tp=$(run_testpmd)
	ns=$(run_nonstop)
	ratio=$(awk -v a="$ns" -v b="$tp" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')
	ratios+=("$ratio")
	printf '%-4s %14s %14s %7s\n' "$r" "$tp" "$ns" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}')
echo "median ratio nonstop/testpmd: $median (reps=$reps, window=${secs}s, net_null 64B, burst 32, 1 fwd lcore)"
