"""Helpers shared by the pcap case generators (Debian /usr/bin/python3 + scapy).

Generators must be deterministic: fixed addresses, payloads and timestamps.
"""
import struct
import sys

from scapy.all import ARP, ICMP, IP, Ether, Raw, wrpcap  # noqa: F401

OUR_MAC = "02:00:00:00:00:02"
OUR_IP = "192.0.2.2"
PEER_MAC = "02:00:00:00:00:01"
PEER_IP = "192.0.2.1"
BCAST = "ff:ff:ff:ff:ff:ff"


class Trace:
    """A list of frames with timestamps 1 ms apart from a fixed epoch."""

    def __init__(self, t0=1700000000.0, step=0.001):
        self.frames = []
        self.t = t0
        self.step = step

    def add(self, frame):
        if not isinstance(frame, (bytes, bytearray)):
            frame = bytes(frame)
        self.frames.append((self.t, bytes(frame)))
        self.t += self.step

    def write(self, path):
        # Written by hand: byte-exact, keeps zero-length and runt frames as is.
        with open(path, "wb") as f:
            f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
            for ts, data in self.frames:
                sec = int(ts)
                usec = int(round((ts - sec) * 1e6))
                f.write(struct.pack("<IIII", sec, usec, len(data), len(data)))
                f.write(data)


def arp_request(sip=PEER_IP, tip=OUR_IP, smac=PEER_MAC):
    return Ether(src=smac, dst=BCAST) / ARP(op=1, hwsrc=smac, psrc=sip, pdst=tip)


def echo(seq, payload=b"nonstop!", src=PEER_IP, dst=OUR_IP, ident=0x4e53, ttl=64):
    return (Ether(src=PEER_MAC, dst=OUR_MAC) / IP(src=src, dst=dst, ttl=ttl, id=seq) /
            ICMP(type=8, id=ident, seq=seq) / Raw(payload))


def out_path():
    if len(sys.argv) != 2:
        sys.exit("usage: gen.py OUT.pcap")
    return sys.argv[1]


# --- TCP: what nonstop will answer, computed the way it does in --replay -----
# In replay mode the ISN secret is fixed (app/tcp_glue.c: key[i] = 0x5a ^ i)
# and the clock is the pcap timestamp, so nonstop's ISN (RFC 6528: 4 us clock
# + SipHash-2-4 of the 4-tuple) and TSvals (ms clock + per-connection offset)
# are known to the generator, which can then ACK them like a real peer.
REPLAY_KEY = bytes(0x5A ^ i for i in range(16))
M64 = (1 << 64) - 1


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & M64


def siphash24(key, data):
    k0, k1 = struct.unpack("<QQ", key)
    v0, v1 = 0x736F6D6570736575 ^ k0, 0x646F72616E646F6D ^ k1
    v2, v3 = 0x6C7967656E657261 ^ k0, 0x7465646279746573 ^ k1

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & M64; v1 = _rotl(v1, 13); v1 ^= v0; v0 = _rotl(v0, 32)  # noqa: E702
            v2 = (v2 + v3) & M64; v3 = _rotl(v3, 16); v3 ^= v2  # noqa: E702
            v0 = (v0 + v3) & M64; v3 = _rotl(v3, 21); v3 ^= v0  # noqa: E702
            v2 = (v2 + v1) & M64; v1 = _rotl(v1, 17); v1 ^= v2; v2 = _rotl(v2, 32)  # noqa: E702

    n = len(data) // 8 * 8
    for i in range(0, n, 8):
        m, = struct.unpack("<Q", data[i:i + 8])
        v3 ^= m
        rounds(2)
        v0 ^= m
    last = (data[n:] + bytes(8))[:8]
    b = (len(data) << 56 | struct.unpack("<Q", last)[0]) & M64
    v3 ^= b
    rounds(2)
    v0 ^= b
    v2 ^= 0xFF
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def _tuple_hash(lport, rport, lip=OUR_IP, rip=PEER_IP):
    import socket
    t = socket.inet_aton(lip) + socket.inet_aton(rip) + struct.pack("!HH", lport, rport)
    return siphash24(REPLAY_KEY, t) & 0xFFFFFFFF


def ts_ns(t):
    """The replay clock of a frame at trace time t (pcap microseconds x 1000)."""
    sec = int(t)
    return (sec * 1000000 + int(round((t - sec) * 1e6))) * 1000


def our_isn(lport, rport, t):
    return ((ts_ns(t) // 4000) + _tuple_hash(lport, rport)) & 0xFFFFFFFF


def our_tsval(lport, rport, t):
    return ((ts_ns(t) // 1000000) + _tuple_hash(lport, rport)) & 0xFFFFFFFF


class TcpPeer:
    """The remote end of one connection, scripted: sequence numbers relative
    to its own ISN and to nonstop's (known in advance, see our_isn)."""

    def __init__(self, trace, sport, dport, isn=1000, ts=True, mss=1460):
        from scapy.all import TCP  # noqa: F401
        self.tr, self.sport, self.dport = trace, sport, dport
        self.isn, self.ts, self.mss = isn, ts, mss
        self.tsval = 100
        self.iss = None  # nonstop's ISN, known once the SYN is in the trace
        self.last_our_t = None

    def seg(self, flags, seq=0, ack=0, payload=b"", opts=None, win=502):
        from scapy.all import TCP
        o = list(opts or [])
        if self.ts and not any(k == "Timestamp" for k, _ in o):
            ecr = our_tsval(self.dport, self.sport, self.last_our_t) if self.last_our_t else 0
            o.append(("Timestamp", (self.tsval, ecr)))
        self.tsval += 1
        p = (Ether(src=PEER_MAC, dst=OUR_MAC) / IP(src=PEER_IP, dst=OUR_IP, ttl=64, id=0) /
             TCP(sport=self.sport, dport=self.dport, seq=(self.isn + seq) & 0xFFFFFFFF,
                 ack=((self.iss or 0) + ack) & 0xFFFFFFFF if "A" in flags else 0,
                 flags=flags, window=win, options=o))
        if payload:
            p = p / Raw(payload)
        t = self.tr.t
        self.tr.add(p)
        self.last_our_t = t  # nonstop answers at this frame's time

    def syn(self, sack=True, wscale=7):
        opts = [("MSS", self.mss)]
        if sack:
            opts.append(("SAckOK", b""))
        if self.ts:
            opts.append(("Timestamp", (self.tsval, 0)))
        if wscale is not None:
            opts += [("NOP", None), ("WScale", wscale)]
        t = self.tr.t
        self.seg("S", 0, 0, opts=opts, win=64240)
        self.iss = our_isn(self.dport, self.sport, t)
