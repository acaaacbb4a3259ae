#!/usr/bin/python3
"""RESP-level checks of nonstop's kv against a real redis-server.

  kv_resp.py compare KV_HOST:PORT REF_HOST:PORT
      the same command sequences on both, one connection per sequence;
      every reply byte-compared, except the replies kv answers differently
      on purpose (INFO, COMMAND COUNT, DEBUG DIGEST: shape checked) and the
      ones that depend on the clock (PTTL: range checked)
  kv_resp.py hostile KV_HOST:PORT REF_HOST:PORT
      malformed requests: the exact error bytes Redis sends, then the
      server's FIN (not a RST); a bystander connection keeps being served.
      Prints "ports P..." (the local ports of the hostile connections kv
      answered) for the capture and counter checks.
  kv_resp.py big KV_HOST:PORT REF_HOST:PORT
      SET and GET of values larger than the receive buffer
  kv_resp.py oom KV_HOST:PORT
      SETs until the OOM error; reads still work, DEL frees, SET works again
  kv_resp.py digest HOST:PORT
      DEBUG DIGEST's hex
Every line is "ok   ..." or "FAIL ..."; the exit status is 1 on any FAIL.
"""
import re
import socket
import sys
import time

fails = 0


def ok(cond, what, detail=""):
    global fails
    if cond:
        print("ok   " + what)
    else:
        fails += 1
        print("FAIL " + what + (": " + detail if detail else ""))
    return cond


def addr(s):
    h, p = s.rsplit(":", 1)
    return h, int(p)


