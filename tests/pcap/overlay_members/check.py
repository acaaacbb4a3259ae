#!/usr/bin/python3
"""Who got what: .20 seq 0-2 (joined, then left), .21 seq 1-3 (joined by
IGMPv2 after 0, left before 4), nobody 4; the startup general query
(QRV 2, QQIC 10, Max Resp 10 tenths) and group-specific queries for
239.1.1.1 after the leaves."""
import struct
import sys

from scapy.all import IP, UDP, rdpcap

got = {}
general = specific = 0
for p in rdpcap(sys.argv[2]):
    if IP not in p:
        continue
    ip = p[IP]
    if UDP in p and p[UDP].dport == 5000:
        got.setdefault(ip.dst, []).append(int(bytes(p[UDP].payload)[3:8]))
    elif ip.proto == 2:
        m = bytes(ip.payload)
        if m[0] == 0x11 and len(m) >= 12:
            group = ".".join(map(str, m[4:8]))
            if group == "0.0.0.0" and m[1] == 10 and m[8] & 7 == 2 and m[9] == 10:
                general += 1
            elif group == "239.1.1.1" and ip.dst == "239.1.1.1" and ip.ttl == 1:
                specific += 1
want = {"192.0.2.20": [0, 1, 2], "192.0.2.21": [1, 2, 3]}
ok = got == want and general == 1 and specific >= 2
print(f"check: clients {got}, general queries {general}, group-specific {specific}")
sys.exit(0 if ok else 1)
