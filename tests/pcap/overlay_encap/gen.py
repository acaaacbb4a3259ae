#!/usr/bin/python3
"""Overlay first hop: inner packets to the session's match are wrapped in
IPv4 (to 239.1.1.1, TTL 8) / UDP 4754 / GRE key 7001 with sequence numbers
0, 1, 2... and sent to the group and, by unicast, to the configured last hop
192.0.2.9 and to 192.0.2.10 while its request holds (3 s): a request signed
with the session's request_key (HMAC-SHA256); an unsigned one and one with
a wrong MAC are refused.  Sizes from an
empty UDP payload to the largest that fits the 1500-byte MTU (1432 inner
payload bytes: 1460 - 28); one byte more is dropped (too big).  A TCP SYN's
MSS 1460 is clamped to 1360; a packet to another address is not taken.
"""
import hashlib
import hmac
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import OUR_MAC, OUR_IP, Trace, arp_request, out_path  # noqa: E402
from scapy.all import IP, TCP, UDP, Ether, Raw  # noqa: E402

SRC_MAC = "02:00:00:00:00:01"


def inner(n, dst="203.0.113.100", dport=5000, ident=1):
    return (Ether(src=SRC_MAC, dst=OUR_MAC) / IP(src="198.51.100.7", dst=dst, id=ident) /
            UDP(sport=40000, dport=dport) / Raw(bytes((i * 13 + n) & 0xff for i in range(n))))


KEY = b"overlay-request-key-of-the-test"


def request(src, key, lifetime_ms, sign=True, forge=False):
    body = b"NSOR" + bytes([1, 1 if sign else 0, 0, 0]) + struct.pack("!I", lifetime_ms)
    gre = struct.pack("!HHI", 0x2000, 0x88B5, key)
    mac = b""
    if sign:
        mac = hmac.new(KEY, socket.inet_aton(src) + struct.pack("!I", key) + body,
                       hashlib.sha256).digest()
        if forge:
            mac = bytes([mac[0] ^ 1]) + mac[1:]
    return (Ether(src="02:00:00:00:00:10", dst=OUR_MAC) / IP(src=src, dst=OUR_IP, id=77) /
            UDP(sport=4754, dport=4754, chksum=0) / Raw(gre + body + mac))


t = Trace()
t.add(arp_request(sip="192.0.2.9", smac="02:00:00:00:00:09"))
t.add(arp_request(sip="192.0.2.10", smac="02:00:00:00:00:10"))
for k, n in enumerate([0, 1, 100, 191, 192, 193, 1000, 1432]):
    t.add(inner(n, ident=10 + k))
t.add(inner(1433, ident=30))                     # too big: dropped, counted
t.add(inner(10, dst="203.0.113.101", ident=31))  # not the match: not for us either
t.add(Ether(src=SRC_MAC, dst=OUR_MAC) / IP(src="198.51.100.7", dst="203.0.113.100", id=32) /
      TCP(sport=40001, dport=80, flags="S", seq=1000, options=[("MSS", 1460), ("NOP", None),
                                                                ("WScale", 7)]))
t.add(request("192.0.2.11", 7001, 3000, sign=False))  # unsigned: refused
t.add(request("192.0.2.12", 7001, 3000, forge=True))  # a wrong MAC: refused
t.add(request("192.0.2.10", 7001, 3000))  # a last hop asks: copies for 3 s
t.add(request("192.0.2.10", 9999, 3000))  # no session has the key: refused
t.add(inner(64, ident=40))
t.add(inner(300, ident=41))
t.t += 3.5                                # the request's lifetime ends
t.add(inner(64, ident=42))
t.write(out_path())
