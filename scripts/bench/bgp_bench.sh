#!/usr/bin/env bash
# BGP figures: nonstop's speaker (apps/bgp) against FRR 8.4's bgpd, in one
# run, in the failover topology (scripts/netns/topo.sh topo_ha_pair: a
# bridge in the peer's namespace, $PEER_IP 192.0.2.1) plus a namespace of
# its own for a second FRR (192.0.2.3, on the same bridge):
#   1. install: ExaBGP 4 (static routes in its config) announces
#      BENCH_PREFIXES prefixes (default 100000) to nonstop (one instance, no
#      standby), then an identical ExaBGP to FRR's bgpd (-Z, its own
#      namespace), one after the other, BENCH_RUNS times (default 3); the
#      time from the receiver's session reaching Established to it holding
#      all N (polled: nonstop 'app bgp summary json' pfxRcd, FRR 'show bgp
#      ipv4 unicast summary json' pfxRcd).  Then once more for nonstop with
#      a standby attached (HA pair): replication's cost.
#   2. memory per prefix after the install: nonstop's ribBytes / ribCount,
#      FRR's ribMemory / ribCount (its route nodes only) and the growth of
#      bgpd's resident set over the install / N.
#   3. takeover: FRR (192.0.2.1, eBGP, hold 9 s, keepalive 3 s) peers with
#      an HA pair; BENCH_KILLS kill -9 of the active (default 5; the killed
#      one rejoins as the standby): detection to takeover done and
#      activation (the new active's 'show ha'), and kill to the first
#      KEEPALIVE from 192.0.2.2 in a capture on the bridge.
#   4. anchor: the same FRR also peers with a second FRR (192.0.2.3, AS
#      65003), both with 'bgp graceful-restart' (the second one also with
#      'preserve-fw-state': without it, its OPEN after the restart says
#      its forwarding state is lost and the surviving FRR drops its routes
#      at once, as RFC 4724 asks); BENCH_GR_ROUNDS (default 2)
#      times that one is killed with kill -9 and started again: the time
#      until it holds the surviving peer's prefixes again, and the UPDATEs
#      and withdrawn prefixes the surviving FRR received from it over the
#      event (the capture), against the same for nonstop's kills.  Each side
#      announces BENCH_ANCHOR_PREFIXES (default 10000).
# Prints a table; machine-readable rows ("row NAME VALUE...") too.  Results
# (configs, logs, the capture) stay in a directory under /tmp, named at the
# end.  Root; run it under the shared lock:
#   flock /tmp/nonstop-heavy.lock scripts/bench/bgp_bench.sh
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
N=${BENCH_PREFIXES:-100000}
RUNS=${BENCH_RUNS:-3}
KILLS=${BENCH_KILLS:-5}
GR_ROUNDS=${BENCH_GR_ROUNDS:-2}
NA=${BENCH_ANCHOR_PREFIXES:-10000}
. "$top/scripts/netns/topo.sh"
topo_init bgpbench tcpdump tshark vtysh exabgp
[ -x /usr/lib/frr/bgpd ] || { echo "FAIL: /usr/lib/frr/bgpd missing (scripts/deps.sh installs frr)"; exit 1; }
NONSTOP_BGP=${NONSTOP_BGP:-$top/build/apps/bgp/libnonstop_bgp.so}
[ -f "$NONSTOP_BGP" ] || { echo "FAIL: $NONSTOP_BGP is not built"; exit 1; }
# The results outlive the run (topo's cleanup removes $TOPO_TMP).
OUT=$(mktemp -d /tmp/nonstop-bgpbench-results.XXXXXX) || exit 1
chmod 777 "$OUT" && chmod o+x "$TOPO_TMP"
FRR2_IP=192.0.2.3

topo_ha_pair || exit 1
# The second FRR's namespace, on the peer's bridge.
NS_FRR=ns-frr-$TOPO_TAG
h=$(printf '%s' "$TOPO_TAG" | md5sum | cut -c1-9)
topo_ns_add "$NS_FRR" || exit 1
topo_do ip -n "$NS_FRR" link add "vf$h" type veth peer name "bf$h" netns "$NS_PEER" || exit 1
topo_do ip -n "$NS_PEER" link set "bf$h" master br0 || exit 1
topo_do ip -n "$NS_PEER" link set "bf$h" up || exit 1
topo_do ip -n "$NS_FRR" addr add "$FRR2_IP/24" dev "vf$h" || exit 1
topo_do ip -n "$NS_FRR" link set "vf$h" up || exit 1
topo_do ip netns exec "$NS_FRR" ethtool -K "vf$h" tx off || exit 1
frr2ns() { ip netns exec "$NS_FRR" "$@"; }

