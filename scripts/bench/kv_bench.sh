#!/usr/bin/env bash
# redis-benchmark against nonstop's kv and against a real redis-server, side
# by side in one run:
#   nonstop (net_af_packet on a veth, idle adaptive, -l 0) serving kv in its
#     namespace, as scripts/netns/topo.sh sets it up;
#   redis-server (kernel TCP, single-threaded, pinned to CPU 0 as nonstop's
#     lcore) in a namespace of its own on a veth pair of its own;
#   redis-benchmark in the same client namespace for both, pinned to CPU 1:
#     -t ping,set,get,incr,mset -c 50 -q, pipelined (-P 16, N requests) and
#     not (-P 1, N/5 requests).
# Prints one table per pipelining depth: requests/s of each, the ratio, and
# redis-benchmark's p50 latency.  Root; run it under the shared lock:
#   flock /tmp/nonstop-heavy.lock scripts/bench/kv_bench.sh [N=1000000] [BUILD=build]
# Machine-readable rows go to stdout too: "row P TEST KV_RPS REF_RPS KV_P50 REF_P50".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000000}
build=$top/${2:-build}
export NONSTOP=$build/app/nonstop NONSTOPCTL=$build/app/nonstopctl
kvlib=$build/apps/kv/libnonstop_kv.so
tests=ping,set,get,incr,mset
. "$top/scripts/netns/topo.sh"
topo_init kvbench redis-benchmark redis-server taskset
[ -f "$kvlib" ] || { echo "FAIL: $kvlib is not built"; exit 1; }
topo_pair || exit 1
topo_ref_host || exit 1

ip netns exec "$NS_REF" taskset -c 0 redis-server --bind "$REF_IP" --port 6379 --save '' --protected-mode no \
	--appendonly no --logfile "$TOPO_TMP/redis.log" </dev/null >/dev/null 2>&1 &
disown $! # the cleanup kills it with the namespace's processes, quietly
topo_ini "[app.kv]" "lib = $kvlib" "maxmemory = 64mb" \
	"[listener.redis]" "port = 6379" "app = kv" >"$TOPO_TMP/kv.ini"
topo_start_nonstop "$TOPO_TMP/kv.ini" || exit 1
up() { ip netns exec "$NS_PEER" redis-cli -h "$1" -p 6379 PING 2>/dev/null | grep -q PONG; }
wait_for 10 up "$REF_IP" || { echo "FAIL: redis-server does not answer"; exit 1; }
wait_for 10 up "$DP_IP" || { echo "FAIL: kv does not answer"; exit 1; }

# bench HOST P N: "TEST RPS P50" lines
bench() {
	ip netns exec "$NS_PEER" taskset -c 1 redis-benchmark -h "$1" -p 6379 -t "$tests" \
		-c 50 -P "$2" -n "$3" -q 2>"$TOPO_TMP/bench.err" | tr '\r' '\n' |
		awk '/requests per second/ {
			t = $0; sub(/:.*/, "", t); gsub(/ /, "_", t)
			r = $0; sub(/^[^:]*: */, "", r); split(r, a, " ")
			p = $0; sub(/.*p50=/, "", p); sub(/ msec.*/, "", p)
			print t, a[1], p}'
	if [ -s "$TOPO_TMP/bench.err" ]; then sed 's/^/    stderr: /' "$TOPO_TMP/bench.err"; fi
}

echo "kv_bench $(date -u '+%Y-%m-%d %H:%M UTC'), redis-benchmark -t $tests -c 50 -q," \
	"$(redis-server --version | cut -d' ' -f3)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in 16 1; do
	np=$n
	[ "$p" = 1 ] && np=$((n / 5))
	bench "$DP_IP" "$p" "$np" >"$TOPO_TMP/kv.$p"
	bench "$REF_IP" "$p" "$np" >"$TOPO_TMP/ref.$p"
	echo
	echo "-P $p -n $np"
	printf '%-16s %12s %12s %7s %10s %10s\n' test "kv req/s" "redis req/s" ratio "kv p50" "redis p50"
	join <(sort "$TOPO_TMP/kv.$p") <(sort "$TOPO_TMP/ref.$p") |
		awk -v p="$p" '{printf "%-16s %12.0f %12.0f %7.2f %8.3fms %8.3fms\n", $1, $2, $4, ($4 > 0 ? $2 / $4 : 0), $3, $5
			rows = rows sprintf("row %s %s %s %s %s %s\n", p, $1, $2, $4, $3, $5)}
			END {printf "%s", rows}'
done
echo
nsctl show apps | grep -E 'app\.kv\.(requests|protocol_errors|reply_waits) ' | sed 's/^/    /'
rst=$(nsctl show tcp stats | awk '$1=="tcp.rst_out"{print $2}')
echo "    nonstop tcp.rst_out: ${rst:-0}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
