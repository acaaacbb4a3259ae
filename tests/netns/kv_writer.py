#!/usr/bin/python3
"""A kv (RESP2) writer that keeps a record of every write it was answered.

CONNS connections, each with up to DEPTH requests in flight (pipelined):
SET of unique keys PREFIX:CONN:SEQ whose value encodes the key and the
sequence number, and every INCR_EVERY-th request an INCR of the connection's
own counter PREFIX:ctr:CONN.  No reconnect: a connection closed or reset by
the server, a socket error, an error reply or a connection stalled longer
than STALL seconds is a failure, reported.

Runs until STOP (a file) exists or DURATION seconds have passed, then stops
sending, waits for every answer (bounded) and checks, over a fresh
connection, that every acknowledged SET reads back with its value and every
counter holds exactly the increments acknowledged.  Asserted about INCR:
every reply is the previous reply + 1 (an increment applied twice, or one
lost, shows as a jump); at the end every INCR sent has been answered (the
connections survive), so the counter must equal the last reply.  Had a
connection failed with INCRs unanswered, those may or may not have applied:
the counter must then lie between the last reply and the INCRs sent (and the
run fails anyway, for the connection).

--flush sends FLUSHALL first (the writer's keys are then the whole
keyspace) and prints the digest that keyspace must have ('app kv digest',
DEBUG DIGEST): three SipHash-2-4 lanes per key, XORed (apps/kv/kv_db.c).
--digest-of KEY VALUE only prints the digest of a keyspace of that one key.

Output: progress lines, then 'writer: ...' (the figures), 'digest HEX'
(the expected digest, with --flush), 'debug-digest HEX' (the server's
DEBUG DIGEST after the check), 'verify: ok' or the failures.  Exit 0 if
nothing failed.
"""
import argparse
import errno
import os
import select
import socket
import sys
import time

DIGEST_KEY = bytes([0x6e, 0x6f, 0x6e, 0x73, 0x74, 0x6f, 0x70, 0x2d, 0x6b, 0x76,
                    0x2d, 0x68, 0x61, 0x73, 0x68, 0x31])
M64 = (1 << 64) - 1


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash24(key, data):
    k0 = int.from_bytes(key[0:8], "little")
    k1 = int.from_bytes(key[8:16], "little")
    v = [0x736f6d6570736575 ^ k0, 0x646f72616e646f6d ^ k1,
         0x6c7967656e657261 ^ k0, 0x7465646279746573 ^ k1]

    def rnd():
        v[0] = (v[0] + v[1]) & M64
        v[1] = rotl(v[1], 13) ^ v[0]
        v[0] = rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & M64
        v[3] = rotl(v[3], 16) ^ v[2]
        v[0] = (v[0] + v[3]) & M64
        v[3] = rotl(v[3], 21) ^ v[0]
        v[2] = (v[2] + v[1]) & M64
        v[1] = rotl(v[1], 17) ^ v[2]
        v[2] = rotl(v[2], 32)

    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = int.from_bytes(data[i:i + 8], "little")
        v[3] ^= m
        rnd()
        rnd()
        v[0] ^= m
    b = ((n & 0xff) << 56) | int.from_bytes(data[full:].ljust(8, b"\0"), "little")
    v[3] ^= b
    rnd()
    rnd()
    v[0] ^= b
    v[2] ^= 0xff
    for _ in range(4):
        rnd()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def digest(keyspace):
    """kv's digest (apps/kv/kv_db.c digest_flip) of a dict bytes -> bytes."""
    acc = bytearray(24)
    for k, val in keyspace.items():
        for lane in range(3):
            key = bytearray(DIGEST_KEY)
            key[0] ^= lane + 1
            for j in range(4):
                key[8 + j] ^= (len(k) >> (8 * j)) & 0xff
            h = siphash24(bytes(key), k + val)
            for j in range(8):
                acc[lane * 8 + j] ^= (h >> (8 * j)) & 0xff
    return acc[:20].hex()


