#!/usr/bin/python3
"""Every encapsulated copy carries the inner packet unchanged (the TCP SYN
only with its MSS clamped), in order, and each copy of one sequence number
carries the same bytes."""
import sys

from scapy.all import IP, rdpcap

inp = [bytes(p[IP]) for p in rdpcap(sys.argv[1]) if IP in p and p[IP].dst == "203.0.113.100"]
# the one too big for the MTU is not sent
inp = [b for b in inp if len(b) + 40 <= 1500]
out = {}
for p in rdpcap(sys.argv[2]):
    b = bytes(p)[14:]
    if len(b) < 40 or b[9] != 17 or b[22:24] != b"\x12\x92":
        continue
    seq = int.from_bytes(b[36:40], "big")
    out.setdefault(seq, set()).add(b[40:])
bad = 0
for seq, b in enumerate(inp):
    got = out.get(seq, set())
    if len(got) != 1:
        print(f"seq {seq}: {len(got)} different inner packets")
        bad += 1
        continue
    g = next(iter(got))
    if b[9] == 6:  # the SYN: only the MSS value and the TCP checksum differ
        diff = [i for i in range(len(b)) if b[i] != g[i]]
        ok = len(b) == len(g) and all(i in (20 + 16, 20 + 17, 20 + 22, 20 + 23) for i in diff)
    else:
        ok = g == b
    if not ok:
        print(f"seq {seq}: the inner packet changed")
        bad += 1
if len(out) != len(inp):
    print(f"{len(out)} sequence numbers sent for {len(inp)} inner packets")
    bad += 1
print(f"check: {len(inp)} inner packets, each sent unchanged under its sequence number"
      if bad == 0 else f"check: {bad} problems")
sys.exit(1 if bad else 0)
