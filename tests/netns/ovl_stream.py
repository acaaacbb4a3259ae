#!/usr/bin/python3
"""UDP stream for the overlay test (tests/netns/overlay.sh).

  ovl_stream.py send DST PORT COUNT INTERVAL_US SIZE
      COUNT datagrams of SIZE bytes, the first 4 bytes their number (0..),
      one every INTERVAL_US (paced against the clock, not by sleeping each).
  ovl_stream.py recv ADDR PORT COUNT TIMEOUT_S
      until COUNT datagrams came or nothing came for 3 s (at most TIMEOUT_S):
      prints received, duplicates, out of order, missing; exit 0 only when
      every number arrived exactly once and in order.
"""
import socket
import struct
import sys
import time


def send(dst, port, count, interval_us, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    pad = bytes(range(256)) * (size // 256 + 1)
    t0 = time.monotonic()
    for i in range(count):
        due = t0 + i * interval_us / 1e6
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        s.sendto(struct.pack("!I", i) + pad[: size - 4], (dst, port))
    print(f"sent {count} datagrams in {time.monotonic() - t0:.2f} s")


def recv(addr, port, count, timeout):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.bind((addr, port))
    s.settimeout(1.0)
    seen = bytearray(count)
    got = dups = disorder = 0
    last = -1
    end = time.monotonic() + timeout
    quiet_since = None
    while got < count and time.monotonic() < end:
        try:
            data = s.recv(65536)
        except socket.timeout:
            if got and quiet_since is None:
                quiet_since = time.monotonic()
            if quiet_since is not None and time.monotonic() - quiet_since >= 3:
                break
            continue
        quiet_since = None
        if len(data) < 4:
            continue
        n = struct.unpack("!I", data[:4])[0]
        if n >= count:
            continue
        if seen[n]:
            dups += 1
            continue
        seen[n] = 1
        got += 1
        if n < last:
            disorder += 1
        last = max(last, n)
    missing = count - got
    print(f"{addr}: received {got} of {count}, duplicates {dups}, out of order {disorder}, "
          f"missing {missing}" + (f" (first {seen.index(0)})" if missing else ""))
    return 0 if got == count and dups == 0 and disorder == 0 else 1


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 7 and a[1] == "send":
        send(a[2], int(a[3]), int(a[4]), int(a[5]), int(a[6]))
    elif len(a) == 6 and a[1] == "recv":
        sys.exit(recv(a[2], int(a[3]), int(a[4]), float(a[5])))
    else:
        sys.exit(__doc__)
