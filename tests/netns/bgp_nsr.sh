#!/usr/bin/env bash
# bgp (apps/bgp, the BGP-4 speaker on the application API) on an HA pair
# against a real BGP speaker in the peer's namespace ($BGP_PEER: frr for
# FRR 8.4's bgpd, bird for BIRD 2, exabgp for ExaBGP 4, gobgp for GoBGP 3),
# eBGP (nonstop AS 65001, the peer AS 65002) or with BGP_IBGP=1 iBGP (both
# AS 65001), hold time 9 s, keepalive 3 s, in the failover topology
# (scripts/netns/topo.sh topo_ha_pair):
#   - both advertise BGP_PREFIXES prefixes (default 10000): each side's
#     table holds what the other advertised, and the standby holds the same
#     Adj-RIB-In and Adj-RIB-Out as the active;
#   - BGP_ROUNDS kill -9 rounds of the active (default 3; the killed one
#     rejoins as the standby, the next round kills the other): steady state,
#     except rounds 2, 5, 8, ..., where the peer withdraws and announces
#     again a block of BGP_BURST prefixes while the active dies (an UPDATE
#     burst across the kill);
#   - then: the peer's session never left Established (FRR: connections
#     established 1, dropped 0; BIRD: the protocol's state time unchanged),
#     no RST and no NOTIFICATION on the wire, no UPDATE from nonstop within
#     5 s after a steady-state kill, and the new active's Adj-RIB-In equals
#     what the peer announces (the burst included).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
PEER=${BGP_PEER:-frr}
PEER_AS=$([ "${BGP_IBGP:-0}" = 1 ] && echo 65001 || echo 65002)
# BGP_CONNECT=1: nonstop opens the session ('connect'); the peer only
# listens (FRR, BIRD) or opens too (ExaBGP, GoBGP: a connection collision).
CONNECT=${BGP_CONNECT:-0}
case $PEER in
frr) topo_init bgpfrr tcpdump tshark vtysh
	[ -x /usr/lib/frr/bgpd ] || { echo "FAIL: /usr/lib/frr/bgpd missing (scripts/deps.sh installs frr)"; exit 1; } ;;
bird) topo_init bgpbird tcpdump tshark bird birdc ;;
exabgp) topo_init bgpexa tcpdump tshark exabgp ;;
gobgp) topo_init bgpgo tcpdump tshark gobgpd gobgp ;;
*) echo "FAIL: BGP_PEER=$PEER (frr, bird, exabgp, gobgp)"; exit 1 ;;
esac
# GoBGP takes its routes one CLI call each (20-40 ms): fewer by default.
N=${BGP_PREFIXES:-$([ "$PEER" = gobgp ] && echo 1000 || echo 10000)}
ROUNDS=${BGP_ROUNDS:-3}
BURST=${BGP_BURST:-1000} # the peer's prefixes withdrawn and announced again across one kill
NONSTOP_BGP=${NONSTOP_BGP:-$TOPO_TOP/build/apps/bgp/libnonstop_bgp.so}
[ -f "$NONSTOP_BGP" ] || { echo "FAIL: $NONSTOP_BGP is not built"; exit 1; }

topo_ha_pair || exit 1

# The peer's prefixes: 20.0.0.0/24 onwards, one /24 each (FIRST COUNT).
peer_pfx() {
	awk -v f="$1" -v n="$2" 'BEGIN {for (i = f; i < f + n; i++)
		printf "%d.%d.%d.0/24\n", 20 + int(i / 65536), int(i / 256) % 256, i % 256}'
}
# Its daemons run as their own user: the directory must be reachable through ours.
F=$TOPO_TMP/$PEER
mkdir -p "$F" && chmod 777 "$F" && chmod o+x "$TOPO_TMP"

