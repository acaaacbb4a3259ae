#!/usr/bin/env bash
# BFD control packets received per second on one busy-polling fast-path
# lcore, against dpdk-testpmd io-forwarding the same packets, alternating in
# one run.  Both read scripts/bench/bfd_pcap.py's capture through net_pcap
# with infinite_rx=1 (every rx burst copies the looped packets into fresh
# mbufs, for both) on lcore 1; lcore 0 is the control lcore.
#   nonstop: one worker = the fast-path lcore ([lcores] fastpath = 1): rx
#     burst, Ethernet/IPv4/UDP checks, the BFD engine (SESSIONS sessions Up,
#     each answering at 1 s, next hops learnt from the capture's ARP replies)
#   testpmd: --forward-mode=io, the port forwarding to itself (net_pcap
#     without tx drops what it is given)
#   scripts/bench/bfd_rate.sh [SESSIONS=10000] [REPS=3] [SECONDS=5]
# Metric: rx packets per second over a window after a warm-up (ipackets delta
# for nonstop, Rx-pps for testpmd).  Checks that every session is Up and that
# no BFD packet was dropped.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-10000}
reps=${2:-3}
secs=${3:-5}
warm=3
# ~250 000 frames per capture, and at least 3 Up rounds after the ARP and Init
# ones; mbufs for all of them (infinite_rx keeps them), the sessions' own
# transmissions and the work in flight.
rounds=$(((250000 + n - 1) / n - 2))
[ "$rounds" -ge 3 ] || rounds=3
frames=$((n * (rounds + 2)))
mbufs=$((frames + n + 65536))
mem=$((mbufs * 4 / 1024 + 256))
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
[ -x "$top/build/app/nonstop" ] || { echo "build first: meson setup build && ninja -C build"; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing: apt-get install -y dpdk"; exit 1; }

/usr/bin/python3 "$top/scripts/bench/bfd_pcap.py" "$n" "$rounds" "$tmp/bfd.pcap"
eal=(--no-huge -m "$mem" --no-pci --no-shconf -l 0-1 --vdev "net_pcap0,rx_pcap=$tmp/bfd.pcap,infinite_rx=1")
cat >"$tmp/bfd.ini" <<INI
[global]
idle = busy
burst = 32
mbufs = $mbufs
arp_entries = $((n + 1024))
bfd_max_sessions = $n
[lcores]
workers = 1
fastpath = 1
[port.p]
dev = net_pcap0
ip = 198.18.0.1/15
mac = 02:00:00:00:00:01
[bfd.peer]
peer = 198.18.1.0
count = $n
tx_interval_ms = 1000
rx_interval_ms = 1000
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
	} | timeout $((warm + secs + 60)) dpdk-testpmd "${eal[@]}" --file-prefix bfdr-tp-$$ -- \
		-i --forward-mode=io --auto-start --burst=32 --total-num-mbufs="$mbufs" --mbcache=256 \
		>"$out" 2>&1 || true
	awk '/Rx-pps:/{v=$2} END{print v+0}' "$out"
}

ctl() { "$top/build/app/nonstopctl" -s "$tmp/ctl.sock" "$@"; }
rx() { ctl show port stats 0 | awk '/rx-packets:/{print $2}'; }

run_nonstop() {
	"$top/build/app/nonstop" "${eal[@]}" --file-prefix bfdr-ns-$$ -- --config "$tmp/bfd.ini" \
		--ctl-socket "$tmp/ctl.sock" >"$tmp/nonstop.out" 2>&1 &
	local pid=$! i t0 p0 t1 p1
	pids+=("$pid")
	for ((i = 0; i < 100; i++)); do ctl show version >/dev/null 2>&1 && break; sleep 0.1; done
	sleep "$warm"
	t0=$(date +%s.%N) p0=$(rx)
	sleep "$secs"
	t1=$(date +%s.%N) p1=$(rx)
	ctl show bfd stats all >"$tmp/bfd.stats"
	ctl show counters >"$tmp/counters"
	ctl quit >/dev/null || kill "$pid"
	wait "$pid" || true
	awk -v a="$p0" -v b="$p1" -v s="$t0" -v e="$t1" 'BEGIN{printf "%.0f\n", (b-a)/(e-s)}'
}

stat() { awk -v k="bfd.$1" '$1 == k {print $2}' "$tmp/bfd.stats"; }
ratios=()
echo "sessions $n, capture $frames frames ($rounds Up rounds), window ${secs}s, burst 32, busy"
printf '%-4s %14s %14s %7s %10s %14s\n' rep testpmd_pps nonstop_pps ratio sessions_up predicted
for r in $(seq 1 "$reps"); do
	tp=$(run_testpmd)
	ns=$(run_nonstop)
	ratio=$(awk -v a="$ns" -v b="$tp" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')
	ratios+=("$ratio")
	printf '%-4s %14s %14s %7s %10s %14s\n' "$r" "$tp" "$ns" "$ratio" "$(stat state_up)" \
		"$(awk -v p="$(stat rx_predicted)" -v a="$(stat rx_packets)" 'BEGIN{printf "%.1f%%", 100*p/a}')"
	if [ "$(stat state_up)" != "$n" ] || [ "$(stat state_down)" != 0 ]; then
		echo "FAIL: $(stat state_up) sessions went Up, $(stat state_down) Down (want $n, 0)"
		cat "$tmp/bfd.stats"
		exit 1
	fi
	drops=$(grep -hE "drop:" "$tmp/bfd.stats" "$tmp/counters" | awk '$2 != 0' | grep -v "arp_\|tx_" || true)
	[ -z "$drops" ] || { echo "receive drops:"; echo "$drops"; }
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}')
echo "median ratio nonstop/testpmd: $median ($n sessions Up; target >= 0.8)"
