#!/usr/bin/python3
"""Overlay last hop: the outer IPv4 header is checked before anything is
delivered: a wrong checksum, TTL 0, a martian source (the subnet's
broadcast and network addresses, our own, 0/8, 127/8, multicast), and the
inner header as the first hop checks it (checksum, TTL 0).  None reaches
the client; each has its counter; the valid packet after each one is
delivered: the refused ones all carried sequence number 1, which the valid
copy after them still gets.  Their payload says "bad": none may show."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import OUR_IP, OUR_MAC, PEER_MAC, PEER_IP, Trace, arp_request, out_path  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402


def inner(seq, ttl=64, tag=b"seq"):
    return bytes(IP(src="198.51.100.7", dst="203.0.113.100", id=seq, ttl=ttl) /
                 UDP(sport=40000, dport=5000) / Raw(tag + b"%05d" % seq))


def ovl(seq, src=PEER_IP, ttl=8, inner_pkt=None, dst="239.1.1.1", tag=b"seq"):
    """The refused ones carry "bad" in their payload: one delivered shows."""
    gre = struct.pack("!HHII", 0x3000, 0x0800, 7001, seq)
    mac = OUR_MAC if dst == OUR_IP else "01:00:5e:01:01:01"
    return bytes(Ether(src=PEER_MAC, dst=mac) / IP(src=src, dst=dst, ttl=ttl, id=seq) /
                 UDP(sport=50000, dport=4754, chksum=0) /
                 Raw(gre + (inner_pkt if inner_pkt is not None else inner(seq, tag=tag))))


def patch(frame, off, data):
    b = bytearray(frame)
    b[off:off + len(data)] = data
    return bytes(b)


def inner_bad_cksum(seq):
    b = bytearray(inner(seq, tag=b"bad"))
    b[10] ^= 0x55
    return bytes(b)


t = Trace()
t.add(arp_request(sip="192.0.2.10", smac="02:00:00:00:00:10"))
t.add(ovl(0))
B = b"bad"
bad = [
    patch(ovl(1, tag=B), 24, b"\xbe\xef"),    # outer checksum
    ovl(1, ttl=0, tag=B),                       # outer TTL 0
    ovl(1, src="192.0.2.255", tag=B),           # subnet broadcast source
    ovl(1, src="192.0.2.0", tag=B),             # network address
    ovl(1, src=OUR_IP, tag=B),                  # ours
    ovl(1, src="0.0.0.7", tag=B),               # 0/8
    ovl(1, src="127.0.0.1", tag=B),             # loopback
    ovl(1, src="239.1.1.1", tag=B),             # multicast
    ovl(1, inner_pkt=inner_bad_cksum(1)),       # inner checksum
    ovl(1, inner_pkt=inner(1, ttl=0, tag=B)),   # inner TTL 0
    ovl(1, src="192.0.2.255", dst=OUR_IP, tag=B),  # unicast copy from a martian
]
for f in bad:
    t.add(f)
t.add(ovl(1))
t.add(ovl(2))
t.write(out_path())