# --- the peer: start, Established?, prefixes received, session identity, burst
if [ "$PEER" = frr ]; then
	{
		cat <<CONF
frr defaults traditional
log file $F/bgpd.log
router bgp $PEER_AS
 bgp router-id $PEER_IP
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $DP_IP remote-as 65001
 neighbor $DP_IP timers 3 9
 neighbor $DP_IP timers connect 1
$([ "$CONNECT" = 1 ] && echo " neighbor $DP_IP passive")
 address-family ipv4 unicast
CONF
		peer_pfx 0 "$N" | sed 's/^/  network /'
		echo " exit-address-family"
	} >"$F/bgpd.conf"
	peer_stop() { [ -f "$F/bgpd.pid" ] && kill "$(cat "$F/bgpd.pid")" 2>/dev/null; }
	peer_start() {
		peer /usr/lib/frr/bgpd -d -Z -u frr -g frr -f "$F/bgpd.conf" -i "$F/bgpd.pid" \
			-z "$F/zserv.api" --vty_socket "$F" >"$F/bgpd.out" 2>&1 ||
			{ echo "FAIL: bgpd"; cat "$F/bgpd.out"; return 1; }
	}
	frr() { peer vtysh --vty_socket "$F" "$@" 2>/dev/null; }
	frr_sum() { # FIELD of the neighbour in 'show bgp summary json'
		frr -c "show bgp ipv4 unicast summary json" | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin).get("peers", {}).get(sys.argv[1], {})
print(d.get(sys.argv[2], ""))' "$DP_IP" "$1" 2>/dev/null
	}
	frr_nbr() { # FIELD of 'show bgp neighbors json'
		frr -c "show bgp neighbors $DP_IP json" | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin).get(sys.argv[1], {})
print(d.get(sys.argv[2], ""))' "$DP_IP" "$1" 2>/dev/null
	}
	peer_established() { [ "$(frr_sum state)" = Established ]; }
	peer_rcvd() { frr_sum pfxRcd; }
	# Same value at the start and the end: the session never dropped.
	peer_session() { echo "established $(frr_nbr connectionsEstablished), dropped $(frr_nbr connectionsDropped)"; }
	peer_burst() { # withdraw the first COUNT prefixes, announce them again
		{
			printf 'configure terminal\nrouter bgp %s\naddress-family ipv4 unicast\n' "$PEER_AS"
			peer_pfx 0 "$1" | sed 's/^/no network /'
			peer_pfx 0 "$1" | sed 's/^/network /'
		} | frr >/dev/null
	}
