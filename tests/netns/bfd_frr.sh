#!/usr/bin/env bash
# nonstop's BFD against FRR 8.4 bfdd (single hop, 50 ms x 3) in namespaces:
# Up within 5 s with the timers both sides expect; no flap for 60 s; a timer
# change at run time completes a Poll/Final exchange; killing nonstop makes
# FRR declare the session down within its detection time + 20 ms; a restart
# brings it Up again; tshark checks every BFD packet nonstop sent (TTL 255,
# source port 49152-65535, version 1, length 24, intervals in microseconds,
# jitter 75-100 %).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init bfd tcpdump tshark vtysh
[ -x /usr/lib/frr/bfdd ] || { echo "FAIL: /usr/lib/frr/bfdd missing (scripts/deps.sh installs frr)"; exit 1; }
topo_pair

# FRR runs as its own user (root is not in its vty group): its directory
# must be reachable through ours.
F=$TOPO_TMP/frr
mkdir -p "$F" && chmod 777 "$F" && chmod o+x "$TOPO_TMP"
cat >"$F/bfdd.conf" <<CONF
log file $F/bfdd.log
log timestamp precision 6
debug bfd peer
bfd
 peer $DP_IP local-address $PEER_IP
  receive-interval 50
  transmit-interval 50
  detect-multiplier 3
 !
!
CONF
touch "$F/zebra.conf"
frr_pids() { cat "$F/zebra.pid" "$F/bfdd.pid" 2>/dev/null; }
stop_frr() { local p; for p in $(frr_pids); do kill "$p" 2>/dev/null; done; }
trap 'stop_frr; topo_cleanup' EXIT
peer /usr/lib/frr/zebra -d -u frr -g frr -f "$F/zebra.conf" -i "$F/zebra.pid" -z "$F/zserv.api" \
	--vty_socket "$F" >"$F/zebra.out" 2>&1 || { echo "FAIL: zebra"; cat "$F/zebra.out"; exit 1; }
peer /usr/lib/frr/bfdd -d -u frr -g frr -f "$F/bfdd.conf" -i "$F/bfdd.pid" -z "$F/zserv.api" \
	--vty_socket "$F" --bfdctl "$F/bfdd.sock" >"$F/bfdd.out" 2>&1 || { echo "FAIL: bfdd"; cat "$F/bfdd.out"; exit 1; }
frr_json() { peer vtysh --vty_socket "$F" -c 'show bfd peers json' 2>/dev/null; }
frr_field() { # field: of the session with nonstop
	frr_json | /usr/bin/python3 -c 'import json,sys
p=[x for x in json.load(sys.stdin) if x.get("peer")==sys.argv[1]]
print(p[0].get(sys.argv[2], "") if p else "")' "$DP_IP" "$1"
}
ns_state() { nsctl show bfd sessions | awk '$1=="frr"{print $5}'; }
wait_up() { # seconds: both sides Up
	local i
	for ((i = 0; i < $1 * 10; i++)); do
		[ "$(ns_state)" = Up ] && [ "$(frr_field status)" = up ] && return 0
		sleep 0.1
	done
	return 1
}

# The engine on a fast-path lcore of its own (lcore 0, with the control path);
# worker 1 polls both af_packet queues and hands BFD packets over.
export TOPO_LCORES=0-1 TOPO_VDEV_ARGS=",qpairs=2"
topo_ini "rxq = 2" "[lcores]" "workers = 1" "fastpath = 0" "[bfd.frr]" "peer = $PEER_IP" \
	"tx_interval_ms = 50" "rx_interval_ms = 50" "multiplier = 3" >"$TOPO_TMP/ns.ini"
topo_capture "$TOPO_TMP/bfd.pcap" || exit 1
t0=$(date +%s.%N)
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
check "session Up on both sides within 5 s" wait_up 5
t_up=$(date +%s.%N)
echo "     up after $(awk -v a="$t0" -v b="$t_up" 'BEGIN{printf "%.2f", b - a}') s"
check "the engine runs on the fast-path lcore 0" \
	test "$(nsctl show lcores | awk '$1 == 0 && /fastpath/ && / bfd/' | wc -l)" = 1
sleep 1
check "worker 1 handed BFD packets to the fast-path lcore" \
	test "$(nsctl show counters all | awk '$1 == "dp.bfd_handoff" {print ($2 > 10)}')" = 1
# (Waited for: under a CPU hog a flap right after Up puts both sides back on
# the 1 s timers of a session that is not Up for a while.)
frr_timers() { test "$(frr_field remote-receive-interval)/$(frr_field remote-transmit-interval)/$(frr_field remote-detect-multiplier)" = "50/50/3"; }
ns_timers() { test "$(nsctl show bfd sessions | awk '$1=="frr"{print $8"/"$9}')" = "50.0/150.0"; }
check "FRR sees nonstop's timers: rx 50, tx 50, multiplier 3" wait_for 10 frr_timers
check "nonstop negotiated tx 50 ms, detection 150 ms" wait_for 10 ns_timers

