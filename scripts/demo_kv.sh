#!/usr/bin/env bash
# kv, the Redis-protocol key-value server on nonstop, surviving kill -9 (root):
# two instances, A active and B standby, share the service address; one
# redis-cli in the Linux host's namespace holds ONE connection to
# $DP_IP:6379 for the whole demo (it reads its commands from a fifo).  It
# sets keys and increments a counter; A is killed (SIGKILL); B takes over;
# the same redis-cli, on the same connection (same local port, no reconnect),
# reads the keys back and goes on writing; A comes back as the standby with
# the whole keyspace.  Every step is printed as it happens.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if [ "$(id -u)" != 0 ]; then
	echo "demo_kv.sh needs root: it creates network namespaces (sudo $0)"
	exit 1
fi
"$top/scripts/deps.sh" || exit 1
[ -f build/build.ninja ] || meson setup build >/dev/null || exit 1
ninja -C build >/dev/null || { echo "build failed: ninja -C build"; exit 1; }
. "$top/scripts/netns/topo.sh"
topo_init demokv redis-cli
KV=$top/build/apps/kv/libnonstop_kv.so
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ms_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", (b - a) * 1000}'; }
kv_start() { # NAME ROLE: topo_ha_start's instance with kv on port 6379
	local rl=r
	[ "$1" = b ] && rl=s
	topo_ha_ini "$1" "$2" "[app.kv]" "lib = $KV" "maxmemory = 64mb" \
		"[listener.redis]" "port = 6379" "app = kv" >"$TOPO_TMP/$1.ini"
	topo_instance_start "$1" "$TOPO_TMP/$1.ini" \
		"net_af_packet0,iface=${VETH_DP}$1,framecnt=4096" \
		"net_af_packet1,iface=${VETH_DP}$rl,framecnt=4096"
}

say "Topology: Linux host $PEER_IP on a bridge; instances A and B both $DP_IP, kv on port 6379"
topo_ha_pair || exit 1
kv_start a active || exit 1
kv_start b standby || exit 1
wait_for 10 topo_ha_in_sync a || { echo "B did not sync"; exit 1; }
ictl a show ha | head -3

say "One redis-cli in the Linux host, one connection, its commands from a fifo"
mkfifo "$TOPO_TMP/cli.in"
peer redis-cli -h "$DP_IP" -p 6379 <"$TOPO_TMP/cli.in" >"$TOPO_TMP/cli.out" 2>&1 &
exec {cli}>"$TOPO_TMP/cli.in"
# cli COMMAND...: send it on the connection, print it and its answer (bounded)
cli() {
	local n
	n=$(wc -l <"$TOPO_TMP/cli.out")
	printf '%s\n' "$*" >&"$cli"
	echo "redis> $*"
	if wait_for 10 test "$(wc -l <"$TOPO_TMP/cli.out")" -gt "$n"; then
		sleep 0.05
		tail -n +"$((n + 1))" "$TOPO_TMP/cli.out" | sed 's/^/   /'
	else
		echo "   (no answer within 10 s)"
	fi
}
conn() { peer ss -tnH state established "( dport = :6379 )" | awk '{print "   connection " $3 " -> " $4}'; }
cli PING
conn
cli SET user:1 alice
cli SET user:2 bob
cli MSET city:1 Paris city:2 Lima
for _ in 1 2 3; do cli INCR visits; done
cli DBSIZE
echo "A: $(ictl a app kv digest)   B (standby, from the journal): $(ictl b app kv digest)"

say "kill -9 A (the active)"
t0=$(date +%s.%N)
topo_instance_stop a KILL
wait_for 5 topo_ha_is_active b && echo "B is the active $(ms_since "$t0") ms after the kill"
ictl b show ha | grep "took over"

say "The same redis-cli, on the same connection"
conn
cli GET user:1
cli GET user:2
cli MGET city:1 city:2
cli INCR visits
cli SET written:after the-kill
cli DBSIZE
conn

say "A restarts and joins as the standby: it gets the keyspace (snapshot, then the journal)"
kv_start a auto || exit 1
wait_for 15 topo_ha_in_sync b && echo "A is in sync $(ms_since "$t0") ms after the kill"
echo "B (active): $(ictl b app kv digest)   A (standby): $(ictl a app kv digest)"
ictl b app kv | sed 's/^/   B: /'
cli DEBUG DIGEST

say "Done: redis-cli quits, both instances stop, the namespaces go"
exec {cli}>&- # end of its input: redis-cli closes the connection and exits
