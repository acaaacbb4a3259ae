#!/usr/bin/python3
"""Bulk transfer out of a 'source' listener (bytes = 9880) with a lost
segment, recovered from SACK: the peer's MSS is 1000, so with timestamps
SMSS is 988 and the initial window (RFC 6928) is 10 segments, all sent at
once with the FIN queued behind them.  The peer ACKs the first, then three
duplicate ACKs whose SACK blocks cover segments 3..5: nonstop retransmits
segment 2 once RACK deems it lost (RFC 8985: here its reordering timer, a
quarter of the minimum RTT after the first SACK, expires before the next
ACK arrives) and nothing else.  A cumulative ACK of everything, the peer's FIN, TIME-WAIT."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import TcpPeer, Trace, arp_request, out_path  # noqa: E402

SMSS = 988
t = Trace()
t.add(arp_request())
p = TcpPeer(t, sport=40003, dport=19, mss=1000)
p.syn()
p.seg("A", 1, 1)
p.seg("A", 1, 1 + SMSS)  # segment 1 arrived; segment 2 is lost
for k in (3, 4, 5):
    left = p.iss + 1 + 2 * SMSS
    right = p.iss + 1 + k * SMSS
    p.seg("A", 1, 1 + SMSS, opts=[("NOP", None), ("NOP", None),
                                  ("SAck", (left & 0xFFFFFFFF, right & 0xFFFFFFFF))])
p.seg("A", 1, 1 + 10 * SMSS + 1)  # everything and our FIN
p.seg("FA", 1, 1 + 10 * SMSS + 1)
t.t += 0.5
t.add(arp_request())
t.write(out_path())
