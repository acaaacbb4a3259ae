#!/usr/bin/python3
"""Kernel-side TCP client for the interop tests.

    tcp_client.py echo HOST PORT CONNS BYTES   N concurrent connections, each sends
                                              BYTES and must read them back
                                              (sha256 compared per connection)
    tcp_client.py send HOST PORT BYTES         send BYTES, close, expect EOF
Deterministic payload per connection; prints one summary line; exit 0 on success.
"""
import hashlib
import socket
import sys
import threading
import time


def payload(n, seed):
    block = bytes(((i * 2654435761 + seed * 40503) >> 13) & 0xFF for i in range(65536))
    return (block * (n // len(block) + 1))[:n]


def echo_one(host, port, n, seed, results):
    data = payload(n, seed)
    got = bytearray()
    try:
        s = socket.create_connection((host, port), timeout=60)

        def rx():
            while True:
                b = s.recv(65536)
                if not b:
                    return
                got.extend(b)

        t = threading.Thread(target=rx)
        t.start()
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        t.join(120)
        s.close()
        ok = hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
        results[seed] = (ok, len(got), None)
    except OSError as e:
        results[seed] = (False, len(got), str(e))


def main():
    mode = sys.argv[1]
    host, port = sys.argv[2], int(sys.argv[3])
    t0 = time.time()
    if mode == "echo":
        conns, n = int(sys.argv[4]), int(sys.argv[5])
        results = {}
        threads = [threading.Thread(target=echo_one, args=(host, port, n, i, results))
                   for i in range(conns)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        dt = time.time() - t0
        bad = [(k, v) for k, v in results.items() if not v[0]]
        print("echo: %d connections x %d bytes, %d sha256 equal, %d failed, %.2f s, %.1f Mbit/s each way"
              % (conns, n, len(results) - len(bad), conns - len(results) + len(bad), dt,
                 conns * n * 8 / dt / 1e6))
        for k, v in bad[:5]:
            print("  conn %d: received %d bytes, error %s" % (k, v[1], v[2]))
        sys.exit(0 if len(results) == conns and not bad else 1)
    elif mode == "send":
        n = int(sys.argv[4])
        s = socket.create_connection((host, port), timeout=60)
        s.sendall(payload(n, 99))
        s.shutdown(socket.SHUT_WR)
        rest = s.recv(1)
        s.close()
        dt = time.time() - t0
        print("send: %d bytes in %.2f s (%.1f Mbit/s), EOF %s" % (n, dt, n * 8 / dt / 1e6,
                                                                "clean" if rest == b"" else "with data"))
        sys.exit(0 if rest == b"" else 1)


main()
