#!/usr/bin/env bash
# Instructions per packet of the multicast overlay (callgrind), the whole
# path from classification to the tx buffer: the inclusive cost of
# ovl_rx_burst (app/overlay.c: classify, encapsulate or decapsulate, reorder window,
# fan-out, ARP lookup, rte_eth_tx_buffer) divided by the packets.  nonstop
# runs in --replay on a finite net_pcap input (it exits at the end), so the
# PMD's rx and tx bursts are not counted.
#   scripts/bench/callgrind_overlay.sh [BUILD_DIR=build] [PACKETS=20000]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/app/nonstop
n=${2:-20000}
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind missing: apt-get install -y valgrind"; exit 1; }
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"; rm -rf /var/run/dpdk/cg-ovl-$$' EXIT
"$top/scripts/bench/overlay_setup.sh" "$tmp" "$n" "$n"
for mode in encap decap1 decap4; do
	# one lcore (-l 0): the main lcore is the worker
	sed -i '/^\[lcores\]/,/^workers/d' "$tmp/$mode.ini"
	valgrind --tool=callgrind --callgrind-out-file="$tmp/$mode.cg" "$bin" --no-huge -m 512 \
		--no-pci --no-shconf -l 0 --file-prefix "cg-ovl-$$" --log-level=lib.eal:error \
		--vdev "net_pcap0,rx_pcap=$tmp/${mode%[0-9]}.pcap" --vdev net_null0,no-rx=1 -- \
		--config "$tmp/$mode.ini" --replay --no-ctl >"$tmp/$mode.log" 2>&1
	ir=$(callgrind_annotate --inclusive=yes "$tmp/$mode.cg" 2>/dev/null |
		grep -E "overlay.c:ovl_rx_burst " | head -1 | awk '{gsub(",","",$1); print $1}')
	awk -v i="$ir" -v n="$n" -v m="$mode" 'BEGIN{printf "%-7s %6.0f instructions per input packet (%d packets)\n", m, i/n, n}'
done
