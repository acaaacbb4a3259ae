#!/usr/bin/env bash
# nonstop's TCP against the Linux kernel's on a lossy path: nftables drops 3 %
# of the TCP frames a bridge forwards, both directions.  nonstop sends to a
# kernel reader (its 'source' listener; every byte checked), and sends to a
# kernel echo server and checks every byte that comes back ([client]
# echo-check): both directions, with the peer's SACK on and off.  Every byte
# right, no RST from nonstop, and no frame above the 1500-byte MTU in a
# capture of everything nonstop sent and received.  Correctness only: the
# timings are scripts/bench/tcp_loss_matrix.sh's.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
lossy=$(dirname "$0")/../../scripts/bench/loss_peer.py
patpeer=$(dirname "$0")/pattern_peer.py
topo_init loss tcpdump tshark nft
topo_bridged || exit 1
fail=0
peer() { ip netns exec "$NS_PEER" "$@"; }

results=$TOPO_TMP/echo.results
: >"$results"
peer $py "$patpeer" serve "$PEER_IP" 5001 5002 "$results" 240 &
TOPO_PIDS+=($!)
for i in $(seq 50); do # the echo server listens before nonstop's clients connect
	peer ss -ltn | grep -q ":5002 " && break
	sleep 0.1
done

# The echo-check clients start with nonstop: the loss is on before it starts.
topo_bridge_loss 3 || exit 1
topo_ini "[tcp]" "time_wait_ms = 5000" \
	"[listener.src]" "port = 19" "app = source" "bytes = 3000000" \
	"[client.check]" "connect = $PEER_IP:5002" "app = echo-check" "bytes = 2000000" "conns = 2" \
	>"$TOPO_TMP/ns.ini"
topo_bridge_capture "$TOPO_TMP/bridge.pcap" 128 || exit 1
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1

for sack in 1 0; do
	peer sysctl -qw net.ipv4.tcp_sack=$sack
	out=$(timeout 300 ip netns exec "$NS_PEER" $py "$lossy" fetch "$DP_IP" 19 3000000 2>&1)
	if [ $? = 0 ]; then echo "ok   kernel reads 3 MB from nonstop at 3 % loss, peer SACK $sack: $out"; else
		echo "FAIL kernel read from nonstop at 3 % loss, peer SACK $sack: $out"; fail=1; fi
done
peer sysctl -qw net.ipv4.tcp_sack=1

# echo-check: 2 x 2 MB out and back, every byte compared by nonstop (bounded wait)
row() { nsctl show tcp apps | awk -v n="$1" '$1==n'; }
for i in $(seq 1200); do
	r=$(row check)
	[ -n "$r" ] && awk '{exit !($4+0 > 0 && $6+$7 == $4)}' <<<"$r" && break
	sleep 0.2
done
# columns: client connect app opened up done failed bytes-tx bytes-rx errors Mbit/s
read -r _ _ _ op up dn fl tx rx er _ <<<"$(row check)"
if [ "${op:-0}" = 2 ] && [ "$dn" = 2 ] && [ "$fl" = 0 ] && [ "$rx" = 4000000 ] && [ "$er" = 0 ]; then
	echo "ok   echo-check at 3 % loss: 2 x 2 MB out and back, every byte right"
else
	echo "FAIL echo-check: opened=$op up=$up done=$dn failed=$fl rx=$rx errors=$er"; fail=1
fi

topo_bridge_loss 0
sleep 1
stats=$(nsctl show tcp stats)
ctr() { awk -v n="tcp.$1" '$1==n{print $2}' <<<"$stats"; }
rst=$(ctr rst_out)
[ -z "$rst" ] && echo "ok   nonstop sent no RST" || { echo "FAIL nonstop sent $rst RSTs"; fail=1; }
rexmit=$(ctr retransmits)
[ "${rexmit:-0}" -gt 0 ] && echo "ok   losses repaired: $rexmit retransmissions, $(ctr rack_lost) found by RACK, $(ctr tlp_probes) probes, $(ctr rto_expired) RTOs" ||
	{ echo "FAIL no retransmission: was there loss?"; fail=1; }
topo_capture_stop
frames=$(tshark -r "$TOPO_TMP/bridge.pcap" 2>/dev/null | wc -l)
big=$(tshark -r "$TOPO_TMP/bridge.pcap" -Y "ip.len > 1500" 2>/dev/null | wc -l)
if [ "$frames" -gt 5000 ] && [ "$big" = 0 ]; then
	echo "ok   no frame above the MTU in $frames frames captured"
else
	echo "FAIL $big frames above the MTU in $frames frames captured"; fail=1
fi
errors=$(topo_expert_errors "$TOPO_TMP/bridge.pcap")
[ -z "$errors" ] && echo "ok   tshark: no expert error in the frames nonstop sent" ||
	{ echo "FAIL tshark: $errors"; fail=1; }
sed 's/^/    /' <<<"$stats" | grep -E "retransmits|rack_|tlp_|rto_expired|sack_|dsack|ooo_|rcv_wnd"
exit $fail
