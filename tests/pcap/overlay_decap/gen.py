#!/usr/bin/python3
"""Overlay last hop: GRE-in-UDP packets of key 7001 from the first hop
192.0.2.1, to the group 239.1.1.1 and (the redundant copy) to us.  Each
sequence number reaches the two clients once, in order, with the client's
address as the destination: 0-2 in order; 4 early (held) and 3 by unicast
(fills the gap, 4 follows); 3 again by multicast (a duplicate); 5 and 5;
7 early, 6 never comes: given up after hold_ms (50 ms), 7 goes; a payload
long enough to be cloned, not copied, for the first client.  Refused: a GRE
checksum bit, an unknown key, another group, a truncated packet.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import OUR_MAC, OUR_IP, PEER_MAC, PEER_IP, Trace, arp_request, out_path  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402


def inner(seq, n):
    return bytes(IP(src="198.51.100.7", dst="203.0.113.100", id=seq) /
                 UDP(sport=40000, dport=5000) / Raw(b"seq%05d" % seq + bytes(n)))


def ovl(seq, n=20, dst="239.1.1.1", key=7001, flags=0x3000):
    gre = struct.pack("!HHII", flags, 0x0800, key, seq)
    mac = OUR_MAC if dst == OUR_IP else "01:00:5e:" + ":".join(
        "%02x" % int(x) for x in [int(dst.split(".")[1]) & 0x7f] + dst.split(".")[2:])
    return (Ether(src=PEER_MAC, dst=mac) / IP(src=PEER_IP, dst=dst, ttl=8, id=seq) /
            UDP(sport=50000, dport=4754, chksum=0) / Raw(gre + inner(seq, n)))


t = Trace()
t.add(arp_request())
t.add(arp_request(sip="192.0.2.10", smac="02:00:00:00:00:10"))
t.add(arp_request(sip="192.0.2.11", smac="02:00:00:00:00:11"))
for s in (0, 1, 2):
    t.add(ovl(s))
t.add(ovl(4))
t.add(ovl(3, dst=OUR_IP))
t.add(ovl(3))
t.add(ovl(5))
t.add(ovl(5, dst=OUR_IP))
t.add(ovl(7, n=400))
t.t += 0.06
t.add(ovl(8))
t.add(ovl(9, flags=0xb000))    # checksum bit: not ours to take
t.add(ovl(9, key=1234))        # no session has the key
t.add(ovl(9, dst="239.9.9.9"))  # not the session's group
t.add(bytes(ovl(9))[:14 + 20 + 8 + 6])  # truncated
t.add(ovl(9))
t.write(out_path())
