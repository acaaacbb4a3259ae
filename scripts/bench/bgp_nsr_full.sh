#!/usr/bin/env bash
# The BGP non-stop routing acceptance at full counts: tests/netns/bgp_nsr.sh
# against each of FRR, BIRD, ExaBGP and GoBGP, eBGP and iBGP, with
# BGP_PREFIXES each way (default 10000) and BGP_ROUNDS kill -9 rounds of
# the active (default 10; rounds 2, 5 and 8 in the middle of an UPDATE
# burst of BGP_BURST prefixes).  The suite runs the same script with 3
# rounds (GoBGP: 1000 prefixes).  One line per run: verdict, checks passed,
# seconds; the logs stay in $OUT (default build/bgp-nsr-full).
#   flock /tmp/nonstop-heavy.lock scripts/bench/bgp_nsr_full.sh [PEER...]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$top/build/bgp-nsr-full}
export BGP_PREFIXES=${BGP_PREFIXES:-10000} BGP_ROUNDS=${BGP_ROUNDS:-10}
export BGP_BURST=${BGP_BURST:-1000}
export NONSTOP=${NONSTOP:-$top/build/app/nonstop} NONSTOPCTL=${NONSTOPCTL:-$top/build/app/nonstopctl}
export NONSTOP_BGP=${NONSTOP_BGP:-$top/build/apps/bgp/libnonstop_bgp.so}
[ "$(id -u)" = 0 ] || { echo "bgp_nsr_full.sh: needs root (namespaces)"; exit 77; }
mkdir -p "$OUT"
peers=("$@")
[ ${#peers[@]} -gt 0 ] || peers=(frr bird exabgp gobgp)
echo "# $(date -u +%F\ %H:%M) UTC, $(git -C "$top" rev-parse --short HEAD), $BGP_PREFIXES prefixes each way, $BGP_ROUNDS rounds"
printf '%-8s %-5s %-5s %7s %6s  %s\n' peer mode verdict checks secs log
bad=0
for p in "${peers[@]}"; do
	for ibgp in 0 1; do
		mode=$([ "$ibgp" = 1 ] && echo iBGP || echo eBGP)
		log=$OUT/$p-$mode.log
		t0=$(date +%s)
		# bgp_nsr.sh bounds each of its waits; this bounds the whole run.
		BGP_PEER=$p BGP_IBGP=$ibgp timeout 1800 "$top/tests/netns/bgp_nsr.sh" >"$log" 2>&1
		rc=$?
		ok=$(grep -c '^ok ' "$log")
		n=$(grep -c '^\(ok\|FAIL\) ' "$log")
		[ "$rc" = 0 ] || bad=1
		printf '%-8s %-5s %-5s %7s %6s  %s\n' "$p" "$mode" "$([ "$rc" = 0 ] && echo PASS || echo "FAIL")" \
			"$ok/$n" "$(($(date +%s) - t0))" "$log"
		grep '^FAIL' "$log" | sed 's/^/    /'
	done
done
exit "$bad"
