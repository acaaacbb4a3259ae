#!/usr/bin/python3
"""Kernel-side clients for the replication and failover tests.

    stream_peer.py HOST PORT CONNS SECONDS KBPS QUIET_FILE RELEASE_FILE [STOP_FILE]

Opens CONNS connections to an echo listener, writes the pattern (as
pattern_peer.py) at KBPS kilobytes per second per connection for SECONDS,
reads the echoes, and checks every byte.  Once every byte written has come
back, it writes QUIET_FILE (the connections are idle and open) and waits,
at most 120 s, for RELEASE_FILE to appear; then it closes them all, reads to
EOF and prints one line per connection and a summary (with STOP_FILE, the
writing also ends as soon as that file exists):
    conn I sent N echoed M ok|bad [sha256 of what was sent = of what came back]
Exit 0 when every connection echoed every byte unchanged and closed cleanly.
The longest wait between two echo bytes, per connection, is printed too
(the stall a failover causes).
"""
import hashlib
import os
import selectors
import socket
import sys
import time

PERIOD = 65521
TABLE = bytes(((k * 2654435761) & 0xFFFFFFFF) >> 24 for k in range(PERIOD))
BIG = TABLE * 4


def chunk(off, n):
    s = off % PERIOD
    return BIG[s:s + n]


def main():
    host, port, conns, secs, kbps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(
        sys.argv[4]), float(sys.argv[5])
    quiet_file, release_file = sys.argv[6], sys.argv[7]
    stop_file = sys.argv[8] if len(sys.argv) > 8 else None
    sel = selectors.DefaultSelector()
    st = []
    for i in range(conns):
        s = socket.create_connection((host, port), timeout=10)
        s.setblocking(False)
        st.append({"s": s, "sent": 0, "got": 0, "ok": True, "tx": hashlib.sha256(),
                   "rx": hashlib.sha256(), "last": None, "stall": 0.0, "eof": False})
        sel.register(s, selectors.EVENT_READ, i)
    t0 = time.time()
    rate = kbps * 1024
    deadline = t0 + secs + 120

    def service(timeout):
        for key, _ in sel.select(timeout):
            c = st[key.data]
            try:
                b = c["s"].recv(65536)
            except BlockingIOError:
                continue
            except ConnectionError:
                c["ok"] = False
                c["eof"] = True
                sel.unregister(c["s"])
                continue
            now = time.time()
            if not b:
                c["eof"] = True
                sel.unregister(c["s"])
                continue
            if c["last"] is not None:
                c["stall"] = max(c["stall"], now - c["last"])
            c["last"] = now
            if b != chunk(c["got"], len(b)):
                c["ok"] = False
            c["rx"].update(b)
            c["got"] += len(b)

    while time.time() < t0 + secs and not (stop_file and os.path.exists(stop_file)):
        now = time.time()
        for c in st:
            want = int(rate * (now - t0)) - c["sent"]
            while want > 0:
                n = min(want, 16384)
                try:
                    k = c["s"].send(chunk(c["sent"], n))
                except BlockingIOError:
                    break
                c["tx"].update(chunk(c["sent"], k))
                c["sent"] += k
                want -= k
        service(0.005)
    while time.time() < deadline and any(c["got"] < c["sent"] and not c["eof"] for c in st):
        service(0.05)
    for c in st:
        if c["got"] == c["sent"]:
            c["last"] = None  # idle from here: the stall is measured while streaming
    with open(quiet_file, "w") as f:
        f.write("%d\n" % sum(c["sent"] for c in st))
    while time.time() < deadline and not os.path.exists(release_file):
        service(0.05)
    for c in st:
        try:
            c["s"].shutdown(socket.SHUT_WR)
        except OSError:
            c["ok"] = False
    while time.time() < deadline and not all(c["eof"] for c in st):
        service(0.05)
    good = 0
    for i, c in enumerate(st):
        fine = c["ok"] and c["eof"] and c["got"] == c["sent"] and c["tx"].digest() == c["rx"].digest()
        good += fine
        print("conn %d sent %d echoed %d %s sha256 %s %s stall %.1f ms" % (
            i, c["sent"], c["got"], "ok" if fine else "bad", c["tx"].hexdigest()[:16],
            c["rx"].hexdigest()[:16], c["stall"] * 1000))
        c["s"].close()
    print("%d of %d connections echoed every byte" % (good, conns))
    sys.exit(0 if good == conns else 1)


if __name__ == "__main__":
    main()
