#!/usr/bin/env bash
# Detection accuracy of the BFD engine in real time: SESSIONS sessions at
# TX_MS x 3 against as many peers, in one thread on the wall clock; the peers
# stop, and every session's declared-down time minus its last receive minus
# the detection time is reported (p50/p90/p99/max).  See
# tests/bench/bench_bfd_detect.c.  Target: p99 <= 1 ms at 10 000 x 10 ms.
#   scripts/bench/bfd_detect.sh [BUILD_DIR=build] [SESSIONS=10000] [TX_MS=10] [REPS=3]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/${1:-build}/tests/bench_bfd_detect
[ -x "$bin" ] || { echo "missing $bin: ninja -C ${1:-build}"; exit 1; }
for r in $(seq 1 "${4:-3}"); do
	echo "run $r: $("$bin" "${2:-10000}" "${3:-10}" | tr '\n' ' ')"
done