# PREFIX FIRST COUNT: one /24 each from PREFIX.0.0.0 (as bgp_nsr.sh numbers them)
pfx() {
	awk -v b="$1" -v f="$2" -v n="$3" 'BEGIN {for (i = f; i < f + n; i++)
		printf "%d.%d.%d.0/24\n", b + int(i / 65536), int(i / 256) % 256, i % 256}'
}
now() { date +%s.%N; }
# (the ms from $1 to $2)
ms() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", (b - a) * 1000}'; }

# --- FRR: bgpd -Z in namespace NS, its files in directory D --------------
# frr_start NS D: runs D/bgpd.conf
frr_start() {
	ip netns exec "$1" /usr/lib/frr/bgpd -d -Z -u frr -g frr -f "$2/bgpd.conf" -i "$2/bgpd.pid" \
		-z "$2/zserv.api" --vty_socket "$2" >"$2/bgpd.out" 2>&1 ||
		{ echo "FAIL: bgpd in $2"; cat "$2/bgpd.out"; return 1; }
}
frr_pid() { cat "$1/bgpd.pid" 2>/dev/null; }
frr_stop() { # D [KILL]
	local p
	p=$(frr_pid "$1")
	[ -n "$p" ] || return 0
	kill -"${2:-TERM}" "$p" 2>/dev/null
	for ((i = 0; i < 50; i++)); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null
	rm -f "$1/bgpd.pid"
}
frr_c() { ip netns exec "$1" vtysh --vty_socket "$2" -c "$3" 2>/dev/null; }
# frr_sum NS D NEIGHBOUR: "state pfxRcd" of NEIGHBOUR (or "- -")
frr_sum() {
	frr_c "$1" "$2" "show bgp ipv4 unicast summary json" | /usr/bin/python3 -c 'import json,sys
try:
    d=json.load(sys.stdin).get("peers", {}).get(sys.argv[1], {})
except ValueError:
    d={}
print(d.get("state", "-"), d.get("pfxRcd", "-"))' "$3" 2>/dev/null
}
frr_field() { # NS D FIELD: a top-level field of the summary json
	frr_c "$1" "$2" "show bgp ipv4 unicast summary json" | /usr/bin/python3 -c 'import json,sys
print(json.load(sys.stdin).get(sys.argv[1], ""))' "$3" 2>/dev/null
}
frr_nbr() { # NS D NEIGHBOUR FIELD of 'show bgp neighbors json'
	frr_c "$1" "$2" "show bgp neighbors $3 json" | /usr/bin/python3 -c 'import json,sys
print(json.load(sys.stdin).get(sys.argv[1], {}).get(sys.argv[2], ""))' "$3" "$4" 2>/dev/null
}
rss_kb() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status" 2>/dev/null; }

