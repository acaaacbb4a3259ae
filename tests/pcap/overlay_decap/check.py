#!/usr/bin/python3
"""Each client gets sequence numbers 0-5, 7, 8, 9 once each, in order, with
its own address as the destination and the inner packet otherwise as sent
(checksums verified by tshark in run_case.sh)."""
import sys

from scapy.all import IP, UDP, rdpcap

want = [0, 1, 2, 3, 4, 5, 7, 8, 9]
got = {"192.0.2.10": [], "192.0.2.11": []}
for p in rdpcap(sys.argv[2]):
    if IP in p and UDP in p and p[UDP].dport == 5000 and p[IP].dst in got:
        got[p[IP].dst].append(int(bytes(p[UDP].payload)[3:8]))
bad = [c for c, s in got.items() if s != want]
for c in bad:
    print(f"client {c}: {got[c]}, expected {want}")
print("check: both clients got " + " ".join(map(str, want)) + " once, in order" if not bad else "")
sys.exit(1 if bad else 0)