sleep 60 # stability
# A flap is a gap longer than the detection time (150 ms) in one side's
# packets: a scheduling matter on a loaded 2-CPU machine (both daemons share
# the cores with the load), asserted on a quiet one (check_timing).
check_timing "no flap over 60 s (FRR: one state change to up)" \
	test "$(grep -c 'state-change.*-> up' "$F/bfdd.log")" = 1
check_timing "no flap over 60 s (nonstop: 0 downs)" test "$(nsctl show bfd stats all | awk '$1=="bfd.state_down"{print $2}')" = 0
t_change=$(date +%s.%N)

polls=$(nsctl show bfd stats all | awk '$1=="bfd.poll_done"{print $2}')
nsctl set bfd session frr 100 100 3 >/dev/null
sleep 2
check "timer change: a Poll/Final exchange completed" \
	test "$(nsctl show bfd stats all | awk '$1=="bfd.poll_done"{print $2}')" = $((polls + 1))
check "timer change: FRR sees tx 100, rx 100" \
	test "$(frr_field remote-transmit-interval)/$(frr_field remote-receive-interval)" = "100/100"
check_timing "timer change: no flap" test "$(frr_field status)" = up

# Kill nonstop: FRR's detection time is 3 x max(its 50 ms RX, our 100 ms TX) = 300 ms.
kill -KILL "$NONSTOP_PID"
wait "$NONSTOP_PID" 2>/dev/null
NONSTOP_PID=
sleep 1
topo_capture_stop
last=$(tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd" -T fields -e frame.time_epoch 2>/dev/null | tail -1)
down_line=$(grep 'state-change.*up -> down' "$F/bfdd.log" | tail -1)
# FRR's log time "2026/11/23 00:18:37.384250" (local time) as epoch seconds
down=$(awk '{d = $1; gsub("/", "-", d); split($2, t, ":"); cmd = "date -d \"" d " " t[1] ":" t[2] ":00\" +%s"
	cmd | getline base; close(cmd); printf "%.6f\n", base + t[3]}' <<<"$down_line")
delta=$(awk -v a="$last" -v b="$down" 'BEGIN{printf "%.1f", (b - a) * 1000}')
check_timing "FRR declares down $delta ms after nonstop's last packet (detection 300 ms, allowed <= 320)" \
	awk -v d="$delta" 'BEGIN{exit !(d > 0 && d <= 320)}'

topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
check "restarted nonstop: Up again within 5 s" wait_up 5

# Every BFD packet nonstop sent, as tshark decodes it.
bad=$(tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd" -T fields -e ip.ttl \
	-e udp.srcport -e bfd.version -e bfd.message_length 2>/dev/null |
	awk '$1 != 255 || $2 < 49152 || $2 > 65535 || $3 != 1 || $4 != 24' | wc -l)
n=$(tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd" 2>/dev/null | wc -l)
check "tshark: $n BFD packets from nonstop, all TTL 255, port 49152-65535, version 1, length 24" \
	test "$bad" = 0 -a "$n" -gt 1000
check "tshark: desired TX in microseconds (50000 while Up at 50 ms)" \
	test "$(tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd.sta == 3" -T fields -e bfd.desired_min_tx_interval 2>/dev/null | sort | uniq -c | sort -rn | awk 'NR==1{print $2}')" = 50000
errors=$(topo_expert_errors "$TOPO_TMP/bfd.pcap")
check "tshark: no expert error in nonstop's frames" test -z "$errors"
# Jitter (RFC 5880 6.8.7): periodic packets (no P/F) 75-100 % of 50 ms apart, in
# the stable minute (1 ms allowance for the adaptive idle wake-up).
tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd.sta == 3 && bfd.flags.p == 0 && bfd.flags.f == 0" \
	-T fields -e frame.time_epoch 2>/dev/null |
	awk -v s="$t_up" -v e="$t_change" '$1 > s + 1 && $1 < e' >"$TOPO_TMP/periodic.txt"
read -r gaps lo hi out <<<"$(awk 'NR > 1 {g = ($1 - p) * 1000; n++; if (!mn || g < mn) mn = g; if (g > mx) mx = g;
	if (g < 37.5 - 1 || g > 50 + 1) o++} {p = $1} END {printf "%d %.2f %.2f %d\n", n, mn, mx, o + 0}' "$TOPO_TMP/periodic.txt")"
check "jitter: $gaps periodic gaps within [$lo, $hi] ms; outside 37.5-50 ms (+-1): $out" \
	awk -v n="$gaps" -v o="$out" 'BEGIN{exit !(n > 1000 && o <= n / 100)}'
nsctl show bfd stats | sed 's/^/    /'
exit $fail