# --- ExaBGP in the peer's namespace: N static routes to NEIGHBOUR ---------
# exa_start NAME NEIGHBOUR PEER_AS
exa_start() {
	local d=$TOPO_TMP/$1
	mkdir -p "$d" && chmod 777 "$d"
	{
		cat <<CONF
neighbor $2 {
 router-id $PEER_IP;
 local-address $PEER_IP;
 local-as 65002;
 peer-as $3;
 hold-time 9;
 family { ipv4 unicast; }
 static {
CONF
		pfx 20 0 "$N" | sed "s|^|  route |; s|\$| next-hop $PEER_IP;|"
		printf ' }\n}\n'
	} >"$d/exabgp.conf"
	# ip netns exec and env exec: $! is exabgp itself, which exa_stop stops.
	ip netns exec "$NS_PEER" env exabgp.daemon.user=root exabgp.daemon.daemonize=false \
		exabgp.log.destination="$d/exabgp.log" exabgp.daemon.pid="$d/exabgp.pid" \
		exabgp "$d/exabgp.conf" >"$d/exabgp.out" 2>&1 &
	exa_pid=$!
}
exa_stop() {
	[ -n "${exa_pid:-}" ] || return 0
	kill "$exa_pid" 2>/dev/null
	topo_wait_exit "$exa_pid" 5 || kill -KILL "$exa_pid" 2>/dev/null
	wait "$exa_pid" 2>/dev/null
	exa_pid=
	# None may be left to connect to the next receiver.
	for ((i = 0; i < 20; i++)); do
		ip netns pids "$NS_PEER" 2>/dev/null | xargs -r ps -o comm= -p 2>/dev/null | grep -q exabgp || return 0
		sleep 0.1
	done
	echo "note: an exabgp still runs in $NS_PEER"
}

# --- nonstop --------------------------------------------------------------
# ns_sum NAME NEIGHBOUR: "state pfxRcd pfxSnt dropped" (or "- - - -")
ns_sum() {
	ictl "$1" app bgp summary json | /usr/bin/python3 -c 'import json,sys
try:
    d=json.load(sys.stdin)["peers"].get(sys.argv[1], {})
except (ValueError, KeyError):
    d={}
print(d.get("state", "-"), d.get("pfxRcd", "-"), d.get("pfxSnt", "-"), d.get("dropped", "-"))' "$2" 2>/dev/null
}
ns_field() { # NAME FIELD: a top-level field of the summary json
	ictl "$1" app bgp summary json | /usr/bin/python3 -c 'import json,sys
print(json.load(sys.stdin).get(sys.argv[1], ""))' "$2" 2>/dev/null
}
# ns_start NAME ROLE|single PEER PEER_AS [LINE...]: the instance, peering
# with PEER; 'single' has no [repl] (no standby, no replication)
ns_start() {
	local name=$1 role=$2 peer_ip=$3 peer_as=$4 rl=r
	shift 4
	[ "$name" = b ] && rl=s
	local app=("[app.bgp]" "lib = $NONSTOP_BGP" "as = 65001" "router_id = $DP_IP"
		"neighbor = $peer_ip remote-as $peer_as" "$@" "[listener.bgp]" "port = 179" "app = bgp")
	if [ "$role" = single ]; then
		topo_ini "[tcp]" "max_conns = 256" "${app[@]}" >"$TOPO_TMP/$name.ini"
		topo_instance_start "$name" "$TOPO_TMP/$name.ini" "net_af_packet0,iface=${VETH_DP}$name,framecnt=4096"
	else
		topo_ha_ini "$name" "$role" "${app[@]}" >"$TOPO_TMP/$name.ini"
		topo_instance_start "$name" "$TOPO_TMP/$name.ini" \
			"net_af_packet0,iface=${VETH_DP}$name,framecnt=4096" \
			"net_af_packet1,iface=${VETH_DP}$rl,framecnt=4096"
	fi
}

# install_time GETTER: wait (bounded) for GETTER's state to be Established,
# then for its pfxRcd to reach N; prints "ms" from one to the other, or "-"
install_time() {
	local s p t0 t1 i
	for ((i = 0; i < 1200; i++)); do # 120 s: ExaBGP reads 100 000 routes first
		read -r s p _ <<<"$("$@")"
		[ "$s" = Established ] && break
		sleep 0.05
	done
	t0=$(now)
	[ "$s" = Established ] || { echo -; return; }
	for ((i = 0; i < 3000; i++)); do # at most about 5 minutes
		[ "$p" = "$N" ] && break
		sleep 0.02
		read -r s p _ <<<"$("$@")"
	done
	t1=$(now)
	if [ "$p" = "$N" ]; then ms "$t0" "$t1"; else echo "-(got $p)"; fi
}

trap 'exa_stop; frr_stop "$TOPO_TMP/frr1"; frr_stop "$TOPO_TMP/frr2"; cp -a "$TOPO_TMP"/. "$OUT"/ 2>/dev/null; topo_cleanup' EXIT
mkdir -p "$TOPO_TMP/frr1" "$TOPO_TMP/frr2" && chmod 777 "$TOPO_TMP/frr1" "$TOPO_TMP/frr2"
F1=$TOPO_TMP/frr1 F2=$TOPO_TMP/frr2

echo "bgp_bench $(date -u '+%Y-%m-%d %H:%M UTC'), N=$N, runs $RUNS, kills $KILLS, anchor $NA prefixes, GR rounds $GR_ROUNDS"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$OUT/rows"
row() { echo "row $*" | tee -a "$OUT/rows"; }

# === 1 and 2: install N from ExaBGP ==========================================
cat >"$F2/bgpd.conf" <<CONF
frr defaults traditional
log file $F2/bgpd.log
router bgp 65001
 bgp router-id $FRR2_IP
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $PEER_IP remote-as 65002
 neighbor $PEER_IP timers 3 9
 neighbor $PEER_IP timers connect 1
CONF
ns_get() { ns_sum a "$PEER_IP"; }
frr_get() { frr_sum "$NS_FRR" "$F2" "$PEER_IP"; }
[ "${BENCH_INSTALL:-1}" = 1 ] || RUNS=0
for r in $(seq 1 "$RUNS"); do
	# The prefix table is allocated for max_prefixes at start (ribBytes
	# counts that capacity): sized for this table, N and the own prefix.
	ns_start a single "$PEER_IP" 65002 "network = 198.51.100.0/24" "max_prefixes = $((N + 1))" || exit 1
	# The tables' bytes before (the same: the table is allocated at start).
	rb0=$(ns_field a ribBytes) rc0=$(ns_field a ribCount)
	exa_start exa-ns "$DP_IP" 65001
	t=$(install_time ns_get)
	rb=$(ns_field a ribBytes) rc=$(ns_field a ribCount)
	exa_stop
	topo_instance_stop a
	row install nonstop "$r" "$t" "$rb" "$rc" "$rb0" "$rc0"

	frr_start "$NS_FRR" "$F2" || exit 1
	wait_for 10 test -n "$(frr_field "$NS_FRR" "$F2" routerId)"
	rss0=$(rss_kb "$(frr_pid "$F2")")
	exa_start exa-frr "$FRR2_IP" 65001
	t=$(install_time frr_get)
	sleep 1 # bgpd's best-path runs after the counter: let it settle before the memory
	rss1=$(rss_kb "$(frr_pid "$F2")")
	frr_c "$NS_FRR" "$F2" "show memory" >"$OUT/frr-show-memory.$r"
	rm=$(frr_field "$NS_FRR" "$F2" ribMemory) rc=$(frr_field "$NS_FRR" "$F2" ribCount)
	exa_stop
	frr_stop "$F2"
	row install frr "$r" "$t" "$rm" "$rc" "$rss0" "$rss1"
done
# The same for nonstop with a standby attached: every UPDATE travels to it.
if [ "${BENCH_INSTALL:-1}" = 1 ]; then
ns_start a active "$PEER_IP" 65002 "network = 198.51.100.0/24" "max_prefixes = $((N + 1))" || exit 1
ns_start b standby "$PEER_IP" 65002 "network = 198.51.100.0/24" "max_prefixes = $((N + 1))" || exit 1
wait_for 15 topo_ha_in_sync a || echo "note: the standby did not report in sync within 15 s"
exa_start exa-ha "$DP_IP" 65001
t=$(install_time ns_get)
sby_full() { [ "$(ns_sum b "$PEER_IP" | cut -d' ' -f2)" = "$N" ]; }
wait_for 30 sby_full
row install nonstop-ha 1 "$t" "$(ns_sum b "$PEER_IP" | cut -d' ' -f2)"
exa_stop
topo_instance_stop b
topo_instance_stop a
fi

# === 3 and 4: kill -9 of nonstop's active and of an FRR, FRR surviving =======
# The surviving FRR (192.0.2.1, AS 65002) announces NA prefixes from
# 20.0.0.0, the second FRR (AS 65003) NA from 30.0.0.0, nonstop NA from
# 10.0.0.0.
{
	cat <<CONF
frr defaults traditional
log file $F1/bgpd.log
debug bgp neighbor-events
router bgp 65002
 bgp router-id $PEER_IP
 bgp graceful-restart
 bgp log-neighbor-changes
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $DP_IP remote-as 65001
 neighbor $DP_IP timers 3 9
 neighbor $DP_IP timers connect 1
 neighbor $FRR2_IP remote-as 65003
 neighbor $FRR2_IP timers 3 9
 neighbor $FRR2_IP timers connect 1
 address-family ipv4 unicast
CONF
	pfx 20 0 "$NA" | sed 's/^/  network /'
	echo " exit-address-family"
} >"$F1/bgpd.conf"
{
	cat <<CONF
frr defaults traditional
log file $F2/bgpd.log
router bgp 65003
 bgp router-id $FRR2_IP
 bgp graceful-restart
 bgp graceful-restart preserve-fw-state
 bgp log-neighbor-changes
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor $PEER_IP remote-as 65002
 neighbor $PEER_IP timers 3 9
 neighbor $PEER_IP timers connect 1
 address-family ipv4 unicast
CONF
	pfx 30 0 "$NA" | sed 's/^/  network /'
	echo " exit-address-family"
} >"$F2/bgpd.conf"
# Only BGP on the bridge, whole frames (tshark reassembles the UPDATEs).
ip netns exec "$NS_PEER" tcpdump -n -i br0 -U -w "$TOPO_TMP/bgp.pcap" 'tcp port 179' \
	</dev/null >"$TOPO_TMP/tcpdump.log" 2>&1 &
TOPO_PIDS+=("$!")
wait_for 5 grep -q "listening on" "$TOPO_TMP/tcpdump.log" || { echo "FAIL: tcpdump did not start"; exit 1; }
ns_start a active "$PEER_IP" 65002 "network_range = 10.0.0.0/24 $NA" || exit 1
ns_start b standby "$PEER_IP" 65002 "network_range = 10.0.0.0/24 $NA" || exit 1
wait_for 15 topo_ha_in_sync a || echo "note: the standby did not report in sync within 15 s"
frr_start "$NS_PEER" "$F1" || exit 1
frr_start "$NS_FRR" "$F2" || exit 1
s1() { frr_sum "$NS_PEER" "$F1" "$1"; }
# The surviving FRR passes each one's prefixes on to the other: nonstop and
# the second FRR each receive 2 NA from it (and the second FRR announces
# back the 2 NA it learned from it, which it drops as AS-path loops).
full() { # the surviving FRR holds both peers' NA, they hold its 2 NA
	[ "$(s1 "$DP_IP")" = "Established $NA" ] && [ "$(s1 "$FRR2_IP")" = "Established $NA" ] &&
		[ "$(ns_sum a "$PEER_IP" | cut -d' ' -f2)" = $((2 * NA)) ] &&
		[ "$(frr_sum "$NS_FRR" "$F2" "$PEER_IP")" = "Established $((2 * NA))" ]
}
wait_for 90 full || echo "note: not every table full after 90 s: nonstop $(s1 "$DP_IP"), frr $(s1 "$FRR2_IP")"
wait_for 15 topo_ha_in_sync a
sleep 2

nbr0="$(frr_nbr "$NS_PEER" "$F1" "$DP_IP" connectionsEstablished) $(frr_nbr "$NS_PEER" "$F1" "$DP_IP" connectionsDropped)"
: >"$TOPO_TMP/kills"
act=a sby=b
for k in $(seq 1 "$KILLS"); do
	t_kill=$(now)
	topo_instance_stop "$act" KILL
	wait_for 5 topo_ha_is_active "$sby" || echo "note: kill $k: $sby did not take over within 5 s"
	read -r det actv <<<"$(takeover_figures "$t_kill" "$sby")"
	echo "$t_kill ns $det $actv" >>"$TOPO_TMP/kills"
	sleep 4 # the event's window in the capture: nothing from nonstop but a KEEPALIVE is expected
	ns_start "$act" standby "$PEER_IP" 65002 "network_range = 10.0.0.0/24 $NA" || exit 1
	wait_for 20 topo_ha_in_sync "$sby" || echo "note: kill $k: $act did not sync within 20 s"
	sleep 1
	t=$act act=$sby sby=$t
done
nbr1="$(frr_nbr "$NS_PEER" "$F1" "$DP_IP" connectionsEstablished) $(frr_nbr "$NS_PEER" "$F1" "$DP_IP" connectionsDropped)"
row nonstop-session "before: established/dropped $nbr0, after: $nbr1"

# The restarted FRR holds the surviving one's 2 NA; the surviving one its NA.
frr2_back() { [ "$(frr_sum "$NS_FRR" "$F2" "$PEER_IP")" = "Established $((2 * NA))" ]; }
frr2_held() { [ "$(s1 "$FRR2_IP")" = "Established $NA" ]; }
for _ in $(seq 1 "$GR_ROUNDS"); do
	t_kill=$(now)
	frr_stop "$F2" KILL
	frr_start "$NS_FRR" "$F2" || exit 1
	back=-
	wait_for 120 frr2_back && back=$(ms "$t_kill" "$(now)")
	echo "$t_kill frr $back -" >>"$TOPO_TMP/kills"
	sleep 4 # the restarted side's table goes out after its best paths (deferred until End-of-RIB)
	wait_for 30 frr2_held
	sleep 1
done
frr2s="$(frr_nbr "$NS_PEER" "$F1" "$FRR2_IP" connectionsEstablished) $(frr_nbr "$NS_PEER" "$F1" "$FRR2_IP" connectionsDropped)"
row frr-session "surviving FRR's established/dropped towards the restarting FRR: $frr2s"
topo_capture_stop

# Per event: the first KEEPALIVE from the killed side's address after the
# kill, and its UPDATEs, withdrawn and announced prefixes up to the next
# event or 30 s; and the UPDATEs the surviving FRR sent on to the other
# neighbour meanwhile (what the event costs one hop further).  The messages are cut from the TCP payloads here rather
# than by tshark's BGP dissector: FRR to FRR negotiates extended messages
# (RFC 8654, UPDATEs up to 64 KB), which tshark 4.0 calls malformed and does
# not decode, and tshark's fields merge equal values of one frame.
tshark -r "$TOPO_TMP/bgp.pcap" -Y 'tcp.len > 0' -T fields -e frame.time_epoch -e ip.src \
	-e tcp.srcport -e ip.dst -e tcp.dstport -e tcp.seq_raw -e tcp.payload \
	2>/dev/null >"$TOPO_TMP/bgp.segments"
/usr/bin/python3 - "$TOPO_TMP/kills" "$TOPO_TMP/bgp.segments" "$DP_IP" "$FRR2_IP" "$PEER_IP" <<'PY' | tee -a "$OUT/rows"
import sys
kills = [l.split() for l in open(sys.argv[1])]
src_of = {"ns": sys.argv[3], "frr": sys.argv[4]}
msgs = []  # (time, src, type, withdrawn, announced)
flows = {}  # (src, sport, dst, dport) -> [next seq, buffer]

def count(b):  # prefixes in a run of (length, address bytes)
    i = n = 0
    while i < len(b):
        i += 1 + (b[i] + 7) // 8
        n += 1
    return n

for l in open(sys.argv[2]):
    f = l.rstrip("\n").split("\t")
    if len(f) < 7 or not f[6]:
        continue
    t, key, seq, data = float(f[0]), tuple(f[1:5]), int(f[5]), bytes.fromhex(f[6].replace(":", ""))
    st = flows.setdefault(key, [seq, b""])
    if seq < st[0]:  # a retransmission of what was already taken
        data = data[st[0] - seq:]
        seq = st[0]
    if seq > st[0]:  # a gap (not on this bridge): start again at this segment
        st[1] = b""
    st[0] = seq + len(data)
    st[1] += data
    buf = st[1]
    while len(buf) >= 19:
        ln, ty = int.from_bytes(buf[16:18], "big"), buf[18]
        if ln < 19 or len(buf) < ln:
            break
        m, buf = buf[:ln], buf[ln:]
        wd = an = 0
        if ty == 2:
            wl = int.from_bytes(m[19:21], "big")
            al = int.from_bytes(m[21 + wl:23 + wl], "big")
            wd, an = count(m[21:21 + wl]), count(m[23 + wl + al:])
        msgs.append((t, key[0], ty, wd, an, key[2]))
    st[1] = buf
for e, k in enumerate(kills):
    t0 = float(k[0])
    end = min(t0 + 30, float(kills[e + 1][0]) if e + 1 < len(kills) else t0 + 30)
    mine = [m for m in msgs if t0 <= m[0] < end and m[1] == src_of[k[1]]]
    ka = [m[0] for m in mine if m[2] == 4]
    up = [m for m in mine if m[2] == 2]
    other = src_of["frr" if k[1] == "ns" else "ns"]
    on = [m for m in msgs if t0 <= m[0] < end and m[1] == sys.argv[5] and m[5] == other and m[2] == 2]
    print("event", k[1], e + 1, k[2], k[3], "%.1f" % ((ka[0] - t0) * 1000) if ka else "-",
          len(up), sum(m[3] for m in up), sum(m[4] for m in up), len(on), sum(m[3] for m in on))
PY

# === the table ==============================================================
echo
/usr/bin/python3 - "$OUT/rows" "$N" "$NA" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1])]
n, na = int(sys.argv[2]), int(sys.argv[3])
num = lambda v: float(v) if v.replace(".", "", 1).isdigit() else None
def med(xs):
    xs = [x for x in xs if x is not None]
    return st.median(xs) if xs else None
