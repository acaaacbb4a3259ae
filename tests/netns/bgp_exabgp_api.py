"""ExaBGP's API process for bgp_nsr.sh (Debian's /usr/bin/python3).

    bgp_exabgp_api.py STATUS DIR NEXTHOP

Reads ExaBGP's JSON messages on stdin: counts the session's state changes
and keeps the set of prefixes the neighbour announced; STATUS (rewritten
atomically) holds "ups downs prefixes".  A file DIR/burst holding N makes it
withdraw its first N prefixes (20.0.0.0/24 onwards) and announce them again
(commands on stdout, which ExaBGP reads).
"""
import json
import os
import select
import sys

status, cmd_dir, nexthop = sys.argv[1], sys.argv[2], sys.argv[3]
ups = downs = 0
prefixes = set()


def write_status():
    tmp = status + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %d %d\n" % (ups, downs, len(prefixes)))
    os.replace(tmp, status)


def pfx(i):
    return "%d.%d.%d.0/24" % (20 + i // 65536, (i // 256) % 256, i % 256)


def burst(n):
    for i in range(n):
        sys.stdout.write("withdraw route %s next-hop %s\n" % (pfx(i), nexthop))
    for i in range(n):
        sys.stdout.write("announce route %s next-hop %s\n" % (pfx(i), nexthop))
    sys.stdout.flush()


def on_message(m):
    global ups, downs
    if m.get("type") == "state":
        st = m.get("neighbor", {}).get("state")
        if st == "up":
            ups += 1
        elif st == "down":
            downs += 1
        return
    if m.get("type") != "update":
        return
    upd = m.get("neighbor", {}).get("message", {}).get("update", {})
    for nh in upd.get("announce", {}).get("ipv4 unicast", {}).values():
        for r in nh:
            prefixes.add(r["nlri"] if isinstance(r, dict) else r)
    for r in upd.get("withdraw", {}).get("ipv4 unicast", []):
        prefixes.discard(r["nlri"] if isinstance(r, dict) else r)


write_status()
buf = b""
while True:
    r, _, _ = select.select([sys.stdin], [], [], 0.1)
    if r:
        chunk = os.read(sys.stdin.fileno(), 1 << 20)
        if not chunk:
            break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for line in lines:
            try:
                on_message(json.loads(line))
            except (ValueError, AttributeError, KeyError, TypeError):
                pass
        write_status()
    trig = os.path.join(cmd_dir, "burst")
    if os.path.exists(trig):
        with open(trig) as f:
            n = int(f.read().strip() or 0)
        os.unlink(trig)
        burst(n)
