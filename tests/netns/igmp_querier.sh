#!/usr/bin/env bash
# IGMPv3 querier against a Linux host: nonstop queries (startup
# queries a quarter of the interval apart, then the interval; TTL 1, Router
# Alert, good checksums, QRV and QQIC as configured), tracks the kernel's
# memberships — any-source and source-specific — across more than a Group
# Membership Interval (kept by the kernel's answers), ends each after the
# leave and its group(-and-source)-specific queries, and yields to a querier
# with a lower address for the Other Querier Present Interval (with that
# querier's robustness, RFC 3376 4.1.6).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init querier tcpdump tshark
topo_pair || exit 1
# robustness 2, interval 2 s, response 1 s, last member 200 ms:
# GMI 5 s, LMQT 0.4 s, Other Querier Present 4.5 s
topo_ini "querier = true" "query_interval_ms = 2000" "query_response_ms = 1000" \
	"last_member_ms = 200" >"$TOPO_TMP/ns.ini"
peer tcpdump -n -i "$VETH_PEER" -U -w "$TOPO_TMP/igmp.pcap" igmp >"$TOPO_TMP/tcpdump.log" 2>&1 &
TOPO_PIDS+=($!)
wait_for 5 grep -q "listening on" "$TOPO_TMP/tcpdump.log"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
t0=$(date +%s.%N)
q() { nsctl show mcast querier; }
peer /usr/bin/python3 "$(dirname "$0")/querier_host.py" "$PEER_IP" 7 2 >"$TOPO_TMP/host.log" 2>&1 &
hpid=$!
sleep 3
q | sed 's/^/    /'
check "the kernel's any-source join: 239.5.5.5 EXCLUDE, host $PEER_IP" \
	sh -c "'$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -E '^ +239\.5\.5\.5 +EXCLUDE .* $PEER_IP\$' >/dev/null"
check "the kernel's source-specific join: 232.1.1.1 INCLUDE {198.51.100.9}" \
	sh -c "'$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -E '^ +232\.1\.1\.1 +INCLUDE .*198\.51\.100\.9\(' >/dev/null"
sleep 3.5 # 6.5 s after the joins: more than GMI (5 s)
check "both memberships outlive the GMI: the kernel answers the queries" \
	sh -c "'$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -cE '^ +(239\.5\.5\.5|232\.1\.1\.1) ' | grep -qx 2"
sleep 1.5 # the host left 239.5.5.5 at 7 s
q | sed 's/^/    /'
check "239.5.5.5 ended after the leave (LMQT 0.4 s)" \
	sh -c "! '$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -q '239\.5\.5\.5'"
wait "$hpid"
sleep 1
check "232.1.1.1 ended after the source was blocked" \
	sh -c "! '$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -q '232\.1\.1\.1'"
# A querier with a lower address (the peer, 192.0.2.1; QRV 3, QQIC 2 s):
# nonstop yields and adopts its robustness, so the Other Querier Present
# Interval is 3 x 2 s + 1 s / 2 = 6.5 s.
peer /usr/bin/python3 -c '
import socket, struct, sys
m = struct.pack("!BBH4sBBH", 0x11, 100, 0, bytes(4), 3, 2, 0)
s = sum(struct.unpack("!6H", m)); s = (s & 0xffff) + (s >> 16)
m = m[:2] + struct.pack("!H", ~s & 0xffff) + m[4:]
k = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
k.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
k.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
k.sendto(m, ("224.0.0.1", 0))' "$PEER_IP"
t_yield=$(date +%s.%N)
sleep 0.5
q | head -1 | sed 's/^/    /'
check "a lower address's query: nonstop is no longer the querier, robustness 3 adopted" \
	sh -c "'$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -q 'not the querier: $PEER_IP is.*robustness 3,'"
sleep 6.5 # OQPI 6.5 s after that query
check "6.5 s of silence: nonstop queries again, with its own robustness 2" \
	sh -c "'$NONSTOPCTL' -s '$CTL_SOCK' show mcast querier | grep -q 'querier (us), robustness 2,'"
sleep 0.5
q | sed 's/^/    /'
topo_capture_stop
cat "$TOPO_TMP/host.log" | sed 's/^/    host: /'
# The wire: nonstop's queries and the gap while the other querier ruled.
tshark -r "$TOPO_TMP/igmp.pcap" -o ip.check_checksum:TRUE -Y "igmp.type == 0x11 && ip.src == $DP_IP" \
	-T fields -e frame.time_epoch -e ip.dst -e igmp.maddr -e igmp.num_src -e igmp.max_resp \
	-e ip.ttl -e ip.opt.ra -e ip.checksum.status -e igmp.checksum.status -e igmp.qrv \
	-e igmp.qqic -e igmp.version 2>/dev/null >"$TOPO_TMP/queries"
awk -v t0="$t0" '{printf "    query at %5.2f s to %-10s group %-10s sources %s max resp %s\n", $1 - t0, $2, $3, $4, $5}' "$TOPO_TMP/queries"
n_all=$(wc -l <"$TOPO_TMP/queries")
n_good=$(awk -F '\t' '$6 == 1 && $7 != "" && $8 == 1 && $9 == 1 && $10 == 2 && $11 == 2 && $12 == 3' "$TOPO_TMP/queries" | wc -l)
check "every query: v3, TTL 1, Router Alert, checksums good, QRV 2, QQIC 2 s ($n_good of $n_all)" \
	test "$n_all" -gt 3 -a "$n_good" = "$n_all"
gap=$(awk -v ty="$t_yield" '$3 == "0.0.0.0" && $1 > ty {print $1 - ty; exit}' "$TOPO_TMP/queries")
check "no general query from nonstop for the Other Querier Present Interval (next after ${gap:-none} s)" \
	awk -v g="${gap:-0}" 'BEGIN{exit !(g >= 6.4 && g <= 7.5)}'
startup=$(awk '$3 == "0.0.0.0"' "$TOPO_TMP/queries" | head -3 | awk 'NR > 1 {printf "%.2f ", $1 - p} {p = $1}')
check "startup queries a quarter of the interval apart, then the interval ($startup)" \
	sh -c "echo '$startup' | awk '{exit !(\$1 > 0.4 && \$1 < 0.7 && \$2 > 1.8 && \$2 < 2.3)}'"
gsq=$(awk '$3 == "239.5.5.5" && $2 == "239.5.5.5"' "$TOPO_TMP/queries" | wc -l)
gssq=$(awk '$3 == "232.1.1.1" && $4 == 1' "$TOPO_TMP/queries" | wc -l)
check "group-specific queries after the leave ($gsq) and group-and-source-specific after the block ($gssq)" \
	test "$gsq" -ge 2 -a "$gssq" -ge 2
exit $fail
