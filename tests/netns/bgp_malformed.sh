#!/usr/bin/env bash
# bgp against malformed input over a live session (RFC 7606): a scripted
# speaker (bgp_speaker.py, plain sockets) in the peer namespace opens an
# eBGP session to one nonstop instance and sends what a real speaker never
# would.  Each case is checked against nonstop's own state (the route from
# 'app bgp routes PREFIX json', the session's state and pfxRcd from 'app bgp
# summary json', the app.bgp.* counters of 'show apps') and against what the
# speaker received (NOTIFICATIONs, the close):
#  - treat-as-withdraw (ORIGIN 5, an AS_PATH segment overrunning its
#    attribute, NEXT_HOP of length 5, no ORIGIN, COMMUNITIES of length 6):
#    the prefix announced just before is withdrawn, no NOTIFICATION, the
#    session stays Established;
#  - attribute discard (LOCAL_PREF from an external peer, ATOMIC_AGGREGATE of
#    length 1): the route is installed without them;
#  - session reset, each on a fresh connection (NLRI prefix length 33: 3/10;
#    an unrecognized well-known attribute: 3/2; a bad marker: 1/1; an UPDATE
#    before OPEN: 5/1, RFC 6608; a KEEPALIVE of length 20: 1/2): the
#    NOTIFICATION, the close, and the session back to Established on the
#    next connection;
#  - 200 UPDATEs of random attributes (fixed seed): nonstop answers on its
#    control socket afterwards and never sent a RST (the peer's capture).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
speaker=$(dirname "$0")/bgp_speaker.py
NONSTOP_BGP=${NONSTOP_BGP:-$TOPO_TOP/build/apps/bgp/libnonstop_bgp.so}
GARBAGE=${GARBAGE:-200}
SEED=${SEED:-7606}
topo_init bgpmal tcpdump
[ -f "$NONSTOP_BGP" ] || { echo "FAIL: $NONSTOP_BGP is not built"; exit 1; }
topo_pair || exit 1
P1=203.0.113.0/24
P2=203.0.113.128/25

topo_ini "[app.bgp]" "lib = $NONSTOP_BGP" "as = 65001" "router_id = $DP_IP" \
	"network = 198.51.100.0/25" "network = 198.51.100.128/25" \
	"neighbor = $PEER_IP remote-as 65002" \
	"[listener.bgp]" "port = 179" "app = bgp" >"$TOPO_TMP/bgp.ini"
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/bgp.ini" || exit 1

