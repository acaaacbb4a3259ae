#!/usr/bin/python3
"""A scripted BGP-4 speaker for the RFC 7606 namespace test (bgp_malformed.sh).

Plain sockets, no BGP library: the point is to send what a real speaker
never would.  It connects to nonstop (port 179), opens the session (OPEN
with the 4-octet AS capability, hold time 90, then KEEPALIVE), and takes
commands on stdin, one a line; each is answered with one JSON line on stdout:

  connect            a new connection up to Established (the last one is
                     closed first): {"established": bool, ...}
  send CASE [PFX]    CASE's message(s) (see CASES) on the current connection,
                     or on a new one that has sent nothing when CASE is
                     update-before-open; then read until nonstop closes or
                     WAIT seconds pass
  poll               read what came since (0.3 s)
  close              half-close the connection and read until nonstop closes
  garbage N SEED     N UPDATEs with random attribute bytes (random.Random(SEED)),
                     reconnecting whenever nonstop resets the session
  quit

Every answer reports what nonstop sent meanwhile: NOTIFICATIONs as
[code, subcode], whether it closed the connection, UPDATEs received and the
prefixes they announced and withdrew.
"""
import json
import random
import select
import socket
import struct
import sys
import time

MY_AS = 65002
HOLD = 90
WAIT = 3.0  # s: a reset case waits this long for the NOTIFICATION and the close


