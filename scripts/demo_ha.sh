#!/usr/bin/env bash
# nonstop's high-availability story (run by demo.sh, or on its own; root):
# two instances, A active and B standby, share the service address and MAC
# on a bridge where a Linux host lives; A replicates every TCP connection to
# B over a link of their own.  The Linux host streams 10 connections through
# A's echo application; A is killed (SIGKILL) in the middle; B takes over;
# the Linux host's connections carry on, every byte checked; A comes back as
# the standby.  Timings are printed as they happen.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ "$(id -u)" != 0 ]; then
	echo "demo_ha.sh needs root: it creates network namespaces (sudo $0)"
	exit 1
fi
"$top/scripts/deps.sh" || exit 1
[ -f build/build.ninja ] || meson setup build >/dev/null || exit 1
ninja -C build >/dev/null || { echo "build failed: ninja -C build"; exit 1; }
. "$top/scripts/netns/topo.sh"
topo_init demoha tshark
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
ms_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", (b - a) * 1000}'; }

say "Topology: Linux host $PEER_IP on a bridge; instances A and B both $DP_IP ($DP_MAC); replication link A <-> B"
topo_ha_pair || exit 1
topo_ha_start a active || exit 1
topo_ha_start b standby || exit 1
wait_for 10 topo_ha_in_sync a || { echo "B did not sync"; exit 1; }
ictl a show ha
ictl b show ha

say "The Linux host opens 10 connections to $DP_IP:7 and streams 100 KB/s each way for 6 s"
quiet=$TOPO_TMP/quiet release=$TOPO_TMP/release
peer /usr/bin/python3 tests/netns/stream_peer.py "$DP_IP" 7 10 6 100 "$quiet" "$release" \
	>"$TOPO_TMP/peer.out" 2>&1 &
ppid=$!
sleep 2
ictl a show repl sessions | head -4
say "kill -9 A (the active), in the middle of the stream"
t0=$(date +%s.%N)
topo_instance_stop a KILL
wait_for 5 topo_ha_is_active b && echo "B is the active $(ms_since "$t0") ms after the kill (as seen by nonstopctl)"
ictl b show ha | grep "took over"
ictl b show tcp conns | tail -3

say "A restarts with role = auto and joins as the standby (bulk sync while the stream goes on)"
topo_ha_start a auto || exit 1
wait_for 10 topo_ha_in_sync b && echo "A is in sync $(ms_since "$t0") ms after the kill"
ictl b show repl status | sed -n 2,3p

say "Planned switchover back to A (ha switchover on B), still streaming"
ictl b ha switchover
wait_for 5 topo_ha_is_active a && wait_for 10 topo_ha_in_sync a
frozen=$(ictl b show ha | sed -n 's/.*frozen at wall \([0-9]*\) ns, drained in \([0-9.]*\) us.*/\1 \2/p')
took=$(ictl a show ha | sed -n 's/.*takeover done at wall \([0-9]*\) ns.*/\1/p')
echo "${frozen:-0 0} ${took:-0}" | awk '{printf "pause: B froze, drained in %.0f us, A had taken over %.0f us after the freeze\n", $2, ($3 - $1) / 1000}'
ictl b show ha | grep "frames received" || true

say "The stream ends: what the Linux host saw"
wait_for 60 test -s "$quiet"
touch "$release"
wait "$ppid"
cat "$TOPO_TMP/peer.out"
say "Done: stopping both instances and removing the namespaces"
topo_cleanup
trap - EXIT INT TERM HUP
# Act three: kv, the Redis-protocol server, killed -9 under one redis-cli
# connection (DEMO_NO_KV=1 stops here).
[ -n "${DEMO_NO_KV:-}" ] || exec "$top/scripts/demo_kv.sh"
