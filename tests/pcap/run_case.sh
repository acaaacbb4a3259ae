#!/usr/bin/env bash
# Replay one pcap case through nonstop (net_pcap, --replay) and check it.
#   run_case.sh CASE_DIR NONSTOP_BIN WORK_DIR
# CASE_DIR holds: gen.py (writes in.pcap, deterministic), nonstop.ini,
#   fields (tshark -e fields, one per line), expected.txt (tshark fields of
#   what nonstop sent), counters.txt (expected non-zero counters), and
#   optionally check.py IN.pcap OUT.pcap (the case's own byte checks).
# Every case also checks that each frame read lands in exactly one counter
# (lib/accounting.py).
# UPDATE_GOLDEN=1 rewrites expected.txt and counters.txt from this run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
case_dir=$(cd "$1" && pwd)
nonstop=$(readlink -f "$2")
work=$3
name=$(basename "$case_dir")
py=/usr/bin/python3 # Debian's python with python3-scapy, not a pyenv one

rm -rf "$work"
mkdir -p "$work"
cd "$work"

"$py" "$case_dir/gen.py" in.pcap

# Loop-shape counters depend on burst chunking, not on the protocol: not compared.
volatile='^dp\.(polls|busy_polls|idle_sleeps) '

timeout 120 "$nonstop" --no-huge -m 256 --no-pci --no-shconf --file-prefix "pcap-$name-$$" -l 0 \
	--log-level=lib.eal:warning \
	--vdev "net_pcap0,rx_pcap=$work/in.pcap,tx_pcap=$work/out.pcap" -- \
	--config "$case_dir/nonstop.ini" --replay --no-ctl --dump-counters "$work/counters.out" \
	>nonstop.log 2>&1 || {
	echo "FAIL $name: nonstop exited with $?"
	cat nonstop.log
	exit 1
}

mapfile -t fields < <(grep -v '^#' "$case_dir/fields" | grep -v '^$')
targs=()
for f in "${fields[@]}"; do targs+=(-e "$f"); done
tshark_opts=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)

tshark -r out.pcap "${tshark_opts[@]}" -T fields -E separator=' ' -E occurrence=f "${targs[@]}" \
	>actual.txt 2>/dev/null
grep -v -E "$volatile" counters.out | awk '$2 != 0' >counters.actual

if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
	cp actual.txt "$case_dir/expected.txt"
	cp counters.actual "$case_dir/counters.txt"
	echo "UPDATED $name: $(wc -l <actual.txt) frames, $(wc -l <counters.actual) counters"
fi

rc=0
# tshark's expert errors (bad checksums, malformed packets) in what we sent.
if [ -s out.pcap ]; then
	errors=$("$here/../../scripts/tshark_check.sh" out.pcap) || {
		echo "FAIL $name: tshark found problems in nonstop's output (or failed):"
		echo "$errors"
		rc=1
	}
fi
# A case's own checks of the bytes (check.py IN OUT), when it has them.
if [ -f "$case_dir/check.py" ] && ! "$py" "$case_dir/check.py" in.pcap out.pcap; then
	echo "FAIL $name: check.py"
	rc=1
fi
if ! diff -u "$case_dir/expected.txt" actual.txt; then
	echo "FAIL $name: transmitted frames differ from expected.txt (above)"
	rc=1
fi
if ! diff -u "$case_dir/counters.txt" counters.actual; then
	echo "FAIL $name: counters differ from counters.txt (above)"
	rc=1
fi
if ! "$py" "$here/lib/accounting.py" counters.out; then
	echo "FAIL $name: the frames read are not each in exactly one counter (above)"
	rc=1
fi
[ $rc = 0 ] && echo "PASS $name: $(wc -l <actual.txt) frames sent, $(wc -l <counters.actual) counters as expected"
exit $rc
