#!/usr/bin/python3
"""Overlay first hop: an inner packet the last hop would refuse is never
encapsulated: the reported one (IHL 4), IHL 0, IHL 5 with 60 bytes of
header, a wrong header checksum, TTL 0, a total length past the frame or
below the header.  Each is dropped with its reason's counter (ovl.inner_*);
the valid packet after each one goes out with the next sequence number
(0, 1, 2...: nothing refused took a number)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import Trace, out_path  # noqa: E402
from scapy.all import IP, UDP, Ether, Raw  # noqa: E402

REPORTED = bytes.fromhex("020000000002020000000099080044000023300100004011e3c5cb007107"
                         "c63364c800010002000f7ec050332d69686c34")


def good(n):
    return bytes(Ether(src="02:00:00:00:00:99", dst="02:00:00:00:00:02") /
                 IP(src="203.0.113.7", dst="198.51.100.200", id=n) /
                 UDP(sport=1, dport=2) / Raw(b"ok%03d" % n))


def patch(frame, off, data, fix=True):
    b = bytearray(frame)
    b[off:off + len(data)] = data
    if fix:
        ihl = (b[14] & 15) * 4
        b[24:26] = b"\0\0"
        s = sum(struct.unpack("!%dH" % (ihl // 2), bytes(b[14:14 + ihl])))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        b[24:26] = struct.pack("!H", ~s & 0xFFFF)
    return bytes(b)


g = good(900)
bad = [
    REPORTED,                                    # IHL 4
    patch(g, 14, b"\x40", fix=False),            # IHL 0
    patch(g, 14, b"\x4f", fix=False),            # 60 bytes of header in 33
    patch(g, 24, b"\xde\xad", fix=False),        # checksum
    patch(g, 22, b"\x00"),                       # TTL 0
    patch(g, 16, struct.pack("!H", 200)),        # total length past the frame
    patch(g, 16, struct.pack("!H", 16)),         # total length below the header
]
t = Trace()
t.add(good(0))
for i, f in enumerate(bad, start=1):
    t.add(f)
    t.add(good(i))
t.write(out_path())
