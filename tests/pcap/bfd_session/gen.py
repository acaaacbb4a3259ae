#!/usr/bin/python3
"""BFD session with a scripted peer (RFC 5880), checked with tshark's BFD
dissector: the peer's Down brings nonstop to Init, its Up (Your
Discriminator = nonstop's, known: the first session is 1 << 20 | 1) to Up;
nonstop then polls to move from 1 s to 100 ms (P on its packets until the
peer's Final); the peer (1 s x 3) goes silent and nonstop declares the
session down 3 s after its last packet, with diagnostic 1, then sends Down at
the slow rate with Your Discriminator 0."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import IP, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC, Ether, Raw, Trace, arp_request, out_path  # noqa: E402
from scapy.all import UDP  # noqa: E402

OUR_DISC = 1 << 20 | 1
PEER_DISC = 0x11
SLOW = 1000000  # the peer's desired TX: 1 s, so nonstop's detection time is 3 s


def bfd(state, your, flags=0, tx=100000, rx=100000, mult=3):
    payload = bytes([1 << 5, state << 6 | flags, mult, 24]) + struct.pack(
        "!IIIII", PEER_DISC, your, tx, rx, 0)
    return (Ether(src=PEER_MAC, dst=OUR_MAC) / IP(src=PEER_IP, dst=OUR_IP, ttl=255, id=0) /
            UDP(sport=49999, dport=3784) / Raw(payload))


t = Trace()
t.add(arp_request())
t.t += 0.05
t.add(bfd(1, 0, tx=SLOW))           # Down (slow rate while not Up): nonstop -> Init
t.t += 0.9
t.add(bfd(3, OUR_DISC, tx=SLOW))    # Up: nonstop -> Up, polls to go from 1 s to 100 ms
t.t += 0.05
t.add(bfd(3, OUR_DISC, flags=0x10, tx=SLOW))  # Final: the Poll ends
for _ in range(4):                  # the peer's heartbeats, every 0.5 s
    t.t += 0.5
    t.add(bfd(3, OUR_DISC, tx=SLOW))
t.t += 3.5                          # silence: detection 3 x 1 s, then Down at 1 s
t.add(arp_request())
t.write(out_path())
