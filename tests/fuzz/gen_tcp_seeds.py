#!/usr/bin/python3
"""Seeds of fuzz_tcp_input for the loss-recovery paths (reassembly of many
ranges, D-SACK, RACK with SACK blocks and its reordering timer, tail loss
probes, an RTO after SACK), and of fuzz_tcp_options for SACK layouts.
Writes into tests/fuzz/corpus/; run after changing them, commit the result.

fuzz_tcp_input records (12 bytes): op, TCP flags, sequence offset from
rcv_nxt (int16), ACK offset from snd_una (int16), window, payload length,
option selector (a selector s with s % 5 == 3 carries one SACK block of a
1448-byte segment s >> 4 segments above the ACK), time step or
application call, payload seed.  One byte after the last record: the
handshake offers no SACK.
"""
import os
import struct

TOP = os.path.dirname(os.path.abspath(__file__))
ACK = 0x10


def rec(op, flags=ACK, dseq=0, dack=0, win=0xFFFF, plen=0, opt=0, step=0, seed=0):
    return struct.pack("<BBhhHBBBB", op, flags, dseq, dack, win, plen, opt, step, seed)


def sack(k):
    """An option selector giving one SACK block k segments above the ACK."""
    for sel in range(256):
        if sel % 5 == 3 and sel >> 4 == k:
            return sel
    raise ValueError(k)


def send(n=255):
    return rec(1, plen=n, step=0)  # application sends n * 16 bytes


def wait(ms10=0):
    return rec(2, step=ms10)  # time += (step + 1) * 10 ms


SEEDS = {
    # out-of-order data, seven ranges, then the holes fill one by one
    "ooo_many_ranges": b"".join(rec(0, dseq=200 * (2 * k + 1), plen=200, seed=k) for k in range(7))
    + b"".join(rec(0, dseq=200 * 2 * k, plen=200, seed=k) for k in range(7)),
    # the same data twice (D-SACK below rcv_nxt), and twice out of order
    "dsack_duplicates": rec(0, plen=200, seed=1) + rec(0, dseq=-200, plen=200, seed=1)
    + rec(0, dseq=400, plen=100, seed=2) + rec(0, dseq=400, plen=100, seed=2)
    + rec(0, dseq=-100, plen=250, seed=3),
    # data out, SACK blocks above a hole, the reordering timer, recovery, all acked
    "rack_sack_recovery": send() + send() + send() + send()
    + b"".join(rec(0, opt=sack(k)) for k in (1, 2, 3, 4, 5))
    + wait(0) + wait(0) + rec(0, dack=4000, opt=sack(2)) + wait(1) + rec(0, dack=16320),
    # one SACKed segment only: RACK waits for its timer
    "rack_reorder_timer": send(120) + rec(0, opt=sack(1)) + wait(0) + wait(0) + rec(0, dack=1920),
    # a flight and no ACK: the probe, then the RTO
    "tlp_then_rto": send() + send() + wait(20) + wait(40) + wait(100) + rec(0, dack=8160),
    # the first ACK of the flight lost: a probe answered by the cumulative ACK
    "tlp_ack_lost": send() + rec(0, dack=1448) + wait(30) + rec(0, dack=4080),
    # SACK blocks, then silence: the RTO forgets them and resends from snd_una
    "rto_after_sack": send() + send() + send() + rec(0, opt=sack(2)) + rec(0, opt=sack(3))
    + wait(120) + wait(120) + rec(0, dack=12240),
}
# Without SACK: three duplicate ACKs, NewReno, an RTO.
SEEDS["newreno_no_sack"] = send() + send() + send() + rec(0) + rec(0) + rec(0) + rec(0, dack=1448) \
    + wait(120) + rec(0, dack=12240) + b"\x00"



def opts(*parts):
    return b"".join(parts)


def sack_opt(blocks):
    body = b"".join(struct.pack(">II", l, r) for l, r in blocks)
    return b"\x01\x01\x05" + bytes([2 + 8 * len(blocks)]) + body


TS = b"\x01\x01\x08\x0a" + struct.pack(">II", 1000, 2000)

OPTION_SEEDS = {
    # timestamps and three blocks, a D-SACK first (below the ACK)
    "ts_dsack_three_blocks": TS + sack_opt([(100, 200), (1000, 2000), (3000, 4000)]),
    # four blocks, no timestamps
    "four_blocks": sack_opt([(5000, 6000), (3000, 4000), (1000, 2000), (7000, 8000)]),
}

for name, data in SEEDS.items():
    with open(os.path.join(TOP, "corpus", "tcp_input", name), "wb") as f:
        f.write(data)
for name, data in OPTION_SEEDS.items():
    with open(os.path.join(TOP, "corpus", "tcp_options", name), "wb") as f:
        f.write(data)
print("%d tcp_input and %d tcp_options seeds" % (len(SEEDS), len(OPTION_SEEDS)))
