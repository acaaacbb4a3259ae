#!/usr/bin/python3
"""Echo requests from a group or zero Ethernet source: none is answered (the
reply would go to that group: one unicast request, one broadcast reply),
each is counted (net.ip_bad_eth_src); the valid request after each one is."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import ICMP, IP, Ether, Raw, Trace, out_path  # noqa: E402

OUR_MAC, OUR_IP = "02:00:00:00:00:02", "198.51.100.2"
PEER_MAC, PEER_IP = "02:00:00:00:00:09", "198.51.100.9"

# As it was reported: from ff:ff:ff:ff:ff:ff to our MAC, 198.51.100.9 -> .2.
REPORTED = bytes.fromhex("020000000002ffffffffffff08004500001e000100004001266cc6336409"
                         "c63364020800a6cd010100005031")


def echo(seq, src_mac=PEER_MAC):
    return bytes(Ether(src=src_mac, dst=OUR_MAC) / IP(src=PEER_IP, dst=OUR_IP, id=seq) /
                 ICMP(type=8, id=0x4e53, seq=seq) / Raw(b"nonstop!"))


t = Trace()
t.add(echo(0))
bad = [REPORTED, echo(901, "01:00:5e:00:00:01"), echo(902, "00:00:00:00:00:00"),
       echo(903, "33:33:00:00:00:01"), echo(904, "03:00:00:00:00:09")]
for i, frame in enumerate(bad, start=1):
    t.add(frame)
    t.add(echo(i))
t.write(out_path())
