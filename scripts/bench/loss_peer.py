#!/usr/bin/python3
"""Kernel-side ends of the loss benchmark and of tests/netns/tcp_loss.sh.

    loss_peer.py fetch HOST PORT BYTES    connect, read to EOF: BYTES of the pattern
    loss_peer.py send HOST PORT BYTES     connect, send BYTES of the pattern, shut
                                          down the sending side, wait for EOF
    loss_peer.py serve PORT BYTES COUNT   a 'source' (BYTES > 0: sends them and
                                          closes) or 'sink' (BYTES = 0: reads to
                                          EOF, checks the pattern, closes)
                                          server for COUNT connections, one at a time

fetch and send print "SECONDS BYTES ok|bad" (from connect to EOF) and exit 0 when
every byte arrived and was right.  The pattern is nonstop's (app/tcp_apps.c):
byte i of a stream is T[i % 65521], T[k] = (k * 2654435761 mod 2^32) >> 24.
"""
import socket
import sys
import time

PERIOD = 65521
TABLE = bytes(((k * 2654435761) & 0xFFFFFFFF) >> 24 for k in range(PERIOD))
CHUNK = 1 << 18
BIG = TABLE * (CHUNK // PERIOD + 2)  # any CHUNK bytes of the stream are a slice of it


def pattern(off, n):
    s = off % PERIOD
    return memoryview(BIG)[s:s + n]


def read_checked(s):
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    off, ok = 0, True
    while True:
        n = s.recv_into(view, CHUNK)
        if n == 0:
            return off, ok
        if ok and view[:n] != pattern(off, n):
            ok = False
        off += n


def send_pattern(s, total):
    off = 0
    while off < total:
        n = min(CHUNK, total - off)
        s.sendall(pattern(off, n))
        off += n


def fetch(host, port, total):
    t0 = time.monotonic()
    s = socket.create_connection((host, port), timeout=300)
    n, ok = read_checked(s)
    dt = time.monotonic() - t0
    s.close()
    good = ok and n == total
    print("%.3f %d %s" % (dt, n, "ok" if good else "bad"))
    return 0 if good else 1


def send(host, port, total):
    t0 = time.monotonic()
    s = socket.create_connection((host, port), timeout=300)
    send_pattern(s, total)
    s.shutdown(socket.SHUT_WR)
    rest = s.recv(1)  # the peer read everything and closed
    dt = time.monotonic() - t0
    s.close()
    good = rest == b""
    print("%.3f %d %s" % (dt, total, "ok" if good else "bad"))
    return 0 if good else 1


def serve(port, total, count):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("0.0.0.0", port))
    ls.listen(4)
    ls.settimeout(600)
    bad = 0
    for _ in range(count):
        c, _ = ls.accept()
        c.settimeout(300)
        with c:
            if total > 0:
                send_pattern(c, total)
            else:
                n, ok = read_checked(c)
                bad += not ok
    return 1 if bad else 0


def main():
    if len(sys.argv) == 5 and sys.argv[1] in ("fetch", "send"):
        f = fetch if sys.argv[1] == "fetch" else send
        return f(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    if len(sys.argv) == 5 and sys.argv[1] == "serve":
        return serve(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
