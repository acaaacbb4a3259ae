#!/usr/bin/python3
"""Kernel-side clients for the failover edge cases.

    edge_peer.py connect HOST PORT N [STARTED]
        N connections opened at once (a burst of 3-way handshakes); each
        writes 1 KB, reads the echo, half-closes and reads to EOF.  STARTED
        is written once every connect() is issued.
    edge_peer.py close HOST PORT N READY GO
        N connections opened and checked (1 KB echoed); READY is written;
        once GO appears, every one half-closes at once (a burst of closes)
        and reads to EOF.
    edge_peer.py resume HOST PORT N READY GO
        as close, but once GO appears every one first writes 1 KB more and
        reads its echo.

Every connection ends one way, printed per connection and counted:
    ok      every byte echoed, the server's FIN seen
    never   the handshake never completed (connect mode only): to the
            peer the connection never existed
    reset   a RST after the handshake
    hung    open after TIMEOUT seconds (default 20): half-open
The last line is "ok N never N reset N hung N".  Exit 0 unless a connection
hung or went wrong (a reset is for the caller to judge).
"""
import os
import selectors
import socket
import sys
import time

TIMEOUT = float(os.environ.get("EDGE_TIMEOUT", "20"))
CHUNK = bytes((i * 7 + 3) & 0xFF for i in range(1024))


class Conn:
    def __init__(self, i):
        self.i = i
        self.s = None
        self.state = "connecting"
        self.want = b""      # echo still expected
        self.outbuf = b""
        self.result = None


def wait_file(path, deadline):
    while not os.path.exists(path):
        if time.time() > deadline:
            return False
        time.sleep(0.005)
    return True


def run(mode, host, port, n, ready=None, go=None):
    sel = selectors.DefaultSelector()
    conns = [Conn(i) for i in range(n)]
    deadline = time.time() + TIMEOUT
    for c in conns:
        c.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        c.s.setblocking(False)
        c.s.connect_ex((host, port))
        sel.register(c.s, selectors.EVENT_WRITE, c)
    if mode == "connect" and ready is not None:
        with open(ready, "w") as f:
            f.write("%d\n" % n)  # every SYN is out

    def finish(c, result):
        c.result = result
        try:
            sel.unregister(c.s)
        except (KeyError, ValueError):
            pass
        c.s.close()

    def send(c, data):
        c.outbuf += data
        c.want += data
        flush(c)

    def flush(c):
        try:
            k = c.s.send(c.outbuf)
            c.outbuf = c.outbuf[k:]
        except BlockingIOError:
            pass
        ev = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.outbuf else 0)
        sel.modify(c.s, ev, c)

    def step(timeout):
        for key, ev in sel.select(timeout):
            c = key.data
            if c.state == "connecting":
                err = c.s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err != 0:
                    finish(c, "never")
                    continue
                c.state = "checking"
                send(c, CHUNK)
                continue
            if ev & selectors.EVENT_WRITE and c.outbuf:
                flush(c)
            if not ev & selectors.EVENT_READ:
                continue
            try:
                b = c.s.recv(65536)
            except BlockingIOError:
                continue
            except ConnectionResetError:
                finish(c, "reset")
                continue
            except OSError:
                finish(c, "reset")
                continue
            if not b:
                finish(c, "ok" if c.state == "closing" and not c.want else "bad")
                continue
            if not c.want.startswith(b):
                finish(c, "bad")
                continue
            c.want = c.want[len(b):]
            if c.want:
                continue
            if c.state == "checking":
                if mode == "connect":
                    c.state = "closing"
                    c.s.shutdown(socket.SHUT_WR)
                else:
                    c.state = "idle"
            elif c.state == "resumed":
                c.state = "closing"
                c.s.shutdown(socket.SHUT_WR)

    def pending(states):
        return any(c.result is None and c.state in states for c in conns)

    if mode != "connect":
        while time.time() < deadline and pending(("connecting", "checking")):
            step(0.05)
        with open(ready, "w") as f:
            f.write("%d\n" % sum(c.result is None for c in conns))
        if not wait_file(go, time.time() + 120):
            print("no GO file")
            return 1
        deadline = time.time() + TIMEOUT
        for c in conns:
            if c.result is not None or c.state != "idle":
                continue
            if mode == "close":
                c.state = "closing"
                try:
                    c.s.shutdown(socket.SHUT_WR)
                except OSError:
                    finish(c, "reset")
            else:
                c.state = "resumed"
                send(c, CHUNK)
    while time.time() < deadline and any(c.result is None for c in conns):
        step(0.05)
    counts = {"ok": 0, "never": 0, "reset": 0, "hung": 0, "bad": 0}
    for c in conns:
        if c.result is None:
            c.result = "hung"
            c.s.close()
        counts[c.result] += 1
        print("conn %d %s" % (c.i, c.result))
    print(" ".join("%s %d" % kv for kv in counts.items()))
    return 0 if counts["hung"] == 0 and counts["bad"] == 0 else 1


def main():
    mode, host, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    if mode == "connect":
        return run(mode, host, port, n, sys.argv[5] if len(sys.argv) > 5 else None)
    return run(mode, host, port, n, sys.argv[5], sys.argv[6])


if __name__ == "__main__":
    sys.exit(main())
