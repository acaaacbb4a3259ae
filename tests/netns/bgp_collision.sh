#!/usr/bin/env bash
# bgp: a connection collision (RFC 4271 6.8).  nonstop opens its session to
# the neighbour ('connect'); a scripted speaker (bgp_collide.py) answers that
# connection's OPEN, so nonstop knows its BGP Identifier, then opens a second
# connection of its own.  The connection opened by the speaker with the
# higher Identifier stays; the other gets a Cease (6/7) and closes; the one
# left reaches Established.  Twice: the neighbour's Identifier lower than
# nonstop's ($DP_IP), then higher.  Then three times with both connections in
# OpenSent, no OPEN answered yet, so that nonstop cannot decide until the
# first OPEN arrives (on the speaker's connection, or on nonstop's).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
collide=$(dirname "$0")/bgp_collide.py
NONSTOP_BGP=${NONSTOP_BGP:-$TOPO_TOP/build/apps/bgp/libnonstop_bgp.so}
topo_init bgpcol
[ -f "$NONSTOP_BGP" ] || { echo "FAIL: $NONSTOP_BGP is not built"; exit 1; }
topo_pair || exit 1
topo_ini "[app.bgp]" "lib = $NONSTOP_BGP" "as = 65001" "router_id = $DP_IP" \
	"network = 198.51.100.0/25" "neighbor = $PEER_IP remote-as 65002 connect" \
	"[listener.bgp]" "port = 179" "app = bgp" >"$TOPO_TMP/bgp.ini"

summary() {
	nsctl app bgp summary json | "$py" -c 'import json, sys
print(json.load(sys.stdin)["peers"][sys.argv[1]][sys.argv[2]])' "$PEER_IP" "$1" 2>/dev/null
}
is_established() { [ "$(summary state)" = Established ]; }
js() { "$py" -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$R" "$1"; }

# case ID WINNER [MODE]: the speaker's Identifier, whose connection must stay,
# and when the Identifier is told (bgp_collide.py: known, theirs-first, ours-first)
case_run() {
	local id=$1 want=$2 mode=${3:-known} lose t
	lose=$([ "$want" = ours ] && echo theirs || echo ours)
	t="Identifier $id, $mode"
	peer "$py" "$collide" "$DP_IP" "$PEER_IP" "$id" "$mode" >"$TOPO_TMP/collide.out" 2>"$TOPO_TMP/collide.err" &
	local cpid=$!
	sleep 0.5 # listening before nonstop connects
	if ! topo_start_nonstop "$TOPO_TMP/bgp.ini"; then
		check "$t: nonstop starts" false
		kill "$cpid"
		return 1
	fi
	wait_for 40 test -s "$TOPO_TMP/collide.out"
	R=$(head -1 "$TOPO_TMP/collide.out")
	echo "    speaker ($t): $R"
	if [ "$mode" = known ]; then
		check "$t: nonstop's connection reached OpenConfirm first" test "$(js 'r.get("ours_openconfirm")')" = True
	else
		check "$t: both connections waited in OpenSent (nonstop sent its OPEN on each)" \
			test "$(js 'r.get("both_opensent")')" = True
	fi
	check "$t: the $want connection is left" test "$(js 'r.get("left")')" = "$want"
	check "$t: the $lose connection got a Cease (6/7) and was closed" \
		test "$(js "r['$lose']['notifications'] == [[6, 7]] and r['$lose']['closed']")" = True
	check "$t: the $want connection got no NOTIFICATION" \
		test "$(js "r['$want']['notifications'] == []")" = True
	check "$t: nonstop's session is Established" wait_for 3 is_established
	check "$t: nonstop counted one collision" \
		test "$(nsctl show apps | awk '$1 == "app.bgp.collisions" {print $2}')" = 1
	topo_wait_exit "$cpid" 20 || kill "$cpid"
	wait "$cpid"
	topo_stop_nonstop
}
# nonstop's Identifier is 192.0.2.2: its own connection stays against a lower one
case_run 192.0.2.1 ours
case_run 203.0.113.250 theirs
# Neither OPEN answered when the second connection opens: the first OPEN decides.
case_run 192.0.2.1 ours theirs-first
case_run 203.0.113.250 theirs theirs-first
case_run 203.0.113.250 theirs ours-first
topo_summary
