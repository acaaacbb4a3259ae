#!/usr/bin/python3
"""Bulk transfer into the sink with a lost segment: ten 1000-byte segments,
the third missing.  In order: an ACK every second segment (RFC 9293
3.8.6.3).  After the hole: an immediate duplicate ACK per segment carrying a
SACK block that grows (RFC 2018, RFC 5681 4.2).  The retransmission fills the
hole: one cumulative ACK for everything.  Then the peer closes."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import TcpPeer, Trace, arp_request, out_path  # noqa: E402

t = Trace()
t.add(arp_request())
p = TcpPeer(t, sport=40002, dport=9)
p.syn()
p.seg("A", 1, 1)
data = bytes((i * 7) & 0xFF for i in range(10000))
for k in range(10):
    if k == 2:
        continue  # lost
    p.seg("PA", 1 + 1000 * k, 1, data[1000 * k:1000 * (k + 1)])
p.seg("PA", 1 + 2000, 1, data[2000:3000])  # the retransmission
p.seg("FA", 10001, 1)
p.seg("A", 10002, 2)  # ACK of our FIN
t.t += 0.5
t.add(arp_request())
t.write(out_path())
