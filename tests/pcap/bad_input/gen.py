#!/usr/bin/python3
"""Bad input: every malformed frame is dropped with its own counter, and the
valid echo request after each one is still answered (seq = case number)."""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import (ARP, ICMP, IP, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC,  # noqa: E402
                     Ether, Raw, Trace, arp_request, echo, out_path)

ETH = Ether(src=PEER_MAC, dst=OUR_MAC)


def ip_bytes(**kw):
    """A valid echo request as bytes, IP fields overridden (checksum recomputed)."""
    return bytes(ETH / IP(src=PEER_IP, dst=OUR_IP, **kw) / ICMP(id=7, seq=999) / Raw(b"bad!"))


def patch(frame, off, data):
    b = bytearray(frame)
    b[off:off + len(data)] = data
    return bytes(b)


def ipv4_cksum(hdr):
    s = sum(struct.unpack("!%dH" % (len(hdr) // 2), hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def fix_ip_cksum(frame, ihl_words=5):
    b = bytearray(frame)
    b[24:26] = b"\0\0"
    b[24:26] = struct.pack("!H", ipv4_cksum(bytes(b[14:14 + 4 * ihl_words])))
    return bytes(b)


good = ip_bytes()
bad = [
    # (what, frame)
    ("zero-length frame", b""),
    ("runt: 10 bytes", good[:10]),
    ("IPv4 truncated inside the header", good[:14 + 12]),
    ("ARP truncated", bytes(arp_request())[:30]),
    ("bad IPv4 header checksum", patch(good, 24, b"\xde\xad")),
    ("total length larger than frame", fix_ip_cksum(patch(good, 16, struct.pack("!H", 1400)))),
    ("total length smaller than header", fix_ip_cksum(patch(good, 16, struct.pack("!H", 12)))),
    ("version 6 in an IPv4 EtherType", fix_ip_cksum(patch(good, 14, b"\x65"))),
    ("IHL 4", patch(good, 14, b"\x44")),
    ("IPv4 options (IHL 6, NOPs)", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP, options=b"\x01\x01\x01\x01") /
                                         ICMP(id=7, seq=999))),
    ("fragment: more fragments", ip_bytes(flags="MF")),
    ("fragment: offset", ip_bytes(frag=100)),
    ("TTL 0", ip_bytes(ttl=0)),
    ("multicast source", bytes(ETH / IP(src="239.1.1.1", dst=OUR_IP) / ICMP())),
    ("not our address", bytes(ETH / IP(src=PEER_IP, dst="192.0.2.200") / ICMP())),
    ("limited broadcast", bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                                IP(src=PEER_IP, dst="255.255.255.255") / ICMP())),
    ("unknown IP protocol (GRE)", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP, proto=47) / Raw(b"\0" * 8))),
    ("ICMP checksum wrong", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP) / ICMP(chksum=0x1234))),
    ("ICMP shorter than 8 bytes", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP, proto=1) / Raw(b"\x08\0\0\0"))),
    ("ICMP echo reply (no pinger)", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP) / ICMP(type=0))),
    ("ICMP timestamp request", bytes(ETH / IP(src=PEER_IP, dst=OUR_IP) / ICMP(type=13))),
    ("junk EtherType 0x1234", patch(good, 12, b"\x12\x34")),
    ("LLDP EtherType", patch(good, 12, b"\x88\xcc")),
    ("VLAN tagged", patch(good, 12, b"\x81\x00")),
    ("IPv6", patch(good, 12, b"\x86\xdd")),
    ("unicast for another MAC", patch(good, 0, b"\x02\x00\x00\x00\x00\x77")),
    ("ARP bad opcode", bytes(Ether(src=PEER_MAC, dst="ff:ff:ff:ff:ff:ff") /
                             ARP(op=9, hwsrc=PEER_MAC, psrc=PEER_IP, pdst=OUR_IP))),
    ("ARP hardware length 8", patch(bytes(arp_request()), 18, b"\x08")),
    ("ARP claiming our address", bytes(arp_request(sip=OUR_IP, smac="02:00:00:00:00:66"))),
]

t = Trace()
t.add(arp_request())
t.add(echo(0))
for i, (what, frame) in enumerate(bad, start=1):
    t.add(frame)
    t.add(echo(i))  # must be answered: bad input never stops the stack
t.write(out_path())
