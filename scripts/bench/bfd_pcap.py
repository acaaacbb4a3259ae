#!/usr/bin/python3
"""Write a pcap of BFD control traffic from N single-hop peers for the rate
benchmark (scripts/bench/bfd_rate.sh): one ARP reply per peer (so nonstop
learns every next hop), one Init packet per peer (nonstop's Down session
goes Up), then ROUNDS rounds of Up packets.  net_pcap's infinite_rx replays
the file in a loop; the Init packets of the next loop keep sessions Up (in
Up only a peer's Down changes the state).

Addresses are from 198.18.0.0/15 (RFC 2544, benchmarking): nonstop is
198.18.0.1, peer i is 198.18.1.0 + i.  Your Discriminator is the one nonstop
gives slot i of a [bfd] range created at start-up: generation (i + 1) mod
4096 in the top 12 bits, index i + 1 below (lib/bfd NS_BFD_IDX_BITS = 20);
the benchmark checks afterwards that every session came Up.

  bfd_pcap.py SESSIONS ROUNDS OUT.pcap [OUR_MAC]
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return struct.pack("!I", a)


OUR_IP = (198 << 24) | (18 << 16) | 1
BASE = (198 << 24) | (18 << 16) | (1 << 8)


def peer_mac(i):
    return bytes([0x02, 0x01]) + struct.pack("!I", i)


def arp_reply(i, our_mac):
    eth = our_mac + peer_mac(i) + b"\x08\x06"
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + peer_mac(i) + ip4(BASE + i) + our_mac + ip4(OUR_IP)
    return eth + arp + b"\0" * 18


def bfd(i, state, our_mac):
    disc = (((i + 1) & 0xFFF) << 20) | (i + 1)
    payload = struct.pack("!BBBBIIIII", 0x20, state << 6, 3, 24, 0x40000000 + i, disc,
                          1000000, 1000000, 0)
    sport = 49152 + (i & 0x3FFF)
    udp_len = 8 + len(payload)
    pseudo = ip4(BASE + i) + ip4(OUR_IP) + struct.pack("!BBH", 0, 17, udp_len)
    udp = struct.pack("!HHHH", sport, 3784, udp_len, 0) + payload
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    iph = struct.pack("!BBHHHBBH", 0x45, 0xC0, 20 + udp_len, 0, 0x4000, 255, 17, 0) + ip4(BASE + i) + ip4(OUR_IP)
    iph = iph[:10] + struct.pack("!H", csum(iph)) + iph[12:]
    return our_mac + peer_mac(i) + b"\x08\x00" + iph + udp


def main():
    n, rounds, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    our_mac = bytes.fromhex((sys.argv[4] if len(sys.argv) > 4 else "02:00:00:00:00:01").replace(":", ""))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = 0

        def put(frame):
            nonlocal t
            t += 1
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(frame), len(frame)) + frame)

        for i in range(n):
            put(arp_reply(i, our_mac))
        for i in range(n):
            put(bfd(i, 2, our_mac))
        for _ in range(rounds):
            for i in range(n):
                put(bfd(i, 3, our_mac))


if __name__ == "__main__":
    main()
