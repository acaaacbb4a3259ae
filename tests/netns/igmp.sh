#!/usr/bin/env bash
# IGMPv3 membership service against the Linux kernel: the same
# scripted sequence of application joins, leaves and source filters
# (igmp_peer.py) run by nonstop's console and by Linux sockets on a host of
# its own gives the same sequence of IGMP records (report type, record
# types, groups, sources, in order; the robustness retransmission of each
# counted once).  nonstop's reports: TTL 1, Router Alert, to 224.0.0.22,
# checksums good (tshark).  A general query is answered with the current
# state; an IGMPv2 querier switches it to v2 messages.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init igmp tcpdump tshark
STEP=${IGMP_STEP:-1.5}
topo_pair || exit 1
# The kernel host: its own namespace and veth, captured on the peer side.
NS_K=ns-k-$TOPO_TAG
VK=vk${VETH_DP#vd} VQ=vq${VETH_DP#vd}
topo_ns_add "$NS_K" || exit 1
topo_do ip -n "$NS_K" link add "$VK" type veth peer name "$VQ" netns "$NS_PEER" || exit 1
topo_do ip -n "$NS_K" addr add 203.0.113.2/24 dev "$VK" || exit 1
topo_do ip -n "$NS_K" link set "$VK" up || exit 1
topo_do ip -n "$NS_PEER" link set "$VQ" up || exit 1
topo_ini "igmp = true" >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
ip netns exec "$NS_PEER" tcpdump -n -i "$VQ" -U -w "$TOPO_TMP/kernel.pcap" igmp \
	>"$TOPO_TMP/tcpdump.k.log" 2>&1 &
TOPO_PIDS+=($!)
ip netns exec "$NS_PEER" tcpdump -n -i "$VETH_PEER" -U -w "$TOPO_TMP/nonstop.pcap" igmp \
	>"$TOPO_TMP/tcpdump.n.log" 2>&1 &
TOPO_PIDS+=($!)
wait_for 5 grep -q "listening on" "$TOPO_TMP/tcpdump.k.log"
wait_for 5 grep -q "listening on" "$TOPO_TMP/tcpdump.n.log"
PEERPY=$(dirname "$0")/igmp_peer.py
ip netns exec "$NS_K" /usr/bin/python3 "$PEERPY" kernel 203.0.113.2 "$STEP" &
kpid=$!
/usr/bin/python3 "$PEERPY" nonstop "$NONSTOPCTL" "$CTL_SOCK" p0 "$STEP" &
npid=$!
wait "$kpid"
krc=$?
wait "$npid"
nrc=$?
check "the kernel ran the sequence" test "$krc" = 0
check "nonstop's console ran the sequence" test "$nrc" = 0
sleep 1.2 # the last retransmissions

# One line per report: type, then per record "type group [sources]"; a
# retransmission (the same line again) counted once.
# Sources are a set (RFC 3376 4.2.12): sorted before comparing.
records() {
	tshark -r "$1" -Y "igmp.type == 0x22" -T fields -e igmp.record_type -e igmp.maddr \
		-e igmp.saddr 2>/dev/null |
		awk -F '\t' '{n = split($3, s, ","); for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j - 1] > s[j]; j--) {t = s[j]; s[j] = s[j - 1]; s[j - 1] = t}
			o = ""; for (i = 1; i <= n; i++) o = o (i > 1 ? "," : "") s[i]; print $1 "\t" $2 "\t" o}' | uniq
}
records "$TOPO_TMP/kernel.pcap" >"$TOPO_TMP/kernel.rec"
records "$TOPO_TMP/nonstop.pcap" >"$TOPO_TMP/nonstop.rec"
sed 's/^/    kernel:  /' "$TOPO_TMP/kernel.rec"
sed 's/^/    nonstop: /' "$TOPO_TMP/nonstop.rec"
check "the same IGMPv3 record sequence as the Linux kernel ($(wc -l <"$TOPO_TMP/nonstop.rec") reports)" \
	sh -c "test -s '$TOPO_TMP/kernel.rec' && cmp -s '$TOPO_TMP/kernel.rec' '$TOPO_TMP/nonstop.rec'"
n_all=$(tshark -r "$TOPO_TMP/nonstop.pcap" -Y igmp 2>/dev/null | wc -l)
n_good=$(tshark -r "$TOPO_TMP/nonstop.pcap" -o ip.check_checksum:TRUE \
	-Y 'igmp && ip.ttl == 1 && ip.dst == 224.0.0.22 && ip.opt.ra && ip.checksum.status == 1 && igmp.checksum.status == 1' \
	2>/dev/null | wc -l)
check "every report: TTL 1, Router Alert, to 224.0.0.22, checksums good ($n_good of $n_all)" \
	test "$n_all" -gt 0 -a "$n_good" = "$n_all"
# Queries from a router on the peer's side: a v3 general query (max
# response 1 s) is answered with the current state; after a v2 query the
# host speaks IGMPv2 (a leave to 224.0.0.2).
query() { # VERSION: 3 (12 bytes) or 2 (8 bytes)
	peer /usr/bin/python3 -c '
import socket, struct, sys
v3 = sys.argv[2] == "3"
m = struct.pack("!BBH4s", 0x11, 10 if v3 else 100, 0, bytes(4)) + (struct.pack("!BBH", 2, 125, 0) if v3 else b"")
s = sum(struct.unpack("!%dH" % (len(m) // 2), m))
s = (s & 0xffff) + (s >> 16)
m = m[:2] + struct.pack("!H", ~s & 0xffff) + m[4:]
k = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IGMP)
k.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(sys.argv[1]))
k.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
k.sendto(m, ("224.0.0.1", 0))' "$PEER_IP" "$1"
}
nsctl mcast join p0 239.9.9.9 >/dev/null
sleep 1.2
query 3
sleep 1.3
nsctl mcast leave p0 239.9.9.9 >/dev/null # still v3: TO_IN
sleep 1.2
nsctl mcast join p0 239.9.9.9 >/dev/null
sleep 1.2
query 2
sleep 0.3
nsctl mcast leave p0 239.9.9.9 >/dev/null
sleep 0.5
nsctl show mcast groups | sed 's/^/    /'
is_ex=$(tshark -r "$TOPO_TMP/nonstop.pcap" -Y 'igmp.type == 0x22 && igmp.record_type == 2 && igmp.maddr == 239.9.9.9' 2>/dev/null | wc -l)
check "a general query answered with the current state (IS_EX 239.9.9.9: $is_ex)" test "$is_ex" -ge 1
v2leave=$(tshark -r "$TOPO_TMP/nonstop.pcap" -Y 'igmp.type == 0x17 && igmp.maddr == 239.9.9.9 && ip.dst == 224.0.0.2' 2>/dev/null | wc -l)
check "after a v2 query, the leave is IGMPv2's ($v2leave)" test "$v2leave" = 1
exit $fail
