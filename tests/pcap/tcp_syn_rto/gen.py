#!/usr/bin/python3
"""Virtual time from pcap timestamps drives TCP timers: a SYN to the echo
listener gets a SYN-ACK, and with no ACK for 3.5 s the SYN-ACK is
retransmitted at 1 s and 3 s (RTO 1 s, then doubled, RFC 6298 5.5)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import IP, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC, Ether, Trace, arp_request, out_path  # noqa: E402
from scapy.all import TCP  # noqa: E402

t = Trace()
t.add(arp_request())  # we learn the peer's MAC and answer
syn = (Ether(src=PEER_MAC, dst=OUR_MAC) / IP(src=PEER_IP, dst=OUR_IP, ttl=64, id=1) /
       TCP(sport=40000, dport=7, seq=1000, flags="S", window=64240,
           options=[("MSS", 1460), ("SAckOK", b""), ("Timestamp", (12345, 0)), ("NOP", None),
                    ("WScale", 7)]))
t.add(syn)
t.t += 3.5  # silence: the SYN-ACK timer runs
t.add(arp_request())  # advances the virtual clock past 3 s
t.write(out_path())