def pfx_bytes(p):
    addr, plen = p.split("/")
    plen = int(plen)
    a = socket.inet_aton(addr)
    return bytes([plen]) + a[: (plen + 7) // 8]


def msg(typ, body, marker=b"\xff" * 16, length=None):
    if length is None:
        length = 19 + len(body)
    return marker + struct.pack("!HB", length, typ) + body


def attr(flags, typ, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, typ, len(value)) + value
    return struct.pack("!BBB", flags, typ, len(value)) + value


def update(attrs=b"", nlri=(), withdrawn=(), raw_nlri=None):
    w = b"".join(pfx_bytes(p) for p in withdrawn)
    n = raw_nlri if raw_nlri is not None else b"".join(pfx_bytes(p) for p in nlri)
    return msg(2, struct.pack("!H", len(w)) + w + struct.pack("!H", len(attrs)) + attrs + n)


def origin(v=0):
    return attr(0x40, 1, bytes([v]))


def as_path(asns=(MY_AS,)):
    return attr(0x40, 2, bytes([2, len(asns)]) + b"".join(struct.pack("!I", a) for a in asns))


def next_hop(nh):
    return attr(0x40, 3, socket.inet_aton(nh))


def open_msg(router_id):
    # Capabilities: 4-octet AS (65), multiprotocol IPv4 unicast (1), route refresh (2).
    caps = bytes([65, 4]) + struct.pack("!I", MY_AS) + bytes([1, 4, 0, 1, 0, 1]) + bytes([2, 0])
    opt = bytes([2, len(caps)]) + caps
    return msg(1, struct.pack("!BHH4sB", 4, MY_AS if MY_AS < 65536 else 23456, HOLD,
                               socket.inet_aton(router_id), len(opt)) + opt)


KEEPALIVE = msg(4, b"")


def case_msgs(case, pfx, nh):
    """The message(s) of one case, announcing (or naming) pfx."""
    good = origin() + as_path() + next_hop(nh)
    if case == "valid":
        return [update(good, [pfx])]
    if case == "withdraw":
        return [update(withdrawn=[pfx])]
    # Treat-as-withdraw (RFC 7606 7.1, 7.2, 7.3, 3 (d), 7.8).
    if case == "bad-origin":
        return [update(origin(5) + as_path() + next_hop(nh), [pfx])]
    if case == "aspath-overrun":
        # A sequence of 3 AS numbers with room for one in the attribute.
        seg = bytes([2, 3]) + struct.pack("!I", MY_AS)
        return [update(origin() + attr(0x40, 2, seg) + next_hop(nh), [pfx])]
    if case == "nexthop-len":
        return [update(origin() + as_path() + attr(0x40, 3, socket.inet_aton(nh) + b"\0"), [pfx])]
    if case == "no-origin":
        return [update(as_path() + next_hop(nh), [pfx])]
    if case == "community-len":
        return [update(good + attr(0xC0, 8, b"\xfd\xe9\x00\x01\x00\x02"), [pfx])]
    # Attribute discard (RFC 7606 7.5, 7.6): LOCAL_PREF from an external
    # peer, ATOMIC_AGGREGATE of length 1.
    if case == "discard":
        return [update(good + attr(0x40, 5, struct.pack("!I", 200)) + attr(0x40, 6, b"\0"), [pfx])]
    # Session resets.
    if case == "nlri-len33":
        return [update(good, raw_nlri=bytes([33, 203, 0, 113, 0, 0]))]
    if case == "unknown-wellknown":
        return [update(good + attr(0x40, 200, b"\x01\x02"), [pfx])]
    if case == "bad-marker":
        return [msg(4, b"", marker=b"\0" * 16)]
    if case == "update-before-open":
        return [update(good, [pfx])]
    if case == "keepalive-len20":
        return [msg(4, b"\0", length=20)]
    raise ValueError("unknown case " + case)


class Speaker:
    def __init__(self, host, router_id, nh):
        self.host, self.router_id, self.nh = host, router_id, nh
        self.sock = None
        self.buf = b""
        self.reset_report()

    def reset_report(self):
        self.rep = {"notifications": [], "closed": False, "updates": 0,
                    "announced": [], "withdrawn": [], "keepalives": 0}

    def open_conn(self):
        self.close()
        self.sock = socket.create_connection((self.host, 179), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.got_open = False

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def parse_prefixes(self, b):
        out, i = [], 0
        while i < len(b):
            plen = b[i]
            n = (plen + 7) // 8
            a = b[i + 1:i + 1 + n] + b"\0" * (4 - n)
            out.append("%s/%d" % (socket.inet_ntoa(a), plen))
            i += 1 + n
        return out

    def on_msg(self, m):
        typ = m[18]
        if typ == 1:
            self.got_open = True
        elif typ == 4:
            self.rep["keepalives"] += 1
        elif typ == 3:
            self.rep["notifications"].append([m[19], m[20]] if len(m) >= 21 else [0, 0])
        elif typ == 2:
            self.rep["updates"] += 1
            wl = struct.unpack("!H", m[19:21])[0]
            self.rep["withdrawn"] += self.parse_prefixes(m[21:21 + wl])
            al = struct.unpack("!H", m[21 + wl:23 + wl])[0]
            self.rep["announced"] += self.parse_prefixes(m[23 + wl + al:])

    def read(self, secs, until=None):
        """Read for up to secs seconds, or until nonstop closes or until() holds."""
        end = time.monotonic() + secs
        while self.sock is not None:
            left = end - time.monotonic()
            if left <= 0 or (until is not None and until()):
                break
            r, _, _ = select.select([self.sock], [], [], left)
            if not r:
                continue
            try:
                d = self.sock.recv(65536)
            except (ConnectionResetError, OSError):
                d = b""
                self.rep["rst"] = True
            if not d:
                self.rep["closed"] = True
                self.close()
                break
            self.buf += d
            while len(self.buf) >= 19:
                ln = struct.unpack("!H", self.buf[16:18])[0]
                if ln < 19 or len(self.buf) < ln:
                    break
                self.on_msg(self.buf[:ln])
                self.buf = self.buf[ln:]

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except (OSError, AttributeError):
            return False

    def establish(self):
        """OPEN; nonstop answers ours with its KEEPALIVE (its OPEN came on
        accept); then our KEEPALIVE, which makes the session Established
        (TCP keeps it ahead of anything sent next)."""
        self.open_conn()
        ka = self.rep["keepalives"]
        self.send(open_msg(self.router_id))
        self.read(5, lambda: self.got_open and self.rep["keepalives"] > ka)
        if self.sock is None or not self.got_open or self.rep["keepalives"] == ka:
            return False
        return self.send(KEEPALIVE)

    def cmd_connect(self):
        self.reset_report()
        ok = self.establish()
        # nonstop's own prefixes follow at once.
        self.read(0.5)
        self.rep["established"] = ok
        return self.rep

    def cmd_send(self, case, pfx):
        self.reset_report()
        if case == "update-before-open":
            self.open_conn()
            self.read(5, lambda: self.got_open)
        for m in case_msgs(case, pfx, self.nh):
            self.send(m)
        self.read(WAIT if case in RESETS else 0.3, lambda: self.rep["notifications"])
        if self.rep["notifications"]:
            self.read(WAIT)  # then the close
        return self.rep

    def cmd_garbage(self, n, seed):
        rng = random.Random(seed)
        self.reset_report()
        stats = {"sent": 0, "resets": 0, "silent_closes": 0, "reconnect_failures": 0,
                 "codes": {}}
        for i in range(n):
            if self.sock is None:
                if not self.establish():
                    stats["reconnect_failures"] += 1
                    continue
            kind = rng.randrange(3)
            if kind == 0:
                # Random bytes as the attribute field, a valid NLRI.
                attrs = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
                m = update(attrs, ["10.99.%d.0/24" % (i % 256)])
            elif kind == 1:
                # Well-formed attribute headers around random values.
                attrs = b""
                for _ in range(rng.randrange(1, 6)):
                    flags = rng.choice([0x40, 0x80, 0xC0, 0xE0, 0x50, 0xD0, rng.randrange(256)])
                    typ = rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 17, 18, rng.randrange(256)])
                    v = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 12)))
                    attrs += attr(flags & ~0x10, typ, v)
                m = update(attrs, ["10.98.%d.0/24" % (i % 256)])
            else:
                # A whole random UPDATE body.
                body = bytes(rng.randrange(256) for _ in range(rng.randrange(0, 80)))
                m = msg(2, body)
            stats["sent"] += 1
            nots = len(self.rep["notifications"])
            self.send(m)
            # A KEEPALIVE after each: the session must still take it.
            self.send(KEEPALIVE)
            self.read(0.02)
            if len(self.rep["notifications"]) > nots:
                self.read(WAIT)
            if len(self.rep["notifications"]) > nots or self.sock is None:
                stats["resets"] += 1
                if len(self.rep["notifications"]) == nots:
                    stats["silent_closes"] += 1
                for c in self.rep["notifications"][nots:]:
                    k = "%d/%d" % tuple(c)
                    stats["codes"][k] = stats["codes"].get(k, 0) + 1
                self.close()
        self.read(0.3)
        self.rep["garbage"] = stats
        self.rep["established"] = self.sock is not None
        return self.rep


