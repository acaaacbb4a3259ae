#!/usr/bin/env bash
# Instructions per received BFD control packet through the whole application
# (callgrind): nonstop in --replay on one lcore (-l 0: the worker is the BFD
# engine's), net_pcap input from scripts/bench/bfd_pcap.py, tx to the same
# port (net_pcap without tx_pcap drops it).  The slope between two captures
# (R1 and R2 rounds of SESSIONS Up packets) counts everything a packet costs
# once it is read: the rx burst, the loop's pass (replay takes one packet per
# pass: the features' polls are in it), the demux, the UDP checks and the
# engine; start-up and shutdown cancel out.
#   scripts/bench/callgrind_bfd_app.sh [BUILD_DIR=build] [SESSIONS=1000] [R1=4] [R2=24]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/app/nonstop
n=${2:-1000}
r1=${3:-4}
r2=${4:-24}
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install -y valgrind"; exit 1; }
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"; rm -rf /var/run/dpdk/cg-bfd-$$' EXIT
cat >"$tmp/bfd.ini" <<INI
[global]
idle = busy
mbufs = 8191
arp_entries = $((n + 1024))
bfd_max_sessions = $n
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
ir() { # rounds
	/usr/bin/python3 "$top/scripts/bench/bfd_pcap.py" "$n" "$1" "$tmp/bfd$1.pcap"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg$1.out" "$bin" --no-huge -m 512 \
		--no-pci --no-shconf -l 0 --file-prefix "cg-bfd-$$" --log-level=lib.eal:error \
		--vdev "net_pcap0,rx_pcap=$tmp/bfd$1.pcap" -- --config "$tmp/bfd.ini" --replay --no-ctl \
		--dump-counters "$tmp/c$1" >"$tmp/log$1" 2>&1
	awk -v want=$((n * ($1 + 1))) '$1 == "bfd.rx_packets" && $2 != want {print "unexpected " $0 > "/dev/stderr"}' "$tmp/c$1"
	awk '/^summary:/{print $2}' "$tmp/cg$1.out"
}
a=$(ir "$r1")
b=$(ir "$r2")
awk -v a="$a" -v b="$b" -v p=$((n * (r2 - r1))) -v n="$n" 'BEGIN{printf "%.0f instructions per BFD packet through the application (%d sessions Up, slope over %d packets)\n", (b-a)/p, n, p}'
