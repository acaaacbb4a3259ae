#!/usr/bin/env bash
# nonstop's built-in applications against Linux kernel peers: [client.*]
# active opens (source into a kernel sink that checks every byte, echo-check
# through a kernel echo server) and a 'source' listener read by a kernel
# client; then tshark's verdict on what nonstop sent.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
peerpy=$(dirname "$0")/pattern_peer.py
topo_init apps tcpdump tshark
topo_pair
peer() { ip netns exec "$NS_PEER" "$@"; }
fail=0

results=$TOPO_TMP/sink.results
: >"$results"
peer $py "$peerpy" serve "$PEER_IP" 5001 5002 "$results" 120 &
TOPO_PIDS+=($!)
for i in $(seq 50); do # the peer listens before nonstop's clients connect
	peer ss -ltn | grep -q ":5002 " && break
	sleep 0.1
done

topo_ini "[listener.src]" "port = 19" "app = source" "bytes = 3000000" \
	"[client.tosink]" "connect = $PEER_IP:5001" "app = source" "bytes = 5000000" "conns = 4" \
	"[client.check]" "connect = $PEER_IP:5002" "app = echo-check" "bytes = 2000000" "conns = 2" \
	"[tcp]" "time_wait_ms = 1000" >"$TOPO_TMP/ns.ini"
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1

out=$(timeout 120 ip netns exec "$NS_PEER" $py "$peerpy" fetch "$DP_IP" 19 3000000 2>&1)
if [ $? = 0 ]; then echo "ok   kernel reads 3 MB from the source listener: $out"; else
	echo "FAIL kernel read from the source listener: $out"; fail=1; fi

# Clients: all connections done, none failed, no wrong byte (bounded wait).
row() { nsctl show tcp apps | awk -v n="$1" '$1==n'; }
for i in $(seq 600); do
	a=$(row tosink) b=$(row check)
	[ -n "$a" ] && [ -n "$b" ] &&
		awk '{exit !($4+0 > 0 && $6+$7 == $4)}' <<<"$a" &&
		awk '{exit !($4+0 > 0 && $6+$7 == $4)}' <<<"$b" && break
	sleep 0.2
done
nsctl show tcp apps | sed 's/^/    /'
# columns: client connect app opened up done failed bytes-tx bytes-rx errors Mbit/s
read -r _ _ _ op up dn fl tx rx er _ <<<"$(row tosink)"
if [ "${op:-0}" = 4 ] && [ "$dn" = 4 ] && [ "$fl" = 0 ] && [ "$tx" = 20000000 ]; then
	echo "ok   client tosink: 4 connections sent 5 MB each and closed"
else
	echo "FAIL client tosink: opened=$op up=$up done=$dn failed=$fl tx=$tx"; fail=1
fi
read -r _ _ _ op up dn fl tx rx er _ <<<"$(row check)"
if [ "${op:-0}" = 2 ] && [ "$dn" = 2 ] && [ "$fl" = 0 ] && [ "$rx" = 4000000 ] && [ "$er" = 0 ]; then
	echo "ok   client check: 2 x 2 MB echoed back by the kernel, every byte checked"
else
	echo "FAIL client check: opened=$op up=$up done=$dn failed=$fl rx=$rx errors=$er"; fail=1
fi
for i in $(seq 100); do [ "$(grep -c . "$results")" -ge 4 ] && break; sleep 0.1; done
good=$(grep -c '^sink 5000000 ok$' "$results")
if [ "$good" = 4 ]; then echo "ok   kernel sink: 4 x 5000000 bytes, pattern checked"; else
	echo "FAIL kernel sink results:"; sed 's/^/    /' "$results"; fail=1; fi

topo_tcp_verdict "$TOPO_TMP/peer.pcap" 1000 || fail=1
exit $fail
