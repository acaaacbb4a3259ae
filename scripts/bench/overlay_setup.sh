#!/usr/bin/env bash
# Inputs of the overlay benchmarks (overlay_bench.sh, callgrind_overlay.sh):
#   scripts/bench/overlay_setup.sh DIR ENCAP_PACKETS DECAP_PACKETS
# DIR/encap.pcap: inner UDP (64 payload bytes, 256 source ports) to the
# session's match 203.0.113.100:5000, to nonstop's MAC; DIR/decap.pcap:
# GRE-in-UDP to 239.1.1.1, key 7001, sequence 0, 1, ...; DIR/encap.ini,
# decap1.ini, decap4.ini: one busy worker, net_pcap0 in, net_null0 out (the
# clients as static neighbours).
set -euo pipefail
dir=$1
/usr/bin/python3 - "$dir" "$2" "$3" <<'PY'
import struct, sys
from scapy.all import IP, UDP, Ether, Raw, wrpcap
d, ne, nd = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
wrpcap(d + "/encap.pcap", [Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") /
       IP(src="198.51.100.7", dst="203.0.113.100") / UDP(sport=40000 + i % 256, dport=5000) /
       Raw(bytes(64)) for i in range(ne)])
inner = lambda s: bytes(IP(src="198.51.100.7", dst="203.0.113.100") / UDP(sport=40000, dport=5000) /
                        Raw(struct.pack("!I", s) + bytes(60)))
wrpcap(d + "/decap.pcap", [Ether(src="02:00:00:00:00:01", dst="01:00:5e:01:01:01") /
       IP(src="198.51.100.1", dst="239.1.1.1", ttl=8) / UDP(sport=50000, dport=4754, chksum=0) /
       Raw(struct.pack("!HHII", 0x3000, 0x0800, 7001, s) + inner(s)) for s in range(nd)])
PY
common="[global]
idle = busy
burst = 32
[lcores]
workers = 1"
cat >"$dir/encap.ini" <<INI
$common
[port.in]
dev = net_pcap0
ip = 203.0.113.1/24
mac = 02:00:00:00:00:02
[port.out]
dev = net_null0
ip = 198.51.100.1/24
[overlay.bench]
role = encap
key = 7001
group = 239.1.1.1
port = out
match = 203.0.113.100:5000
INI
for n in 1 4; do
	clients="" neigh=""
	for i in $(seq 1 "$n"); do
		clients+="${clients:+,}192.0.2.$((9 + i))"
		neigh+="${neigh:+, }192.0.2.$((9 + i)) 02:00:00:00:00:$((10 + i))"
	done
	cat >"$dir/decap$n.ini" <<INI
$common
[port.in]
dev = net_pcap0
ip = 198.51.100.2/24
igmp = true
[port.cli]
dev = net_null0
ip = 192.0.2.1/24
neighbors = $neigh
[overlay.bench]
role = decap
key = 7001
group = 239.1.1.1
port = in
client_port = cli
clients = $clients
INI
done
