#!/usr/bin/env bash
# CPU used by an idle nonstop in adaptive mode (no traffic: net_ring port).
#   scripts/bench/idle_cpu.sh [SECONDS=10]
# Measures utime+stime of the whole process (all lcores and threads) from
# /proc/PID/stat over the window, for -l 0 (worker shares the main lcore)
# and -l 0-1 (worker on lcore 1), and prints percent of one core.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
hz=$(getconf CLK_TCK)

cat >"$tmp/idle.ini" <<INI
[global]
idle = adaptive
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
mac = 02:00:00:00:00:02
INI

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

for lcores in 0 0-1; do
	"$top/build/app/nonstop" --no-huge -m 512 --no-pci --no-shconf -l "$lcores" \
		--file-prefix idle-$$ --vdev net_ring0 -- --config "$tmp/idle.ini" \
		--ctl-socket "$tmp/ctl.sock" >"$tmp/out" 2>&1 &
	pid=$!
	sleep 2
	c0=$(cpu_ticks "$pid")
	t0=$(date +%s.%N)
	sleep "$secs"
	c1=$(cpu_ticks "$pid")
	t1=$(date +%s.%N)
	sleeps=$("$top/build/app/nonstopctl" -s "$tmp/ctl.sock" show counters | awk '$1=="dp.idle_sleeps"{print $2}')
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" quit >/dev/null || kill "$pid"
	wait "$pid" || true
	pid=
	awk -v a="$c0" -v b="$c1" -v s="$t0" -v e="$t1" -v hz="$hz" -v l="$lcores" -v n="$sleeps" \
		'BEGIN{printf "-l %-4s idle CPU: %5.1f%% of one core over %.1f s (%s idle sleeps)\n", l, 100*(b-a)/hz/(e-s), e-s, n}'
done
