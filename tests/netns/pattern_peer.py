#!/usr/bin/python3
"""Kernel-side peer of nonstop's source/echo-check/client applications.

    pattern_peer.py serve HOST SINK_PORT ECHO_PORT RESULTS SECONDS
        sink server: reads each connection to EOF, checks every byte against
        the pattern at its offset, appends "sink BYTES ok|bad" to RESULTS;
        echo server: sends back what it reads.  Exits after SECONDS.
    pattern_peer.py fetch HOST PORT BYTES
        connects to a nonstop 'source' listener, reads to EOF, checks length
        and pattern; prints one line; exit 0 on success.

The pattern (app/tcp_apps.c): byte i of a stream is T[i % 65521],
T[k] = (k * 2654435761 mod 2^32) >> 24.
"""
import socket
import sys
import threading
import time

PERIOD = 65521
TABLE = bytes(((k * 2654435761) & 0xFFFFFFFF) >> 24 for k in range(PERIOD))
BIG = TABLE * 8  # any 256 KiB window of the stream is a slice of this


def matches(off, chunk):
    start = off % PERIOD
    for i in range(0, len(chunk), 262144):  # windows within BIG
        part = chunk[i:i + 262144]
        s = (start + i) % PERIOD
        if BIG[s:s + len(part)] != part:
            return False
    return True


def read_checked(s):
    off, ok = 0, True
    while True:
        b = s.recv(262144)
        if not b:
            return off, ok
        if ok and not matches(off, b):
            ok = False
        off += len(b)


def sink_conn(c, results, lock):
    with c:
        c.settimeout(120)
        try:
            n, ok = read_checked(c)
        except OSError as e:
            n, ok = -1, False
            print("sink error", e, file=sys.stderr)
    with lock:
        with open(results, "a") as f:
            f.write("sink %d %s\n" % (n, "ok" if ok else "bad"))


def echo_conn(c):
    with c:
        c.settimeout(120)
        try:
            while True:
                b = c.recv(262144)
                if not b:
                    break
                c.sendall(b)
        except OSError as e:
            print("echo error", e, file=sys.stderr)


def serve(host, sink_port, echo_port, results, seconds):
    lock = threading.Lock()
    socks = []
    for port, fn in ((sink_port, "sink"), (echo_port, "echo")):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind((host, port))
        ls.listen(64)
        ls.settimeout(0.2)
        socks.append((ls, fn))
    end = time.time() + seconds
    while time.time() < end:
        for ls, fn in socks:
            try:
                c, _ = ls.accept()
            except socket.timeout:
                continue
            if fn == "sink":
                threading.Thread(target=sink_conn, args=(c, results, lock), daemon=True).start()
            else:
                threading.Thread(target=echo_conn, args=(c,), daemon=True).start()
    return 0


def fetch(host, port, want):
    t0 = time.time()
    with socket.create_connection((host, port), timeout=60) as s:
        s.settimeout(120)
        n, ok = read_checked(s)
    dt = time.time() - t0
    print("%d bytes in %.2fs, pattern %s" % (n, dt, "ok" if ok else "WRONG"))
    return 0 if ok and n == want else 1


def main():
    if sys.argv[1] == "serve":
        return serve(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5],
                     float(sys.argv[6]))
    if sys.argv[1] == "fetch":
        return fetch(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