elif [ "$PEER" = exabgp ]; then
	{
		cat <<CONF
process api {
 run /usr/bin/python3 $(cd "$(dirname "$0")" && pwd)/bgp_exabgp_api.py $F/status $F $PEER_IP;
 encoder json;
}
neighbor $DP_IP {
 router-id $PEER_IP;
 local-address $PEER_IP;
 local-as $PEER_AS;
 peer-as 65001;
 hold-time 9;
 family { ipv4 unicast; }
 api { processes [ api ]; receive { parsed; update; } neighbor-changes; }
 static {
CONF
		peer_pfx 0 "$N" | sed "s|^|  route |; s|\$| next-hop $PEER_IP;|"
		printf ' }\n}\n'
	} >"$F/exabgp.conf"
	peer_stop() { [ -n "${exa_pid:-}" ] && kill "$exa_pid" 2>/dev/null; }
	peer_start() {
		peer env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
			exabgp.log.destination="$F/exabgp.log" exabgp.api.ack=false \
			exabgp.daemon.pid="$F/exabgp.pid" exabgp "$F/exabgp.conf" >"$F/exabgp.out" 2>&1 &
		exa_pid=$!
		TOPO_PIDS+=("$exa_pid")
		wait_for 10 test -s "$F/status" || { echo "FAIL: exabgp"; tail "$F/exabgp.out"; return 1; }
	}
	peer_established() { local ups downs _r; read -r ups downs _r <"$F/status" && [ "$ups" -gt "$downs" ]; }
	peer_rcvd() { cut -d' ' -f3 "$F/status"; }
	peer_session() { echo "up $(cut -d' ' -f1 "$F/status") times, down $(cut -d' ' -f2 "$F/status")"; }
	peer_burst() { echo "$1" >"$F/burst.tmp" && mv "$F/burst.tmp" "$F/burst"; sleep 2; }
elif [ "$PEER" = gobgp ]; then
	cat >"$F/gobgpd.toml" <<CONF
[global.config]
  as = $PEER_AS
  router-id = "$PEER_IP"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$DP_IP"
    peer-as = 65001
  [neighbors.timers.config]
    hold-time = 9
    keepalive-interval = 3
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
CONF
	gobgp() { peer timeout 20 /usr/bin/gobgp "$@" 2>/dev/null; }
	peer_stop() { [ -n "${go_pid:-}" ] && kill "$go_pid" 2>/dev/null; }
	peer_start() {
		peer ip link set lo up
		peer gobgpd -f "$F/gobgpd.toml" -l warn >"$F/gobgpd.out" 2>&1 &
		go_pid=$!
		TOPO_PIDS+=("$go_pid")
		wait_for 10 gobgp global >/dev/null || { echo "FAIL: gobgpd"; tail "$F/gobgpd.out"; return 1; }
		go_inject || { echo "FAIL: gobgp global rib add: $(go_rib) of $N prefixes"; return 1; }
	}
	go_rib() { gobgp global rib -a ipv4 | awk '$2 ~ /^20\./' | wc -l; } # its own
	# One 'gobgp global rib add' a prefix, four at a time ('gobgp mrt
	# inject' of 3.10 exits before its stream is through: a random part of
	# the file arrives).
	# Bounded: some 40 ms of CPU per call on 2 cores, so 60 s and 100 ms per
	# prefix (10 000: some 4 min of work, 17 min allowed).
	go_each() { # add|del FIRST COUNT
		peer_pfx "$2" "$3" | peer timeout $((60 + $3 / 10)) xargs -P 4 -I{} timeout 20 \
			/usr/bin/gobgp global rib "$1" {} -a ipv4 nexthop "$PEER_IP" 2>/dev/null
	}
	go_full() { [ "$(go_rib)" = "$N" ]; }
	go_inject() { go_each add 0 "$N" && wait_for 10 go_full; }
	go_nbr() { # FIELD of the neighbour's state ('gobgp neighbor ADDR -j')
		gobgp neighbor "$DP_IP" -j | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin)
s=d.get("state", {})
if sys.argv[1] == "rcvd":
    print(sum(a.get("state", {}).get("received", 0) for a in d.get("afi_safis", [])))
elif sys.argv[1] == "up":
    print(d.get("timers", {}).get("state", {}).get("uptime", ""), s.get("flops", 0))
else:
    print(s.get("session_state", ""))' "$1" 2>/dev/null
	}
	peer_established() { [ "$(go_nbr state)" = 6 ] || [ "$(go_nbr state)" = established ]; }
	peer_rcvd() { go_nbr rcvd; }
	peer_session() { echo "uptime, flops: $(go_nbr up)"; }
	peer_burst() { go_each del 0 "$1" && go_each add 0 "$1"; }
else
	{
		cat <<CONF
log "$F/bird.log" all;
router id $PEER_IP;
timeformat protocol iso long ms;
protocol device {}
protocol static burst { ipv4;
CONF
		peer_pfx 0 "$BURST" | sed 's/^/ route /; s/$/ blackhole;/'
		echo "}"
		echo "protocol static rest { ipv4;"
		peer_pfx "$BURST" $((N - BURST)) | sed 's/^/ route /; s/$/ blackhole;/'
		cat <<CONF
}
protocol bgp nonstop {
 local $PEER_IP as $PEER_AS;
 neighbor $DP_IP as 65001;
 hold time 9; keepalive time 3; connect retry time 1; direct;$([ "$CONNECT" = 1 ] && echo " passive on;")
 ipv4 { import all; export where source = RTS_STATIC; };
}
CONF
	} >"$F/bird.conf"
	bird_c() { peer birdc -s "$F/bird.ctl" "$@" 2>/dev/null; }
	peer_stop() { [ -f "$F/bird.pid" ] && kill "$(cat "$F/bird.pid")" 2>/dev/null; }
	peer_start() {
		peer bird -c "$F/bird.conf" -s "$F/bird.ctl" -P "$F/bird.pid" >"$F/bird.out" 2>&1 ||
			{ echo "FAIL: bird"; cat "$F/bird.out"; return 1; }
	}
	peer_established() { bird_c show protocols all nonstop | grep -q "BGP state:.*Established"; }
	peer_rcvd() { bird_c show protocols all nonstop | sed -n 's/.*Routes: *\([0-9]*\) imported.*/\1/p'; }
	peer_session() { bird_c show protocols nonstop | awk '$1 == "nonstop" {print $4, $5, $6}'; }
	peer_burst() { bird_c disable burst >/dev/null && bird_c enable burst >/dev/null; }
fi
trap 'peer_stop; topo_cleanup' EXIT

# ns_sum NAME FIELD: of the peer's session in nonstop's 'app bgp summary json'
ns_sum() {
	ictl "$1" app bgp summary json | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin)["peers"].get(sys.argv[1], {})
print(d.get(sys.argv[2], ""))' "$PEER_IP" "$2" 2>/dev/null
}
# tel NAME FIELD: FIELD of rte_telemetry's /nonstop/app/bgp,neighbors on
# nonstop NAME, at the top (role, ribCount) or in the neighbour's dict.
tel() {
	printf '/nonstop/app/bgp,neighbors\n' |
		/usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$TOPO_TAG-$1" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
for line in sys.stdin:
    i = line.find("{\"/nonstop/app/bgp\"")
    if i < 0:
        continue
    d = json.loads(line[i:])["/nonstop/app/bgp"]
    n = d.get(sys.argv[1].replace(".", "_"), {})
    print(d.get(sys.argv[2], n.get(sys.argv[2], ""))); break' "$PEER_IP" "$2"
}
established_both() { peer_established && [ "$(ns_sum "$1" state)" = Established ]; }
# tables_full NAME IN OUT: nonstop NAME holds IN prefixes from the peer and
# advertised OUT (an active: with nothing left to send; a standby exports nothing)
tables_full() {
	[ "$(ns_sum "$1" pfxRcd)" = "$2" ] && [ "$(ns_sum "$1" pfxSnt)" = "$3" ] &&
		{ ! topo_ha_is_active "$1" || [ "$(ns_sum "$1" pending)" = 0 ]; }
}
peer_has() { [ "$(peer_rcvd)" = "$1" ]; }
# check_tables DESCRIPTION NAME IN OUT: tables_full within 30 s, else what it holds
check_tables() {
	if wait_for 30 tables_full "$2" "$3" "$4"; then echo "ok   $1"; else
		echo "FAIL $1 (state $(ns_sum "$2" state), received $(ns_sum "$2" pfxRcd), advertised $(ns_sum "$2" pfxSnt), pending $(ns_sum "$2" pending))"
		fail=1
	fi
}
# The prefixes nonstop NAME holds from the peer, sorted.
ns_routes() {
	ictl "$1" app bgp routes all json | /usr/bin/python3 -c 'import json,sys
r=json.load(sys.stdin)["routes"]
print("\n".join(sorted(p for p, v in r.items() if v["paths"])))' 2>/dev/null
}

