#!/usr/bin/python3
"""Querier and member clients: 192.0.2.20 joins 239.1.1.1 with an IGMPv3
TO_EX {}, 192.0.2.21 with an IGMPv2 report; the session goes to whoever is
a member: seq 0 to .20, 1-2 to both; .20 leaves (TO_IN {}: explicit
tracking drops it at once, a group-specific query goes out), 3 to .21;
.21's v2 leave: two group-specific queries 100 ms apart, the group ends
after the Last Member Query Time, 4 goes to nobody.  The querier's startup
general query (QRV 2, QQIC 10 s, Max Resp 1 s) leaves at the first packet.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import OUR_MAC, PEER_MAC, PEER_IP, Trace, arp_request, out_path  # noqa: E402
from scapy.all import IP, UDP, Ether, IPOption_Router_Alert, Raw  # noqa: E402


def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s & 0xffff) + (s >> 16)
    s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def igmp(src, mac, payload, dst):
    payload = payload[:2] + struct.pack("!H", csum(payload)) + payload[4:]
    dmac = "01:00:5e:%02x:%02x:%02x" % tuple(
        [int(x) for x in dst.split(".")[1:]][i] & (0x7f if i == 0 else 0xff) for i in range(3))
    return (Ether(src=mac, dst=dmac) /
            IP(src=src, dst=dst, ttl=1, proto=2, options=[IPOption_Router_Alert()]) /
            Raw(payload))


def v3_report(src, mac, rtype, group):
    rec = struct.pack("!BBH4s", rtype, 0, 0, bytes(map(int, group.split("."))))
    return igmp(src, mac, struct.pack("!BBHHH", 0x22, 0, 0, 0, 1) + rec, "224.0.0.22")


def v2(src, mac, t, group, dst):
    return igmp(src, mac, struct.pack("!BBH4s", t, 0, 0, bytes(map(int, group.split(".")))), dst)


def ovl(seq):
    inner = bytes(IP(src="198.51.100.7", dst="203.0.113.100", id=seq) /
                  UDP(sport=40000, dport=5000) / Raw(b"seq%05d" % seq))
    gre = struct.pack("!HHII", 0x3000, 0x0800, 7001, seq)
    return (Ether(src=PEER_MAC, dst="01:00:5e:01:01:01") /
            IP(src=PEER_IP, dst="239.1.1.1", ttl=8) / UDP(sport=50000, dport=4754, chksum=0) /
            Raw(gre + inner))


M20, M21 = "02:00:00:00:00:20", "02:00:00:00:00:21"
t = Trace()
t.add(arp_request(sip="192.0.2.20", smac=M20))
t.add(arp_request(sip="192.0.2.21", smac=M21))
t.add(v3_report("192.0.2.20", M20, 4, "239.1.1.1"))  # TO_EX {}: a join
t.t += 0.02
t.add(ovl(0))
t.add(v2("192.0.2.21", M21, 0x16, "239.1.1.1", "239.1.1.1"))
t.t += 0.02
t.add(ovl(1))
t.add(ovl(2))
t.add(v3_report("192.0.2.20", M20, 3, "239.1.1.1"))  # TO_IN {}: a leave
t.t += 0.02
t.add(ovl(3))
t.add(v2("192.0.2.21", M21, 0x17, "239.1.1.1", "224.0.0.2"))  # v2 leave
for k in range(30):  # 300 ms: the queries and the group's end
    t.t += 0.01
    t.add(arp_request(sip="192.0.2.21", smac=M21))
t.add(ovl(4))
t.write(out_path())