def f(v, fmt="%.0f"):
    return fmt % v if v is not None else "-"
ins = [r for r in rows if r[:2] == ["row", "install"]]
nsr = [r for r in ins if r[2] == "nonstop"]
frr = [r for r in ins if r[2] == "frr"]
ha = [r for r in ins if r[2] == "nonstop-ha"]
tn = [num(r[4]) for r in nsr]; tf = [num(r[4]) for r in frr]
ratios = [a / b for a, b in zip(tn, tf) if a and b]
print("%-58s %s" % ("figure", "value"))
print("%-58s %s ms (runs: %s)" % ("install %d: nonstop, Established to all received" % n, f(med(tn)), " ".join(r[4] for r in nsr)))
print("%-58s %s ms (runs: %s)" % ("install %d: FRR bgpd, Established to all received" % n, f(med(tf)), " ".join(r[4] for r in frr)))
print("%-58s %s" % ("install ratio nonstop / FRR (median of the runs' ratios)", f(med(ratios), "%.2f")))
if ha:
    print("%-58s %s ms (standby held %s)" % ("install %d: nonstop with a standby" % n, ha[0][4], ha[0][5]))
b = [num(r[5]) / num(r[6]) for r in nsr if num(r[5]) and num(r[6])]
print("%-58s %s" % ("nonstop ribBytes / ribCount", f(med(b), "%.1f B")))
b = [num(r[5]) / num(r[6]) for r in frr if num(r[5]) and num(r[6])]
print("%-58s %s" % ("FRR ribMemory / ribCount (route nodes only)", f(med(b), "%.1f B")))
b = [(num(r[8]) - num(r[7])) * 1024 / n for r in frr if len(r) > 8 and num(r[7]) and num(r[8])]
print("%-58s %s" % ("FRR bgpd resident set growth / N", f(med(b), "%.1f B")))
ev = [r for r in rows if r[0] == "event"]
def pct(xs, p):
    xs = sorted(x for x in xs if x is not None)
    return xs[int((len(xs) - 1) * p)] if xs else None
