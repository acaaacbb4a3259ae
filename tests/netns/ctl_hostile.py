#!/usr/bin/python3
"""Hostile control-socket clients for SECONDS, against SOCKET:
  - 4 silent clients (connect, send nothing; again when dropped),
  - one sending a line a byte a second,
  - one sending megabytes without a newline (again when refused),
  - one asking for a large answer and never reading it.
Prints what each one saw.    ctl_hostile.py SOCKET SECONDS [KIND,...]
(KIND: silent, dribble, flood, lazy; all of them by default)
"""
import socket
import sys
import threading
import time

path, seconds = sys.argv[1], float(sys.argv[2])
end = time.time() + seconds
stats = {"silent": 0, "dribble": 0, "flood_bytes": 0, "flood": 0, "lazy": 0}
lock = threading.Lock()


def connect():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    return s


def count(k, n=1):
    with lock:
        stats[k] += n


def silent():
    while time.time() < end:
        try:
            s = connect()
            count("silent")
            s.settimeout(max(0.1, end - time.time()))
            s.recv(1)  # until the server drops it, or the end
            s.close()
        except OSError:
            time.sleep(0.05)


def dribble():
    while time.time() < end:
        try:
            s = connect()
            count("dribble")
            for b in b"show version\n":
                if time.time() >= end:
                    break
                s.send(bytes([b]))
                time.sleep(1.0)
            s.close()
        except OSError:
            time.sleep(0.05)


def flood():
    chunk = b"x" * 65536
    while time.time() < end:
        try:
            s = connect()
            count("flood")
            s.settimeout(1.0)
            while time.time() < end:
                count("flood_bytes", s.send(chunk))
        except OSError:
            pass
        try:
            s.close()
        except OSError:
            pass


def lazy():
    while time.time() < end:
        try:
            s = connect()
            count("lazy")
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.sendall(b"show counters all\n")
            time.sleep(max(0.0, end - time.time()))
            s.close()
        except OSError:
            time.sleep(0.05)


kinds = sys.argv[3].split(",") if len(sys.argv) > 3 else ["silent", "dribble", "flood", "lazy"]
fns = {"silent": [silent] * 4, "dribble": [dribble], "flood": [flood], "lazy": [lazy]}
th = [threading.Thread(target=f) for k in kinds for f in fns[k]]
for t in th:
    t.start()
for t in th:
    t.join()
print("hostile clients: %d silent, %d dribbling, %d flooding (%d MB sent), %d never reading"
      % (stats["silent"], stats["dribble"], stats["flood"], stats["flood_bytes"] >> 20,
         stats["lazy"]))