def enc(args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


class Conn:
    def __init__(self, where, timeout=5.0):
        self.s = socket.create_connection(addr(where), timeout=timeout)
        self.s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def fill(self):
        d = self.s.recv(65536)
        if not d:
            raise EOFError("connection closed")
        self.buf += d

    def line(self, pos):
        while True:
            i = self.buf.find(b"\r\n", pos)
            if i >= 0:
                return i
            self.fill()

    def reply_end(self, pos):
        """The end of the RESP reply that starts at pos (reads as needed)."""
        while len(self.buf) <= pos:
            self.fill()
        t = self.buf[pos:pos + 1]
        e = self.line(pos)
        if t in (b"+", b"-", b":"):
            return e + 2
        n = int(self.buf[pos + 1:e])
        if t == b"$":
            if n < 0:
                return e + 2
            while len(self.buf) < e + 2 + n + 2:
                self.fill()
            return e + 2 + n + 2
        if t == b"*":
            p = e + 2
            for _ in range(max(n, 0)):
                p = self.reply_end(p)
            return p
        raise ValueError("not RESP: %r" % self.buf[pos:pos + 40])

    def reply(self):
        end = self.reply_end(0)
        r, self.buf = self.buf[:end], self.buf[end:]
        return r

    def cmd(self, *args):
        self.s.sendall(enc(args))
        return self.reply()

    def close(self):
        self.s.close()


# Sequences run on one connection each, FLUSHALL first.  An entry is the
# command, or (command, how): how is a shape check of kv's reply where kv
# differs from Redis on purpose or the clock decides.
def pttl_near(ms):
    return lambda r: re.fullmatch(rb":(\d+)\r\n", r) is not None and \
        ms - 2000 <= int(r[1:-2]) <= ms


def info_shape(r):
    return r.startswith(b"$") and b"# Keyspace\r\n" in r and b"# Memory\r\n" in r and \
        b"used_memory:" in r and b"db0:keys=" in r


def count_shape(r):
    return re.fullmatch(rb":\d+\r\n", r) is not None and int(r[1:-2]) >= 20


def digest_shape(r):
    return re.fullmatch(rb"\+[0-9a-f]{40}\r\n", r) is not None


I64MAX = "9223372036854775807"
SEQS = [
    ["PING", ("PING", "hello"), ("ECHO", "hi there"), ("ECHO", ""), ("PING", "a", "b"),
     ("ECHO",), ("NOSUCH", "x", "y")],
    [("SET", "k", "v"), ("GET", "k"), ("GET", "missing"), ("SET", "k", "v2", "XX"),
     ("SET", "k", "v3", "NX"), ("SET", "n", "v", "XX"), ("SET", "n", "v", "NX"), ("GET", "n"),
     ("SET", "k", "v", "GET"), ("SET", "k", "v", "NX", "XX"), ("SET", "k", "v", "EX", "0"),
     ("SET", "k", "v", "EX", "-1"), ("SET", "k", "v", "EX", "abc"), ("SET", "k", "v", "PX"),
     ("SET", "k", "v", "EX", "10", "PX", "100"), ("SET", "k", "v", "BOGUS"), ("SET", "k"),
     ("GET", "k", "x"), ("SET", "bin", b"a\x00b\r\nc"), ("GET", "bin")],
    [("SET", "t", "v", "EX", "100"), ("TTL", "t"), ("PTTL", "t", pttl_near(100000)),
     ("SET", "p", "v", "PX", "50000"), ("TTL", "p"), ("PTTL", "p", pttl_near(50000)),
     ("TTL", "nokey"), ("PTTL", "nokey"), ("SET", "plain", "v"), ("TTL", "plain"),
     ("PTTL", "plain"), ("EXPIRE", "plain", "200"), ("TTL", "plain"), ("PERSIST", "plain"),
     ("TTL", "plain"), ("PERSIST", "plain"), ("PERSIST", "nokey"), ("EXPIRE", "nokey", "10"),
     ("EXPIRE", "plain", "abc"), ("EXPIRE", "plain", "10", "NX"), ("EXPIRE", "plain", "20", "NX"),
     ("EXPIRE", "plain", "30", "XX"), ("TTL", "plain"), ("EXPIRE", "plain", "5", "GT"),
     ("EXPIRE", "plain", "5", "LT"), ("TTL", "plain"), ("EXPIRE", "plain", "5", "NX", "XX"),
     ("EXPIRE", "plain", "5", "FOO"), ("PEXPIRE", "plain", "90000"), ("TTL", "plain"),
     ("SET", "t", "v2", "KEEPTTL"), ("TTL", "t"), ("SET", "t", "v3"), ("TTL", "t"),
     ("EXPIRE", "plain", "0"), ("EXISTS", "plain"), ("EXPIRE", "t", "-5"), ("GET", "t")],
    [("INCR", "c"), ("INCR", "c"), ("INCRBY", "c", "10"), ("DECR", "c"), ("DECRBY", "c", "5"),
     ("INCRBY", "c", "-100"), ("GET", "c"), ("SET", "s", "abc"), ("INCR", "s"), ("DECR", "s"),
     ("INCRBY", "c", "1.5"), ("INCRBY", "c", "x"), ("SET", "big", I64MAX), ("INCR", "big"),
     ("INCRBY", "big", "1"), ("SET", "small", "-9223372036854775808"), ("DECR", "small"),
     ("DECRBY", "small", "1"), ("DECRBY", "c", "-9223372036854775808"),
     ("INCRBY", "c", "9223372036854775808"), ("SET", "sp", " 1"), ("INCR", "sp"),
     ("SET", "lz", "01"), ("INCR", "lz"), ("INCR",), ("INCRBY", "c")],
    [("MSET", "a", "1", "b", "2", "c", "3"), ("MGET", "a", "b", "c", "nokey"), ("MSET", "a"),
     ("MSET", "a", "1", "b"), ("DEL", "a", "b", "nokey"), ("EXISTS", "a", "b", "c", "c", "nokey"),
     ("DEL", "c", "c"), ("DBSIZE",), ("MSET", "x", "1", "y", "2"), ("DBSIZE",), ("FLUSHALL",),
     ("DBSIZE",), ("MGET", "x", "y"), ("FLUSHALL", "ASYNC"), ("FLUSHALL", "SYNC"),
     ("FLUSHDB",), ("EXISTS", "x"), ("DEL",)],
    [("SELECT", "0"), ("SELECT", "1"), ("SELECT", "x"), ("CONFIG", "GET", "save"),
     ("CONFIG", "GET", "appendonly"), ("CONFIG", "GET", "maxmemory-policy"),
     ("CONFIG", "GET", "databases"), ("CONFIG", "GET", "nosuchparam"), ("CONFIG", "GET"),
     ("SET", "i", "1"), ("INFO", info_shape), ("COMMAND", "COUNT", count_shape),
     ("DEBUG", "DIGEST", digest_shape), ("QUIT",)],
]


def run_seq(where, seq):
    c = Conn(where)
    c.cmd("FLUSHALL")
    out = []
    for e in seq:
        args = (e,) if isinstance(e, str) else e
        how = args[-1] if callable(args[-1]) else None
        if how:
            args = args[:-1]
        out.append((args, how, c.cmd(*args)))
    if seq[-1] == ("QUIT",):
        out.append((("<after QUIT>",), None, b"EOF" if c.s.recv(1) == b"" else b"data"))
    c.close()
    return out


def compare(kv, ref):
    n = same = shaped = 0
    for seq in SEQS:
        a, b = run_seq(kv, seq), run_seq(ref, seq)
        for (args, how, ra), (_, _, rb) in zip(a, b):
            n += 1
            what = " ".join(x if isinstance(x, str) else repr(x) for x in args)
            if how:
                shaped += 1
                ok(how(ra) and (how is digest_shape or how(rb)),
                   "%s: kv %r (shape checked, redis-server %r)" % (what, ra[:60], rb[:60]),
                   "unexpected shape")
            else:
                same += ra == rb
                if ra != rb:
                    ok(False, "%s" % what, "kv %r, redis-server %r" % (ra, rb))
    ok(same + shaped == n, "%d replies byte-equal to redis-server's, %d shape-checked (of %d)"
       % (same, shaped, n))


HOSTILE = [
    ("multibulk count not a number", b"*abc\r\n"),
    ("negative bulk length", b"*1\r\n$-5\r\n"),
    ("bulk length over proto-max-bulk-len", b"*1\r\n$1048577\r\n"),
    ("'$' expected", b"*2\r\n$3\r\nGET\r\n:1\r\n"),
    ("unbalanced quotes inline", b'SET "a b\r\n'),
    ("unbalanced single quote inline", b"SET 'a b\r\n"),
    ("closing quote followed by a letter", b'SET "a"b c\r\n'),
    ("inline request over 64 KB", b"x" * (64 * 1024 + 100)),
    ("bulk count line over 64 KB", b"*1\r\n$" + b"1" * (64 * 1024 + 100)),
]


def hostile_one(where, payload):
    """(reply bytes, 'FIN' | 'RST' | 'timeout', local port)"""
    c = Conn(where, timeout=5.0)
    port = c.s.getsockname()[1]
    c.s.sendall(payload)
    data, how = b"", "timeout"
    try:
        while True:
            d = c.s.recv(65536)
            if not d:
                how = "FIN"
                break
            data += d
    except ConnectionResetError:
        how = "RST"
    except socket.timeout:
        # No answer: abort (RST from us), leaving nothing behind.
        c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
    c.close()
    return data, how, port


def hostile(kv, ref):
    by = Conn(kv)
    by.cmd("SET", "bystander", "here")
    ports = []
    for what, payload in HOSTILE:
        ra, ha, port = hostile_one(kv, payload)
        rb, hb, _ = hostile_one(ref, payload)
        if ra:
            ports.append(port)
        ok(ra == rb and ra.startswith(b"-ERR Protocol error: ") and ha == "FIN",
           "%s: %r then %s (redis-server: the same bytes, then %s)" % (what, ra, ha, hb),
           "kv %r then %s, redis-server %r then %s" % (ra, ha, rb, hb))
        r = by.cmd("GET", "bystander")
        if r != b"$4\r\nhere\r\n":
            ok(False, "bystander connection after '%s'" % what, repr(r))
    # kv's own limit (NS_RESP_MAX_ARGS): Redis accepts up to INT_MAX
    # arguments and waits for them.
    ra, ha, port = hostile_one(kv, b"*1048577\r\n")
    if ra:
        ports.append(port)
    ok(ra == b"-ERR Protocol error: invalid multibulk length\r\n" and ha == "FIN",
       "kv only: more than 1024 arguments: %r then %s" % (ra, ha))
    ok(by.cmd("PING") == b"+PONG\r\n", "a bystander connection was served throughout")
    by.close()
    print("ports " + " ".join(str(p) for p in ports))


OOM = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n"


def oom(kv):
    c = Conn(kv)
    c.cmd("FLUSHALL")
    val = b"v" * 1000
    n, r = 0, b""
    while n < 100000:
        r = c.cmd("SET", "key:%d" % n, val)
        if r != b"+OK\r\n":
            break
        n += 1
    ok(r == OOM, "SET until maxmemory: %d SETs of 1000 bytes, then %r" % (n, r), "expected OOM")
    ok(c.cmd("GET", "key:0") == b"$1000\r\n" + val + b"\r\n", "GET still works at maxmemory")
    ok(c.cmd("DBSIZE") == b":%d\r\n" % n, "DBSIZE %d at maxmemory" % n)
    d = c.cmd(*(["DEL"] + ["key:%d" % i for i in range(50)]))
    ok(d == b":50\r\n", "DEL of 50 keys at maxmemory", repr(d))
    r = c.cmd("SET", "again", val)
    ok(r == b"+OK\r\n", "SET works again after DEL", repr(r))
    ok(c.cmd("GET", "again") == b"$1000\r\n" + val + b"\r\n", "GET of the new key")
    c.close()


def big(kv, ref):
    """Values larger than the receive and send buffers ([tcp] rcvbuf and
    sndbuf, 64 KB by default) and smaller than max_bulk (512 KB): SET, then
    GET."""
    for size in (60000, 100000, 300000):
        val = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
        res = []
        for where in (kv, ref):
            try:
                c = Conn(where, timeout=5.0)
                r = c.cmd("SET", "big", val)
                g = c.cmd("GET", "big")
                res.append((r, True if g == b"$%d\r\n" % size + val + b"\r\n" else g[:80]))
                c.close()
            except (socket.timeout, OSError, EOFError) as e:
                res.append(("no reply: %s" % e, False))
                c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
                c.close()
        ok(res[0] == res[1] == (b"+OK\r\n", True),
           "SET and GET of a %d-byte value" % size,
           "kv %r, redis-server %r" % (res[0], res[1]))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    op = sys.argv[1]
    if op == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif op == "hostile":
        hostile(sys.argv[2], sys.argv[3])
    elif op == "big":
        big(sys.argv[2], sys.argv[3])
    elif op == "oom":
        oom(sys.argv[2])
    elif op == "digest":
        c = Conn(sys.argv[2])
        print(c.cmd("DEBUG", "DIGEST").decode().strip().lstrip("+"))
        c.close()
        return 0
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
