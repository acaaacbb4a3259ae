#!/usr/bin/python3
"""Where a TCP sender's time goes: the gaps between consecutive data
segments it sent, per connection, binned, from a capture (tshark).

    scripts/bench/tcp_send_gaps.py CAPTURE SRCPORT [MIN_SEGMENTS=10000]

Keep the loss matrix's capture with KEEP_TMP=1 (bridge.pcap in the kept
directory); SRCPORT 19 is nonstop's 'source' listener there.
"""
import collections
import subprocess
import sys

BINS = [(0, 1e-4), (1e-4, 1e-3), (1e-3, 5e-3), (5e-3, 0.05), (0.05, 0.15), (0.15, 10)]


def main():
    cap, port = sys.argv[1], sys.argv[2]
    least = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
    out = subprocess.run(['tshark', '-r', cap, '-Y', f'tcp.srcport=={port} && tcp.len>0',
                          '-T', 'fields', '-e', 'frame.time_epoch', '-e', 'tcp.dstport'],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    conns = collections.defaultdict(list)
    for line in out:
        t, dport = line.split('\t')
        conns[dport].append(float(t))
    for dport, ts in conns.items():
        if len(ts) < least:
            continue
        gaps = [b - a for a, b in zip(ts, ts[1:])]
        print(f'connection to port {dport}: {ts[-1] - ts[0]:.3f} s, {len(ts)} data segments')
        for lo, hi in BINS:
            sel = [g for g in gaps if lo <= g < hi]
            print(f'    gaps {lo * 1e3:7.1f}-{hi * 1e3:7.1f} ms: {len(sel):6d}, {sum(sel):.3f} s')


if __name__ == '__main__':
    main()
