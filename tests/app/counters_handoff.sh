#!/usr/bin/env bash
# Frames handed to the fast-path lcore are counted once: a worker (lcore 0)
# and a fast-path lcore of its own (lcore 1) that runs the BFD engine; the
# worker reads a capture (net_pcap, live, not --replay; a tx queue per
# loop) of ARP and BFD frames and hands the BFD ones over its ring.  At
# exit --dump-counters
# says dp.rx_packets = the frames in the capture, dp.bfd_handoff = the BFD
# ones, bfd.* counts them, and every frame is in exactly one counter
# (tests/pcap/lib/accounting.py).
#   counters_handoff.sh NONSTOP_BIN NONSTOPCTL_BIN
set -uo pipefail
nonstop=$(readlink -f "$1")
nonstopctl=$(readlink -f "$2")
here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
prefix=handoff-$$
trap 'rm -rf "$tmp" /var/run/dpdk/$prefix' EXIT
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

"$py" "$here/../pcap/bfd_session/gen.py" "$tmp/in.pcap"
frames=$("$py" -c 'from scapy.all import rdpcap; import sys; print(len(rdpcap(sys.argv[1])))' "$tmp/in.pcap")
bfd=$("$py" -c 'from scapy.all import rdpcap, UDP; import sys
print(sum(1 for p in rdpcap(sys.argv[1]) if UDP in p and p[UDP].dport == 3784))' "$tmp/in.pcap")
cat >"$tmp/ns.ini" <<'INI'
[global]
idle = adaptive
[lcores]
workers = 0
fastpath = 1
[port.p0]
dev = net_pcap0
ip = 192.0.2.2/24
mac = 02:00:00:00:00:02
promisc = no
[bfd.peer]
peer = 192.0.2.1
INI
timeout 60 "$nonstop" --no-huge -m 256 --no-pci --no-shconf --file-prefix "$prefix" -l 0-1 \
	--log-level=lib.eal:error --vdev "net_pcap0,rx_pcap=$tmp/in.pcap,tx_pcap=$tmp/out0.pcap,tx_pcap=$tmp/out1.pcap" -- \
	--config "$tmp/ns.ini" --ctl-socket "$tmp/ctl.sock" --dump-counters "$tmp/counters" \
	</dev/null >"$tmp/nonstop.log" 2>&1 &
pid=$!
# until the capture is read (the engine has counted every BFD frame)
for _ in $(seq 100); do
	n=$("$nonstopctl" -s "$tmp/ctl.sock" show bfd stats 2>/dev/null |
		awk '$1 == "bfd.rx_packets" {print $2}')
	[ "${n:-0}" -ge "$bfd" ] && break
	sleep 0.1
done
sleep 0.3
"$nonstopctl" -s "$tmp/ctl.sock" quit >/dev/null 2>&1
wait $pid
rc=$?
check "nonstop exited with status 0 (got $rc)" '[ $rc = 0 ]'
get() { awk -v n="$1" '$1 == n {print $2}' "$tmp/counters"; }
check "dp.rx_packets $(get dp.rx_packets) = the $frames frames read" '[ "$(get dp.rx_packets)" = "$frames" ]'
check "dp.bfd_handoff $(get dp.bfd_handoff) = the $bfd BFD frames" '[ "$(get dp.bfd_handoff)" = "$bfd" ]'
check "bfd.rx_packets $(get bfd.rx_packets) in the dump" '[ "$(get bfd.rx_packets)" = "$bfd" ]'
check "each frame in exactly one counter" '"$py" "$here/../pcap/lib/accounting.py" "$tmp/counters"'
[ $fail = 0 ] || cat "$tmp/nonstop.log"
exit $fail
