#!/usr/bin/env bash
# A Linux host pings nonstop (and nonstop pings it back) through net_af_packet.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init ping
topo_pair
topo_ini >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

out=$(ip netns exec "$NS_PEER" ping -c 200 -i 0.01 -W 1 "$DP_IP" 2>&1)
loss=$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")
check "kernel ping -c 200 -i 0.01: ${loss:-?}% loss ($(tail -1 <<<"$out"))" '[ "$loss" = 0 ]'

out=$(ip netns exec "$NS_PEER" arping -c 3 -w 5 -I "$VETH_PEER" "$DP_IP" 2>&1)
check "arping sees the configured MAC $DP_MAC" 'grep -qi "$DP_MAC" <<<"$out"'

replies=$(nsctl show counters | awk '$1=="net.icmp_echo_reply_tx"{print $2}')
check "nonstop counted ${replies:-0} echo replies (>= 200)" '[ "${replies:-0}" -ge 200 ]'
check "show arp lists the kernel host" 'nsctl show arp | grep -q "^$PEER_IP "'

# nonstop's own ping: ARP resolution of our transmissions, replies matched.
ip netns exec "$NS_PEER" ip neigh flush dev "$VETH_PEER"
nsctl ping "$PEER_IP" count 20 interval 10 >/dev/null
sleep 1
res=$(nsctl show ping)
check "nonstop pings the kernel host: $(head -1 <<<"$res")" 'grep -q "20/20 sent, 20 received" <<<"$res"'

topo_capture_stop
errors=$(topo_expert_errors "$TOPO_TMP/peer.pcap")
frames=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "eth.src == $DP_MAC" 2>/dev/null | wc -l)
check "tshark: no expert error in $frames frames nonstop sent (>= 220)" '[ -z "$errors" ] && [ "$frames" -ge 220 ]'
[ -n "$errors" ] && echo "$errors"
exit $fail
