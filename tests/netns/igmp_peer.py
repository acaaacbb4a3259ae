#!/usr/bin/python3
"""The scripted membership sequence of tests/netns/igmp.sh.

    igmp_peer.py kernel LOCAL_ADDR STEP_SECONDS     Linux sockets do it
    igmp_peer.py nonstop NONSTOPCTL SOCKET PORT STEP_SECONDS   nonstop's console does it

One step every STEP_SECONDS (longer than the unsolicited report interval,
so each step's reports and retransmissions are over before the next).
"""
import socket
import struct
import subprocess
import sys
import time

IP_ADD_SOURCE_MEMBERSHIP = 39  # linux/in.h (Python's socket module lacks it)

STEPS = [
    ("join", 1, "239.1.1.1", []),
    ("join", 2, "239.1.1.1", []),            # a second member: no report
    ("join", 1, "239.2.2.2", []),
    ("leave", 1, "239.1.1.1", []),           # one member left: no report
    ("leave", 2, "239.1.1.1", []),           # the last: TO_IN {}
    ("include", 1, "232.1.1.1", ["198.51.100.10"]),
    ("include", 1, "232.1.1.1", ["198.51.100.10", "198.51.100.11"]),
    ("leave", 1, "232.1.1.1", []),
    ("leave", 1, "239.2.2.2", []),
]


def kernel(local, step):
    socks = {}
    sources = {}

    def s(app, group):
        k = (app, group)
        if k not in socks:
            socks[k] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        return socks[k]
    for op, app, group, src in STEPS:
        g, me = socket.inet_aton(group), socket.inet_aton(local)
        if op == "join":
            s(app, group).setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, g + me)
        elif op == "leave":
            s(app, group).setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, g + me)
            sources.pop((app, group), None)
        else:
            have = sources.setdefault((app, group), [])
            for a in src:
                if a not in have:
                    s(app, group).setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP,
                                             g + me + socket.inet_aton(a))
                    have.append(a)
        time.sleep(step)


def nonstop(ctl, sock, port, step):
    for op, app, group, src in STEPS:
        cmd = [ctl, "-s", sock, "mcast", "app", str(app), op, port, group]
        if src:
            cmd.append(",".join(src))
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, timeout=10)
        time.sleep(step)


if __name__ == "__main__":
    if sys.argv[1] == "kernel":
        kernel(sys.argv[2], float(sys.argv[3]))
    else:
        nonstop(sys.argv[2], sys.argv[3], sys.argv[4], float(sys.argv[5]))
