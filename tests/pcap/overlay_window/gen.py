#!/usr/bin/python3
"""Overlay last hop: one packet far from the window never moves it.  The
stream 1000-1019, then the reported packet (sequence 1205: next + 185), then
1020-1039: all forty delivered in order, the stray dropped (ovl.decap_stray),
nothing lost.  A packet 2^31 ahead in the middle of 1040-1049: the same, and
ovl.decap_lost stays 0 (it grew by ~2^31 a packet).  Then a first hop that
restarts at 0: its two first packets make the window follow (first-hop
restarts 1), and 0, 1, 2 are delivered."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import Trace, out_path  # noqa: E402
from scapy.all import ARP, IP, UDP, Ether, Raw  # noqa: E402

REPORTED = bytes.fromhex("01005e0101010200000000990800450000450000000040116769c6336409"
                         "e8010101c3501292003100003000080000001b59000004b54500001d5000"
                         "00004011b264cb007107cb007163138817700009e47778")


def ovl(seq):
    gre = struct.pack("!HHII", 0x3000, 0x0800, 7001, seq & 0xFFFFFFFF)
    inner = bytes(IP(src="203.0.113.7", dst="203.0.113.99", id=seq & 0xFFFF) /
                  UDP(sport=5000, dport=6000) / Raw(b"%010d" % (seq & 0xFFFFFFFF)))
    return bytes(Ether(src="02:00:00:00:00:99", dst="01:00:5e:01:01:01") /
                 IP(src="198.51.100.9", dst="232.1.1.1", ttl=64, id=seq & 0xFFFF) /
                 UDP(sport=50000, dport=4754, chksum=0) / Raw(gre + inner))


t = Trace()
t.add(Ether(src="02:00:00:00:00:10", dst="ff:ff:ff:ff:ff:ff") /
      ARP(op=1, hwsrc="02:00:00:00:00:10", psrc="198.51.100.10", pdst="198.51.100.2"))
for s in range(1000, 1020):
    t.add(ovl(s))
t.add(REPORTED)
for s in range(1020, 1045):
    t.add(ovl(s))
t.add(ovl(1045 + (1 << 31)))
for s in range(1045, 1050):
    t.add(ovl(s))
t.t += 1.0  # the first hop restarts
for s in (0, 1, 2):
    t.add(ovl(s))
t.write(out_path())
