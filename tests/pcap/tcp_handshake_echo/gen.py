#!/usr/bin/python3
"""Passive open, data echoed, passive close: SYN -> SYN-ACK with the options
offered back (MSS, SACK, TS, WS 7); ACK; 13 bytes in -> the echo app sends
them back with the ACK piggybacked; the peer's FIN -> ACK, then our FIN after
the echo app closes (CLOSE-WAIT -> LAST-ACK); the peer's ACK frees the TCB."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import TcpPeer, Trace, arp_request, out_path  # noqa: E402

t = Trace()
t.add(arp_request())
p = TcpPeer(t, sport=40001, dport=7)
p.syn()
p.seg("A", 1, 1)
p.seg("PA", 1, 1, b"hello nonstop")
p.seg("A", 14, 14)  # ACK of the echo
p.seg("FA", 14, 14)
p.seg("A", 15, 15)  # ACK of our FIN
t.t += 0.5
t.add(arp_request())  # the clock moves on: nothing else may be sent
t.write(out_path())