nk = [r for r in ev if r[1] == "ns"]
det = [num(r[3]) for r in nk]; act = [num(r[4]) for r in nk]; ka = [num(r[5]) for r in nk]
print("%-58s p50 %s ms, max %s ms" % ("nonstop kill -9: to takeover done (%d kills)" % len(nk), f(pct(det, .5), "%.1f"), f(max([d for d in det if d is not None], default=None), "%.1f")))
print("%-58s p50 %s us, max %s us" % ("nonstop kill -9: activation", f(pct(act, .5), "%.0f"), f(max([d for d in act if d is not None], default=None), "%.0f")))
print("%-58s p50 %s ms, max %s ms" % ("nonstop kill -9: to the first KEEPALIVE on the wire", f(pct(ka, .5), "%.1f"), f(max([d for d in ka if d is not None], default=None), "%.1f")))
print("%-58s %s / %s / %s" % ("nonstop kill -9: UPDATEs / withdrawn / announced FRR got", sum(int(r[6]) for r in nk), sum(int(r[7]) for r in nk), sum(int(r[8]) for r in nk)))
print("%-58s %s / %s" % ("nonstop kill -9: UPDATEs / withdrawn FRR passed on", sum(int(r[9]) for r in nk), sum(int(r[10]) for r in nk)))
fk = [r for r in ev if r[1] == "frr"]
print("%-58s %s ms" % ("FRR GR kill -9 + restart: until it holds the %d again" % (2 * na), " ".join(r[3] for r in fk)))
print("%-58s %s ms" % ("FRR GR kill -9 + restart: to its first KEEPALIVE", " ".join(r[5] for r in fk)))
print("%-58s %s / %s / %s" % ("FRR GR kill -9: UPDATEs / withdrawn / announced, per round", " ".join(r[6] for r in fk), " ".join(r[7] for r in fk), " ".join(r[8] for r in fk)))
print("%-58s %s / %s" % ("FRR GR kill -9: UPDATEs / withdrawn passed on to nonstop", " ".join(r[9] for r in fk), " ".join(r[10] for r in fk)))
for r in rows:
    if r[1] in ("nonstop-session", "frr-session"):
        print(" ".join(r[1:]))
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "results: $OUT"