RESETS = {"nlri-len33", "unknown-wellknown", "bad-marker", "update-before-open", "keepalive-len20"}


def main():
    host, router_id, nh = sys.argv[1], sys.argv[2], sys.argv[3]
    sp = Speaker(host, router_id, nh)
    for line in sys.stdin:
        w = line.split()
        if not w:
            continue
        try:
            if w[0] == "connect":
                rep = sp.cmd_connect()
            elif w[0] == "send":
                rep = sp.cmd_send(w[1], w[2] if len(w) > 2 else "203.0.113.0/24")
            elif w[0] == "poll":
                sp.reset_report()
                sp.read(0.3)
                rep = sp.rep
            elif w[0] == "close":
                sp.reset_report()
                if sp.sock is not None:
                    sp.sock.shutdown(socket.SHUT_WR)
                    sp.read(WAIT)
                sp.close()
                rep = sp.rep
            elif w[0] == "garbage":
                rep = sp.cmd_garbage(int(w[1]), int(w[2]))
            elif w[0] == "quit":
                sp.close()
                break
            else:
                rep = {"error": "unknown command " + w[0]}
        except Exception as e:  # reported, never fatal: the test reads one line per command
            rep = {"error": repr(e)}
        rep["connected"] = sp.sock is not None
        print(json.dumps(rep), flush=True)


if __name__ == "__main__":
    main()
