#!/usr/bin/env bash
# nonstop's TCP against the Linux kernel's, through net_af_packet:
# concurrent echo with sha256, sink, each peer option off in turn, 2% loss,
# and tshark's verdict on every frame nonstop sent.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
client=$(dirname "$0")/tcp_client.py
topo_init tcp
topo_pair
topo_ini "[listener.echo]" "port = 7" "app = echo" "[listener.sink]" "port = 9" "app = sink" \
	"[tcp]" "time_wait_ms = 1000" >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
fail=0
run() { # name command...
	local name=$1 out
	shift
	out=$(timeout 300 "$@" 2>&1)
	if [ $? = 0 ]; then echo "ok   $name: $out"; else echo "FAIL $name: $out"; fail=1; fi
}
peer() { ip netns exec "$NS_PEER" "$@"; }

run "100 concurrent echo connections, 10 MB each way" ip netns exec "$NS_PEER" $py "$client" echo "$DP_IP" 7 100 10000000
run "sink 4 MB" ip netns exec "$NS_PEER" $py "$client" send "$DP_IP" 9 4000000
bytes=$(nsctl show tcp stats | awk '$1=="tcp.data_bytes_in"{print $2}')
[ "${bytes:-0}" -ge 1004000000 ] && echo "ok   tcp.data_bytes_in = $bytes" ||
	{ echo "FAIL tcp.data_bytes_in = ${bytes:-0} < 1004000000"; fail=1; }

for opt in tcp_sack tcp_timestamps tcp_window_scaling; do
	peer sysctl -qw net.ipv4.$opt=0
	run "echo 2 MB with the peer's $opt=0" ip netns exec "$NS_PEER" $py "$client" echo "$DP_IP" 7 1 2000000
	peer sysctl -qw net.ipv4.$opt=1
done

topo_loss 2
run "echo 1 MB with 2% loss both ways" ip netns exec "$NS_PEER" $py "$client" echo "$DP_IP" 7 1 1000000
peer nft delete table inet nonstop_loss

sleep 2 # our passive closes finish; no TIME-WAIT on this side
left=$(nsctl show tcp conns | tail -1)
[ "$left" = "0 connections (sequence numbers relative to ISN/IRS)" ] && echo "ok   no connection left" ||
	{ echo "FAIL connections left: $(nsctl show tcp conns)"; fail=1; }

topo_tcp_verdict "$TOPO_TMP/peer.pcap" 1000 || fail=1

# The full-scale variants: 100 connections x 10 MB each way with each peer
# option off, then with 2 % loss, so that every option fallback and loss
# recovery is exercised at volume, not just on one small transfer.  They run
# after the capture: each moves 2 GB, and a capture of all of them would be
# gigabytes of pcap for tshark.
for opt in tcp_sack tcp_timestamps tcp_window_scaling; do
	peer sysctl -qw net.ipv4.$opt=0
	run "100 x 10 MB echo with the peer's $opt=0" ip netns exec "$NS_PEER" $py "$client" echo "$DP_IP" 7 100 10000000
	peer sysctl -qw net.ipv4.$opt=1
done
rst=$(nsctl show tcp stats | awk '$1=="tcp.rst_out"{print $2}')
[ -z "$rst" ] && echo "ok   no RST in the full-scale runs without loss" || { echo "FAIL nonstop sent $rst RSTs"; fail=1; }
topo_loss 2
run "100 x 10 MB echo with 2% loss both ways" ip netns exec "$NS_PEER" $py "$client" echo "$DP_IP" 7 100 10000000
peer nft delete table inet nonstop_loss
# Under loss a duplicate of a peer's last ACK can arrive after its connection
# is gone here; RFC 9293 3.10.7.1 answers it with a RST.  Every RST must be
# such an answer (tcp.no_conn), never a connection nonstop resets itself.
rst=$(nsctl show tcp stats | awk '$1=="tcp.rst_out"{print $2}')
noconn=$(nsctl show tcp stats | awk '$1=="tcp.no_conn"{print $2}')
[ "${rst:-0}" -le "${noconn:-0}" ] && echo "ok   RSTs with loss: ${rst:-0}, all answers to segments for closed connections (${noconn:-0})" ||
	{ echo "FAIL nonstop sent ${rst:-0} RSTs, only ${noconn:-0} for closed connections"; fail=1; }
nsctl show tcp stats | sed 's/^/    /'
exit $fail