def command(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Incomplete(Exception):
    pass


def parse(buf, pos):
    """One RESP2 reply at buf[pos:]: (value, next pos); raises Incomplete.
    Errors come back as ('ERR', text)."""
    end = buf.find(b"\r\n", pos)
    if end < 0:
        raise Incomplete
    t, line = buf[pos:pos + 1], bytes(buf[pos + 1:end])
    nxt = end + 2
    if t == b"+":
        return line, nxt
    if t == b"-":
        return ("ERR", line.decode(errors="replace")), nxt
    if t == b":":
        return int(line), nxt
    if t == b"$":
        n = int(line)
        if n < 0:
            return None, nxt
        if len(buf) < nxt + n + 2:
            raise Incomplete
        return bytes(buf[nxt:nxt + n]), nxt + n + 2
    if t == b"*":
        n = int(line)
        items = []
        for _ in range(max(n, 0)):
            v, nxt = parse(buf, nxt)
            items.append(v)
        return items, nxt
    raise ValueError("bad RESP type %r" % t)


class Conn:
    def __init__(self, idx, host, port, prefix):
        self.idx = idx
        self.sock = socket.create_connection((host, port), timeout=5)
        self.sock.setblocking(False)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.prefix = prefix
        self.out = bytearray()
        self.inb = bytearray()
        self.pending = []  # (kind, key, value) in order
        self.seq = 0
        self.incr_sent = 0
        self.incr_acked = 0
        self.last_incr = 0
        self.dead = None
        self.last_reply = time.monotonic()
        self.max_gap = 0.0

    def ctr_key(self):
        return ("%s:ctr:%d" % (self.prefix, self.idx)).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("host", nargs="?")
    ap.add_argument("port", nargs="?", type=int, default=6379)
    ap.add_argument("--conns", type=int, default=4)
    ap.add_argument("--depth", type=int, default=8)
    ap.add_argument("--incr-every", type=int, default=5)
    ap.add_argument("--vsize", type=int, default=48)
    ap.add_argument("--duration", type=float, default=60)
    ap.add_argument("--rate", type=float, default=0,
                    help="requests per second over all connections (0: as fast as answered)")
    ap.add_argument("--stop")
    ap.add_argument("--progress")
    ap.add_argument("--prefix", default="w")
    ap.add_argument("--stall", type=float, default=10)
    ap.add_argument("--flush", action="store_true")
    ap.add_argument("--digest-of", nargs=2, metavar=("KEY", "VALUE"))
    a = ap.parse_args()

    if a.digest_of:
        print(digest({a.digest_of[0].encode(): a.digest_of[1].encode()}))
        return 0

    failures = []
    if a.flush:
        s = socket.create_connection((a.host, a.port), timeout=10)
        s.sendall(command("FLUSHALL"))
        if s.recv(64) != b"+OK\r\n":
            print("FAIL FLUSHALL not answered +OK")
            return 1
        s.close()

    conns = [Conn(i, a.host, a.port, a.prefix) for i in range(a.conns)]
    acked = {}  # key -> value of every acknowledged SET
    t0 = time.monotonic()
    stopping = False
    stop_at = None
    sent_total = 0
    last_prog = 0.0

    def fail(c, why):
        if c.dead is None:
            c.dead = why
            failures.append("conn %d: %s (after %d SETs and %d INCRs acknowledged on it, %d in flight)"
                            % (c.idx, why, c.seq - len(c.pending), c.incr_acked, len(c.pending)))
            try:
                c.sock.close()
            except OSError:
                pass

    while True:
        now = time.monotonic()
        if not stopping and (now - t0 >= a.duration or (a.stop and os.path.exists(a.stop))):
            stopping = True
            stop_at = now
        live = [c for c in conns if c.dead is None]
        if stopping and all(not c.pending and not c.out for c in live):
            break
        if stopping and now - stop_at > 20:
            for c in live:
                if c.pending:
                    fail(c, "no answer to %d requests 20 s after the stop" % len(c.pending))
            break
        if not live:
            break
        budget = None
        if a.rate > 0:
            budget = int((now - t0) * a.rate) - sent_total
        for c in live:
            while not stopping and len(c.pending) < a.depth and (budget is None or budget > 0):
                if a.incr_every and c.seq % a.incr_every == a.incr_every - 1:
                    c.out += command(b"INCR", c.ctr_key())
                    c.pending.append(("incr", c.ctr_key(), None))
                    c.incr_sent += 1
                else:
                    key = ("%s:%d:%d" % (a.prefix, c.idx, c.seq)).encode()
                    val = (b"%s=%d:" % (key, c.seq)).ljust(a.vsize, b"x")
                    c.out += command(b"SET", key, val)
                    c.pending.append(("set", key, val))
                c.seq += 1
                sent_total += 1
                if budget is not None:
                    budget -= 1
            if c.pending and now - c.last_reply > a.stall:
                fail(c, "no answer for %.1f s (a stall)" % (now - c.last_reply))
        live = [c for c in conns if c.dead is None]
        rl = [c.sock for c in live]
        wl = [c.sock for c in live if c.out]
        try:
            r, w, _ = select.select(rl, wl, [], 0.05)
        except (OSError, ValueError):
            r, w = [], []
        by = {c.sock: c for c in live}
        for s in w:
            c = by[s]
            try:
                n = s.send(c.out)
                del c.out[:n]
            except BlockingIOError:
                pass
            except OSError as e:
                fail(c, "send: %s" % errno.errorcode.get(e.errno, e))
        for s in r:
            c = by[s]
            if c.dead is not None:
                continue
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            except OSError as e:
                fail(c, "recv: %s (a reset?)" % errno.errorcode.get(e.errno, e))
                continue
            if not data:
                fail(c, "closed by the server")
                continue
            t = time.monotonic()
            c.max_gap = max(c.max_gap, t - c.last_reply)
            c.last_reply = t
            c.inb += data
            pos = 0
            while c.pending:
                try:
                    v, pos2 = parse(c.inb, pos)
                except Incomplete:
                    break
                pos = pos2
                kind, key, val = c.pending.pop(0)
                if kind == "set":
                    if v != b"OK":
                        fail(c, "SET %s answered %r" % (key, v))
                        break
                    acked[key] = val
                else:
                    if v != c.last_incr + 1:
                        fail(c, "INCR %s answered %r after %d: applied twice or lost"
                             % (key, v, c.last_incr))
                        break
                    c.last_incr = v
                    c.incr_acked += 1
            del c.inb[:pos]
            if c.dead is None and not c.pending and c.inb:
                fail(c, "an answer to nothing: %r" % bytes(c.inb[:60]))
        if a.progress and now - last_prog > 0.2:
            last_prog = now
            tmp = a.progress + ".tmp"
            with open(tmp, "w") as f:
                f.write("%d %d\n" % (len(acked) + sum(c.incr_acked for c in conns),
                                     sum(1 for c in conns if c.dead is not None)))
            os.replace(tmp, a.progress)

    elapsed = time.monotonic() - t0
    incrs = sum(c.incr_acked for c in conns)
    for c in conns:
        if c.dead is None:
            c.sock.close()
    if a.progress:
        with open(a.progress, "w") as f:
            f.write("%d %d\n" % (len(acked) + incrs, len(failures)))

    # Read everything back over a fresh connection, pipelined.
    expected = dict(acked)
    ctr_of = {}
    for c in conns:
        if c.incr_sent:
            expected[c.ctr_key()] = str(c.last_incr).encode()
            ctr_of[c.ctr_key()] = c
    bad = []
    s = socket.create_connection((a.host, a.port), timeout=15)
    keys = list(expected)
    inb = bytearray()

    def ask(cmds):
        nonlocal inb
        s.sendall(b"".join(cmds))
        out = []
        pos = 0
        while len(out) < len(cmds):
            try:
                v, pos = parse(inb, pos)
                out.append(v)
            except Incomplete:
                d = s.recv(1 << 20)
                if not d:
                    raise OSError("closed during the read-back")
                inb += d
        del inb[:pos]
        return out

    for i in range(0, len(keys), 200):
        batch = keys[i:i + 200]
        for k, v in zip(batch, ask([command(b"GET", k) for k in batch])):
            want = expected[k]
            if v == want:
                continue
            c = ctr_of.get(k)
            if c is not None:
                # A failed connection's unanswered INCRs may or may not have applied.
                if c.dead is not None and v is not None and \
                        c.last_incr <= int(v) <= c.last_incr + (c.incr_sent - c.incr_acked):
                    continue
            bad.append("%s: read %r, acknowledged %r" % (k.decode(), v, want))
    dbg = ask([command(b"DEBUG", b"DIGEST")])[0]
    s.close()
    gaps = sorted(c.max_gap for c in conns)
    print("writer: %d connections, %.1f s, %d SETs and %d INCRs acknowledged (%.0f/s), "
          "longest wait for an answer %.0f ms, %d connection failures, %d keys read back wrong"
          % (len(conns), elapsed, len(acked), incrs, (len(acked) + incrs) / max(elapsed, 1e-3),
             gaps[-1] * 1000 if gaps else 0, len(failures), len(bad)))
    if a.flush:
        print("digest %s" % digest(expected))
    if isinstance(dbg, bytes):
        print("debug-digest %s" % dbg.decode())
    for f in failures:
        print("FAIL " + f)
    for b in bad[:20]:
        print("FAIL read back " + b)
    if len(bad) > 20:
        print("FAIL ... and %d more keys" % (len(bad) - 20))
    ok = not failures and not bad
    print("verify: %s" % ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