bgp_start() { # NAME ROLE
	local rl=r
	[ "$1" = b ] && rl=s
	topo_ha_ini "$1" "$2" "[app.bgp]" "lib = $NONSTOP_BGP" "as = 65001" "router_id = $DP_IP" \
		"network_range = 10.0.0.0/24 $N" \
		"[app.bgp.neighbor.$PEER]" "address = $PEER_IP" "remote_as = $PEER_AS" \
		"connect = $([ "$CONNECT" = 1 ] && echo yes || echo no)" "description = $PEER peer" \
		"[listener.bgp]" "port = 179" "app = bgp" >"$TOPO_TMP/$1.ini"
	topo_instance_start "$1" "$TOPO_TMP/$1.ini" \
		"net_af_packet0,iface=${VETH_DP}$1,framecnt=4096" \
		"net_af_packet1,iface=${VETH_DP}$rl,framecnt=4096"
}

bgp_start a active || exit 1
bgp_start b standby || exit 1
check "the standby joins and syncs" wait_for 15 topo_ha_in_sync a
topo_capture "$TOPO_TMP/bgp.pcap" || exit 1
peer_start || exit 1

if ! wait_for 30 established_both a; then
	# Say why: both sides' view and the peer's log.
	check "$PEER and nonstop reach Established" false
	echo "    nonstop a: $(ictl a app bgp neighbors 2>&1 | head -8 | tr '\n' ' ')"
	case $PEER in
	frr) echo "    frr: $(frr -c "show bgp summary" 2>&1 | tail -4 | tr '\n' ' ')" ;;
	bird) echo "    bird: $(bird_c show protocols 2>&1 | tail -3 | tr '\n' ' ')" ;;
	gobgp) echo "    gobgp: $(gobgp neighbor 2>&1 | tr '\n' ' ')" ;;
	esac
	for f in "$F"/bgpd.out "$F"/bird.log "$F"/exabgp.log "$F"/gobgpd.out; do
		[ -s "$f" ] && tail -n 15 "$f" | sed "s|^|    $(basename "$f"): |"
	done
	exit 1 # the kill rounds need a session
