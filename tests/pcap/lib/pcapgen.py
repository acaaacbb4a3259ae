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
