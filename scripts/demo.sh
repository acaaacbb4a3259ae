#!/usr/bin/env bash
# nonstop demo: a Linux host in its own network namespace talks to nonstop
# through a veth pair (nonstop drives its end with DPDK's net_af_packet).
#   ./scripts/demo.sh      (root: it creates namespaces; cleans up on exit)
# Shows: ping from the Linux host, nonstop pinging back (ARP resolution),
# a TCP transfer through nonstop's userspace stack to its echo application,
# then the console's port stats, counters, ARP cache and TCP state; then
# scripts/demo_ha.sh: an active and a standby, the active killed mid-stream,
# the Linux host's connections carrying on; then scripts/demo_kv.sh: kv, the
# Redis-protocol server, killed -9 under one redis-cli connection.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [ "$(id -u)" != 0 ]; then
	echo "demo.sh needs root: it creates network namespaces and a veth pair (sudo $0)"
	exit 1
fi
"$top/scripts/deps.sh" || exit 1
if [ ! -f build/build.ninja ]; then
	meson setup build >/dev/null || exit 1
fi
ninja -C build >/dev/null || { echo "build failed: ninja -C build"; exit 1; }

. "$top/scripts/netns/topo.sh"
topo_init demo
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
show() { printf '$ nonstopctl %s\n' "$*"; nsctl "$@"; }

say "Topology: namespace $NS_PEER (Linux, $PEER_IP) <-veth-> $NS_DP (nonstop, $DP_IP)"
topo_pair
topo_ini "[listener.echo]" "port = 7" "app = echo" "[listener.sink]" "port = 9" "app = sink" \
	>"$TOPO_TMP/demo.ini"
cat "$TOPO_TMP/demo.ini"
say "Starting nonstop (EAL: --no-huge -m 512 --no-pci --no-shconf -l 0 --vdev net_af_packet0,iface=$VETH_DP)"
topo_start_nonstop "$TOPO_TMP/demo.ini" || exit 1
show show version

say "The Linux host pings nonstop"
ip netns exec "$NS_PEER" ping -c 5 -i 0.2 "$DP_IP"

say "nonstop pings the Linux host (ARP resolution of its own packets)"
ip netns exec "$NS_PEER" ip neigh flush dev "$VETH_PEER"
show ping "$PEER_IP" count 5 interval 100
sleep 1
show show ping

say "TCP: the Linux host sends 4 MB to nonstop's echo application and checks what comes back"
ip netns exec "$NS_PEER" /usr/bin/python3 "$top/tests/netns/tcp_client.py" echo "$DP_IP" 7 4 1000000
ip netns exec "$NS_PEER" /usr/bin/python3 "$top/tests/netns/tcp_client.py" send "$DP_IP" 9 2000000

say "Console view"
show show port stats all
show show counters
show show arp
show show tcp stats
show show lcores

say "Done: stopping nonstop and removing the namespaces"
topo_cleanup
trap - EXIT INT TERM HUP
# Act two: the same connections survive the death of the instance that holds them.
exec "$top/scripts/demo_ha.sh"
