#!/usr/bin/env bash
# Liveness and roles, in the failover topology: the standby watches
# the active on three paths — the replication channel, heartbeats on the
# service port, the BFD session 'ha' (10 ms x 3) over the replication link.
#   1. role = auto: an instance that hears an active becomes its standby.
#   2. The replication link goes down under 20 streaming connections: the
#      standby must not take over (the active's heartbeats still come on the
#      service port: two actives would answer the peer); the streams go on.
#   3. The link comes back: the standby rejoins and syncs.
#   4. kill -9 of the active: every path goes silent, the standby takes over,
#      the streams survive; the killed one restarts with the same config
#      (role = auto) and rejoins as the standby.
#   5. role = auto alone: no active answers, it becomes the active.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init hl tcpdump tshark

topo_ha_pair || exit 1
topo_ha_start a active || exit 1
topo_ha_start b auto || exit 1
check "role auto next to an active: b is its standby and syncs" wait_for 10 topo_ha_in_sync a
is_standby() { ictl "$1" show ha | grep -q "^role standby"; }
avoided() { ictl "$1" show ha | grep -q "elsewhere) [1-9]"; }
bfd_up() { ictl "$1" show bfd sessions | grep -E "^ *ha " | grep -q -i " up "; }
check "b is the standby" is_standby b
check "the BFD session over the replication link is Up on a" wait_for 10 bfd_up a
check "... and on b" wait_for 10 bfd_up b

peer /usr/bin/python3 "$(dirname "$0")/stream_peer.py" "$DP_IP" 7 20 6 100 \
	"$TOPO_TMP/quiet" "$TOPO_TMP/release" >"$TOPO_TMP/peer.out" 2>&1 &
ppid=$!
sleep 1
topo_do ip -n "$NS_DP" link set "${VETH_DP}r" down
sleep 0.5
ictl b show ha | grep -E "heartbeats|took over" | sed 's/^/    b: /'
check "replication link down: b did not take over" is_standby b
check "b saw the silence and the active alive on the service port" avoided b
check "a is still the active" topo_ha_is_active a
topo_do ip -n "$NS_DP" link set "${VETH_DP}r" up
check "replication link up: b rejoins and syncs" wait_for 10 topo_ha_in_sync a
sleep 0.5
topo_instance_stop a KILL
check "kill -9 of a: b takes over" wait_for 5 topo_ha_is_active b
ictl b show ha | grep "took over" | sed 's/^/    b: /'
check "the peer gets every echo back" wait_for 60 test -s "$TOPO_TMP/quiet"
touch "$TOPO_TMP/release"
wait "$ppid"
prc=$?
check "every connection echoed every byte, unchanged ($(tail -1 "$TOPO_TMP/peer.out"))" test "$prc" = 0
topo_ha_start a auto || exit 1
check "a restarts with role = auto and rejoins as b's standby" wait_for 10 topo_ha_in_sync b
topo_instance_stop a
topo_instance_stop b
topo_ha_start a auto || exit 1
check "role auto alone: a becomes the active" wait_for 5 topo_ha_is_active a
ictl a show ha | grep "took over" | sed 's/^/    a: /'

# 6. Split brain, resolved by the epoch: the active sends no heartbeats
#    (service_beat = false) and the replication link goes down, so the
#    standby sees every path silent and takes over (epoch + 1).  Its
#    heartbeats reach the old active, which learns of the newer epoch, goes
#    silent and joins it as the standby; once the link is back it syncs.
#    The old active held the peers' data unacknowledged meanwhile (sync mode),
#    so the streams survive this too.
topo_instance_stop a
topo_ha_ini a active "service_beat = false" >"$TOPO_TMP/a.ini"
topo_instance_start a "$TOPO_TMP/a.ini" "net_af_packet0,iface=${VETH_DP}a,framecnt=4096" \
	"net_af_packet1,iface=${VETH_DP}r,framecnt=4096" || exit 1
topo_ha_start b auto || exit 1
check "split brain: b syncs as a's standby" wait_for 10 topo_ha_in_sync a
rm -f "$TOPO_TMP/quiet" "$TOPO_TMP/release"
peer /usr/bin/python3 "$(dirname "$0")/stream_peer.py" "$DP_IP" 7 20 5 100 \
	"$TOPO_TMP/quiet" "$TOPO_TMP/release" >"$TOPO_TMP/peer6.out" 2>&1 &
ppid=$!
sleep 1
topo_do ip -n "$NS_DP" link set "${VETH_DP}r" down
check "split brain: b takes over (every path it watches is silent)" wait_for 5 topo_ha_is_active b
fenced() { ictl "$1" show ha | grep -q "fenced [1-9]"; }
check "split brain: a learns of the newer epoch and is fenced" wait_for 5 fenced a
check "split brain: a is a standby now" is_standby a
topo_do ip -n "$NS_DP" link set "${VETH_DP}r" up
check "split brain: link back, a syncs as b's standby" wait_for 10 topo_ha_in_sync b
check "split brain: the peer gets every echo back" wait_for 60 test -s "$TOPO_TMP/quiet"
touch "$TOPO_TMP/release"
wait "$ppid"
prc=$?
check "split brain: every connection echoed every byte, unchanged ($(tail -1 "$TOPO_TMP/peer6.out"))" test "$prc" = 0
exit $fail
