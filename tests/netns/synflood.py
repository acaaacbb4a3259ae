#!/usr/bin/python3
"""SYN flood and goodput probes for tests/netns/tcp_synflood.sh.

    synflood.py flood SRC DST DPORT SECONDS
        sends SYNs from SRC (any port, random ISN) to DST:DPORT through a raw
        socket, as fast as this process can, for SECONDS; prints "sent N pps P"
    synflood.py bulk HOST PORT CONNS SECONDS
        CONNS connections to a sink each send as fast as they can for SECONDS;
        prints "goodput MBIT" (bytes the kernel accepted / time)
"""
import os
import random
import socket
import struct
import sys
import threading
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def syn(src, dst, sport, dport, seq):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    opts = struct.pack("!BBH", 2, 4, 1460) + b"\x01\x03\x03\x07"  # MSS, NOP, WS 7
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, (20 + len(opts)) // 4 << 4, 0x02,
                      64240, 0, 0) + opts
    c = csum(s + d + struct.pack("!BBH", 0, 6, len(tcp)) + tcp)
    tcp = tcp[:16] + struct.pack("!H", c) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return ip + tcp


def flood(src, dst, dport, seconds):
    rnd = random.Random(5)
    pkts = [syn(src, dst, 1024 + i, dport, rnd.getrandbits(32)) for i in range(60000)]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
    n, t0 = 0, time.time()
    end = t0 + seconds
    addr = (dst, 0)
    while True:
        for p in pkts[n % 60000:n % 60000 + 1000]:
            try:
                s.sendto(p, addr)
            except OSError:
                pass
        n += 1000
        if time.time() >= end:
            break
    dt = time.time() - t0
    print("sent %d pps %d" % (n, n / dt))


def bulk(host, port, conns, seconds):
    total = [0] * conns
    block = os.urandom(65536)

    def one(i):
        try:
            with socket.create_connection((host, port), timeout=10) as s:
                end = time.time() + seconds
                while time.time() < end:
                    total[i] += s.send(block)
        except OSError as e:
            print("conn %d: %s" % (i, e), file=sys.stderr)

    t0 = time.time()
    th = [threading.Thread(target=one, args=(i,)) for i in range(conns)]
    for t in th:
        t.start()
    for t in th:
        t.join(seconds + 30)
    dt = time.time() - t0
    print("goodput %.1f" % (sum(total) * 8 / dt / 1e6))


if __name__ == "__main__":
    if sys.argv[1] == "flood":
        flood(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]))
    elif sys.argv[1] == "bulk":
        bulk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        print(__doc__)
        sys.exit(2)
