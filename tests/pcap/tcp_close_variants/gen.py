#!/usr/bin/python3
"""Close variants, one connection each:
  40010 -> echo:   the peer resets an established connection (RST at rcv_nxt).
  40011 -> source: nonstop closes first (5 bytes + FIN); the peer ACKs, then
                   FINs: FIN-WAIT-1 -> FIN-WAIT-2 -> TIME-WAIT, ACK sent.
  40012 -> source: simultaneous close: the peer's FIN crosses ours (its ACK
                   does not cover our FIN): CLOSING, then TIME-WAIT on its ACK.
  40013 -> echo:   a blind RST (in window, not rcv_nxt) gets a challenge ACK
                   (RFC 5961 3.2) and the connection lives on; then a RST at
                   rcv_nxt resets it.
Then 2.5 s pass (time_wait_ms = 2000): the TIME-WAIT TCBs expire, and a late
ACK on 40011 gets a RST (no connection)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import TcpPeer, Trace, arp_request, out_path  # noqa: E402

t = Trace()
t.add(arp_request())

a = TcpPeer(t, sport=40010, dport=7)
a.syn()
a.seg("A", 1, 1)
a.seg("R", 1)

b = TcpPeer(t, sport=40011, dport=19)
b.syn()
b.seg("A", 1, 1)  # nonstop sends 5 bytes and its FIN
b.seg("A", 1, 7)  # ACK of data and FIN
b.seg("FA", 1, 7)

c = TcpPeer(t, sport=40012, dport=19)
c.syn()
c.seg("A", 1, 1)
c.seg("FA", 1, 1)  # crosses our data + FIN
c.seg("A", 2, 7)

d = TcpPeer(t, sport=40013, dport=7)
d.syn()
d.seg("A", 1, 1)
d.seg("R", 1 + 1000)  # blind: challenged
d.seg("R", 1)

t.t += 2.5
b.seg("A", 2, 7)  # TIME-WAIT is over: no connection, RST
t.write(out_path())
