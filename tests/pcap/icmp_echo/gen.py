#!/usr/bin/python3
"""ICMP echo: sizes from empty to a full 1500-byte MTU, odd lengths, padding."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import Trace, arp_request, echo, out_path  # noqa: E402

t = Trace()
t.add(arp_request())
for seq, n in enumerate([0, 1, 7, 18, 56, 57, 255, 1000, 1472], start=1):
    t.add(echo(seq, bytes((i * 7 + seq) & 0xff for i in range(n))))
# A 42-byte echo padded to the Ethernet minimum: padding must not be echoed.
t.add(bytes(echo(20, b"")) + b"\xaa" * 18)
# TTL 1 is valid for a host; the reply carries our own TTL.
t.add(echo(21, ttl=1))
t.write(out_path())