# The speaker takes a command a line and answers each with a JSON line.
coproc SPK { peer "$py" "$speaker" "$DP_IP" "$PEER_IP" "$PEER_IP" 2>"$TOPO_TMP/speaker.err"; }
R='{}'
spk() {
	echo "$*" >&"${SPK[1]}"
	IFS= read -r -t 120 R <&"${SPK[0]}" || R='{"error": "no answer"}'
	echo "    speaker: $* -> $R" >>"$TOPO_TMP/speaker.log"
}
# js EXPR: EXPR over the last answer, r.
js() { "$py" -c 'import json, sys; r = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$R" "$1"; }
jtrue() { [ "$(js "$1")" = True ]; }

counter() { nsctl show apps | awk -v k="app.bgp.$1" '$1 == k {v = $2} END {print v + 0}'; }
summary() {
	nsctl app bgp summary json | "$py" -c 'import json, sys
print(json.load(sys.stdin)["peers"][sys.argv[1]][sys.argv[2]])' "$PEER_IP" "$1" 2>/dev/null
}
is_state() { [ "$(summary state)" = "$1" ]; }
# has_route PFX: nonstop holds PFX from the neighbour
has_route() {
	nsctl app bgp routes "$1" json | "$py" -c 'import json, sys
r = json.load(sys.stdin)["routes"].get(sys.argv[1], {"paths": []})
sys.exit(not any(p["from"] == sys.argv[2] for p in r["paths"]))' "$1" "$PEER_IP" 2>/dev/null
}
no_route() { ! has_route "$1"; }
route_attr() { # route_attr PFX KEY: the neighbour's path's KEY, or "absent"
	nsctl app bgp routes "$1" json | "$py" -c 'import json, sys
r = json.load(sys.stdin)["routes"][sys.argv[1]]["paths"]
print(next((p.get(sys.argv[2], "absent") for p in r if p["from"] == sys.argv[3]), "none"))' \
		"$1" "$2" "$PEER_IP" 2>/dev/null
}
eq() { [ "$1" = "$2" ]; }

# --- the session -------------------------------------------------------------
spk connect
check "the speaker's session is Established" jtrue 'r["established"]'
check "nonstop says Established" wait_for 5 is_state Established
check "nonstop announced its networks (UPDATEs received: $(js 'r["updates"]'))" \
	jtrue '{"198.51.100.0/25", "198.51.100.128/25"} <= set(r["announced"])'

spk send valid "$P1"
check "a valid UPDATE: $P1 in the table from the neighbour" wait_for 5 has_route "$P1"
check "pfxRcd 1" eq "$(summary pfxRcd)" 1

# --- treat-as-withdraw -----------------------------------------------------
for c in bad-origin aspath-overrun nexthop-len no-origin community-len; do
	spk send valid "$P1"
	wait_for 5 has_route "$P1" || { echo "FAIL $c: $P1 not announced again"; fail=1; }
	taw=$(counter treat_as_withdraw)
	spk send "$c" "$P1"
	check "$c: no NOTIFICATION, connection open" \
		jtrue 'not r["notifications"] and not r["closed"] and r["connected"]'
	check "$c: $P1 withdrawn" wait_for 5 no_route "$P1"
	check "$c: treat_as_withdraw $taw -> $((taw + 1))" eq "$(counter treat_as_withdraw)" $((taw + 1))
	check "$c: session Established" is_state Established
done

# --- attribute discard -------------------------------------------------------
disc=$(counter attrs_discarded)
spk send discard "$P2"
check "discard: no NOTIFICATION" jtrue 'not r["notifications"] and r["connected"]'
check "discard: $P2 installed" wait_for 5 has_route "$P2"
check "discard: attrs_discarded $disc -> $((disc + 2))" eq "$(counter attrs_discarded)" $((disc + 2))
check "discard: no LOCAL_PREF from the eBGP peer on $P2" eq "$(route_attr "$P2" localpref)" absent
check "discard: session Established, pfxRcd 1" eq "$(summary state)/$(summary pfxRcd)" Established/1

# --- session resets, a fresh connection each -----------------------------------
reset_case() { # CASE CODE/SUBCODE
	local before
	before=$(counter notifications_tx)
	if [ "$1" = update-before-open ]; then
		# The Established session goes first: a second connection would
		# be a collision (Cease).
		spk close
		wait_for 5 is_state Idle || { echo "FAIL $1: session not Idle after the close"; fail=1; }
	fi
	spk send "$1" "$P1"
	check "$1: NOTIFICATION $2 then close (got $(js 'r["notifications"]'), closed $(js 'r["closed"]'))" \
		jtrue "r['notifications'] == [[${2%/*}, ${2#*/}]] and r['closed'] and 'rst' not in r"
	check "$1: notifications_tx $before -> $((before + 1))" eq "$(counter notifications_tx)" $((before + 1))
	check "$1: session Idle, no prefixes" wait_for 5 eval '[ "$(summary state)/$(summary pfxRcd)" = Idle/0 ]'
	spk connect
	check "$1: Established again on a new connection" jtrue 'r["established"]'
	check "$1: nonstop says Established" wait_for 5 is_state Established
}
reset_case nlri-len33 3/10
reset_case unknown-wellknown 3/2
reset_case bad-marker 1/1
reset_case update-before-open 5/1
reset_case keepalive-len20 1/2

# --- random attributes ---------------------------------------------------------
spk garbage "$GARBAGE" "$SEED"
echo "    garbage: $(js 'r.get("garbage", r)')"
check "garbage: $GARBAGE UPDATEs sent, every reconnect Established" \
	jtrue 'r["garbage"]["sent"] == '"$GARBAGE"' and r["garbage"]["reconnect_failures"] == 0 and "rst" not in r'
check "garbage: every reset came with a NOTIFICATION of a header or UPDATE error" \
	jtrue 'r["garbage"]["silent_closes"] == 0 and all(k[:2] in ("1/", "3/") for k in r["garbage"]["codes"])'
check "garbage: nonstop still answers (show version)" eval 'nsctl show version >/dev/null'
check "garbage: nonstop still runs" topo_child_alive "$NONSTOP_PID"
spk connect
check "after the garbage: Established" jtrue 'r["established"]'
spk send valid "$P1"
check "after the garbage: a valid UPDATE installs $P1" wait_for 5 has_route "$P1"
spk quit

nsctl show apps | awk '$1 ~ /^app\.bgp\./ && $2 != 0 {printf "    %s %s\n", $1, $2}'
topo_capture_stop
rst=$(tcpdump -n -r "$TOPO_TMP/peer.pcap" "src host $DP_IP and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null | wc -l)
check "no RST from nonstop in the peer's capture ($rst)" eq "$rst" 0
[ "$fail" = 0 ] || { echo "--- speaker log"; cat "$TOPO_TMP/speaker.log" "$TOPO_TMP/speaker.err"; }
exit $fail
