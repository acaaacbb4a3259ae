#!/usr/bin/env bash
# Rebuild the seed corpus of fuzz_host_input from the pcap cases' inputs:
# one file per frame.  Run after adding a pcap case; commit the result.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/tests/fuzz/corpus/host_input
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"
for gen in "$top"/tests/pcap/*/gen.py; do
	c=$(basename "$(dirname "$gen")")
	/usr/bin/python3 "$gen" "$tmp/$c.pcap"
	/usr/bin/python3 - "$tmp/$c.pcap" "$out/$c" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off + 16 <= len(data):
    _, _, caplen, _ = struct.unpack("<IIII", data[off:off + 16])
    frame = data[off + 16:off + 16 + caplen]
    open("%s-%03d" % (sys.argv[2], n), "wb").write(frame)
    off += 16 + caplen
    n += 1
PY
done
echo "$(ls "$out" | wc -l) seeds in $out"
