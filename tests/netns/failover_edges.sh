#!/usr/bin/env bash
# Unplanned failover at awkward moments, in the failover topology:
#   1. kill -9 of the active during a burst of 100 3-way handshakes;
#   2. during a burst of 100 closes;
#   3. during a rejoining standby's bulk sync (held still with 'set repl
#      bulk pause'): 20 connections opened before the standby joined and idle
#      since (not checkpointed yet), 20 opened after (checkpointed live).
#      A standby that is not in sync does not take over on its own (the
#      active might only be paused, and it holds connections this one lacks):
#      it says so, and the operator's 'ha takeover' decides.
# From the kernel peer's side (edge_peer.py) no connection may hang half-open:
# in 1 and 2 each completes normally (every byte echoed, the server's FIN
# seen) or, in 1, never completed its handshake; in 3 the 20 checkpointed
# ones complete, the 20 the standby never heard of get a RST once the new
# active's grace period is over (it cannot answer for them otherwise).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init fe tcpdump tshark
EDGE=$(dirname "$0")/edge_peer.py

topo_ha_pair || exit 1
topo_ha_start a active || exit 1
topo_ha_start b standby || exit 1
check "the standby joins and syncs" wait_for 10 topo_ha_in_sync a
# kill_active and rejoin: the active dies, the standby takes over, the dead
# one comes back as the standby and syncs.  Each scenario asks first which one
# is the active (a takeover the test did not cause may have swapped them).
kill_active() {
	topo_instance_stop "$act" KILL
	check "$1: $sby takes over" wait_for 5 topo_ha_is_active "$sby"
	ictl "$sby" show ha | grep "took over" | sed 's/^/    /'
}
rejoin() {
	topo_ha_start "$act" standby || exit 1
	check "$1: $act rejoins as the standby and syncs" wait_for 10 topo_ha_in_sync "$sby"
}
# outcome FILE: the peer's last line (counts)
outcome() { tail -1 "$1"; }
count() { outcome "$1" | awk -v k="$2" '{for (i = 1; i < NF; i += 2) if ($i == k) print $(i + 1)}'; }

# 1. A burst of handshakes.
topo_ha_roles
peer /usr/bin/python3 "$EDGE" connect "$DP_IP" 7 100 "$TOPO_TMP/started1" >"$TOPO_TMP/burst.out" 2>&1 &
ppid=$!
for ((i = 0; i < 20000; i++)); do [ -s "$TOPO_TMP/started1" ] && break; sleep 0.001; done
sleep "0.00$((RANDOM % 3))"
kill_active "handshake burst"
wait "$ppid"
check "handshake burst: every connection completed or never existed ($(outcome "$TOPO_TMP/burst.out"))" \
	test "$(count "$TOPO_TMP/burst.out" ok)" -gt 0 -a "$(($(count "$TOPO_TMP/burst.out" ok) + $(count "$TOPO_TMP/burst.out" never)))" = 100
rejoin "handshake burst"

# 2. A burst of closes.
peer /usr/bin/python3 "$EDGE" close "$DP_IP" 7 100 "$TOPO_TMP/ready2" "$TOPO_TMP/go2" >"$TOPO_TMP/close.out" 2>&1 &
ppid=$!
check "close burst: 100 connections up" wait_for 20 test -s "$TOPO_TMP/ready2"
topo_ha_roles
wait_for 5 topo_ha_in_sync "$act"
touch "$TOPO_TMP/go2"
sleep 0.00$((RANDOM % 3 + 1))
kill_active "close burst"
wait "$ppid"
check "close burst: every connection closed normally ($(outcome "$TOPO_TMP/close.out"))" \
	test "$(count "$TOPO_TMP/close.out" ok)" = 100
rejoin "close burst"

# 3. During a bulk sync.
peer /usr/bin/python3 "$EDGE" resume "$DP_IP" 7 20 "$TOPO_TMP/ready3a" "$TOPO_TMP/go3" >"$TOPO_TMP/old.out" 2>&1 &
p_old=$!
check "bulk sync: 20 connections up before the standby joins" wait_for 20 test -s "$TOPO_TMP/ready3a"
topo_ha_roles
ictl "$act" set repl bulk pause >/dev/null
topo_instance_stop "$sby" KILL
topo_ha_start "$sby" standby || exit 1
syncing() { ictl "$1" show repl status | grep -q "bulk sync"; }
check "bulk sync: the standby joins and its bulk sync stands still" wait_for 10 syncing "$sby"
peer /usr/bin/python3 "$EDGE" resume "$DP_IP" 7 20 "$TOPO_TMP/ready3b" "$TOPO_TMP/go3" >"$TOPO_TMP/new.out" 2>&1 &
p_new=$!
check "bulk sync: 20 more connections up after it joined" wait_for 20 test -s "$TOPO_TMP/ready3b"
sleep 0.2
ictl "$sby" show repl status | sed 's/^/    standby: /'
topo_instance_stop "$act" KILL
refused() { ictl "$1" show ha | grep -q "no takeover: 0 time(s) stale, [1-9]"; }
check "bulk sync: the standby that is not in sync refuses to take over on its own" \
	wait_for 5 refused "$sby"
check "bulk sync: ... and stays a standby" eval '! topo_ha_is_active "$sby"'
ictl "$sby" ha takeover >/dev/null
check "bulk sync: 'ha takeover': $sby takes over what it has" wait_for 5 topo_ha_is_active "$sby"
ictl "$sby" show ha | grep "took over" | sed 's/^/    /'
touch "$TOPO_TMP/go3"
wait "$p_new"
check "bulk sync: the 20 connections checkpointed live go on and close normally ($(outcome "$TOPO_TMP/new.out"))" \
	test "$(count "$TOPO_TMP/new.out" ok)" = 20
wait "$p_old"
check "bulk sync: the 20 not checkpointed are reset after the grace period, none hangs ($(outcome "$TOPO_TMP/old.out"))" \
	test "$(count "$TOPO_TMP/old.out" reset)" = 20
exit $fail