else
	check "$PEER and nonstop reach Established" true
fi
check "nonstop holds the peer's $N prefixes and advertised its own $N" wait_for 60 tables_full a "$N" "$N"
check "$PEER holds nonstop's $N prefixes" wait_for 30 peer_has "$N"
session0=$(peer_session)
# A takeover the test did not cause (an active the host did not run, frames
# the kernel held, a long console answer on one lcore; the verdicts report
# them) swaps the roles: from here on the checks and the kills follow what
# the instances say.
topo_ha_roles
[ "$act" = a ] || { echo "    note: b took over without a kill:"; topo_ha_takeover_log; }
check_tables "the standby holds the same Adj-RIB-In and Adj-RIB-Out" "$sby" "$N" "$N"
check "the standby sees the session Established" test "$(ns_sum "$sby" state)" = Established
# tel_both: each instance's telemetry says what its role is now (asked again
# should an instance take over between the reads)
tel_both() {
	topo_ha_roles
	t_act="$(tel "$act" role) $(tel "$act" state) $(tel "$act" pfxRcd) $(tel "$act" pfxSnt) $(tel "$act" description)"
	t_sby="$(tel "$sby" role) $(tel "$sby" state) $(tel "$sby" pfxRcd)"
	[ "$t_act" = "active Established $N $N $PEER peer" ] && [ "$t_sby" = "standby Established $N" ]
}
wait_for 5 tel_both
check "telemetry (/nonstop/app/bgp) on the active ($act): $t_act" test "$t_act" = "active Established $N $N $PEER peer"
check "telemetry on the standby ($sby): $t_sby" test "$t_sby" = "standby Established $N"

: >"$TOPO_TMP/kills"
for round in $(seq 1 "$ROUNDS"); do
	burst=0
	[ $((round % 3)) = 2 ] && [ "$BURST" -gt 0 ] && burst=1 # rounds 2, 5, 8, ...
	sleep 1
	topo_ha_roles
	wait_for 10 topo_ha_in_sync "$act" || check "round $round: the pair is in sync before the kill" false
	if [ "$burst" = 1 ]; then
		# The peer withdraws a block and announces it again while the active dies.
		peer_burst "$BURST" &
		bpid=$!
		sleep 0.3
	fi
	t_kill=$(date +%s.%N)
	echo "$t_kill $burst" >>"$TOPO_TMP/kills"
	topo_instance_stop "$act" KILL
	check "round $round: $sby takes over" wait_for 5 topo_ha_is_active "$sby"
	[ "$burst" = 1 ] && wait "$bpid"
	check "round $round: the session stays Established on $PEER" peer_established
	check_tables "round $round: the new active holds the peer's $N prefixes, advertised $N" "$sby" "$N" "$N"
	bgp_start "$act" standby || exit 1
	check "round $round: $act rejoins as the standby and syncs" wait_for 20 topo_ha_in_sync "$sby"
	check_tables "round $round: the rejoined standby holds both tables" "$act" "$N" "$N"
done
sleep 2
topo_ha_roles

# --- verdicts ---------------------------------------------------------------------
session1=$(peer_session)
check "$PEER's session never dropped ($session1; at the start: $session0)" \
	test -n "$session0" -a "$session0" = "$session1"
[ "$PEER" = frr ] && check "FRR counts one connection, none dropped" test "$session1" = "established 1, dropped 0"
check "$PEER still holds nonstop's $N prefixes" peer_has "$N"
peer_pfx 0 "$N" | LC_ALL=C sort >"$TOPO_TMP/peer.routes"
ns_routes "$act" >"$TOPO_TMP/ns.routes"
check "the active's Adj-RIB-In equals the peer's $N announced prefixes" \
	cmp -s "$TOPO_TMP/peer.routes" "$TOPO_TMP/ns.routes"
topo_capture_stop
rst=$(tcpdump -nr "$TOPO_TMP/bgp.pcap" 'tcp port 179 and tcp[tcpflags] & tcp-rst != 0' 2>/dev/null | wc -l)
check "no RST on the session ($rst)" test "$rst" = 0
notif=$(tshark -r "$TOPO_TMP/bgp.pcap" -Y "bgp.type == 3" 2>/dev/null | wc -l)
check "no NOTIFICATION either way ($notif)" test "$notif" = 0
# UPDATEs from nonstop within 5 s after each steady-state kill.
tshark -r "$TOPO_TMP/bgp.pcap" -Y "ip.src == $DP_IP && bgp.type == 2" -T fields \
	-e frame.time_epoch 2>/dev/null >"$TOPO_TMP/updates.times"
late=$(awk 'FNR == NR {if ($2 == 0) k[++n] = $1; next}
	{for (i = 1; i <= n; i++) if ($1 >= k[i] && $1 < k[i] + 5) c++}
	END {print c + 0}' "$TOPO_TMP/kills" "$TOPO_TMP/updates.times")
check "no UPDATE from nonstop within 5 s of a steady-state kill ($late)" test "$late" = 0
# Takeovers the kills did not cause (both logs, across restarts): reported,
# not failed.  On this shared VM the channel, the heartbeats and BFD all
# cross veths; under stress-ng the standby has found them silent for 112 ms
# while the fenced active's worker had stood still 5.7 ms at most.  The peer
# must notice nothing of such a takeover either: the checks above assert it.
n=$(topo_ha_takeovers_logged)
if [ "$n" != "$ROUNDS" ]; then
	echo "    note: $n takeovers for $ROUNDS kills, $(topo_ha_host_stalls) of an active the host did not run for ${TOPO_HA_FAILOVER_MS} ms or more:"
	topo_ha_takeover_log
fi
echo "    nonstop's bgp counters (active $act):"
ictl "$act" show apps | awk '$1 ~ /^app\.bgp\./ && $2 != 0 {printf "      %s %s\n", $1, $2}'
exit "$fail"
