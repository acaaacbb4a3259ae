#!/usr/bin/env bash
# TCB replication between two nonstop processes: the active serves
# a Linux kernel peer on net_af_packet and replicates to a standby over
# net_memif (its own EtherType, HMAC-SHA256).  50 kernel connections stream
# both ways through 'echo'; once the peer has every echo back (quiescence),
# each connection's 'show tcp conns detail' on the standby is the active's,
# the backup application's digests included; the standby is ready for all
# 50 (show repl sessions); frames arrived authentic, no session flag; the
# peer saw no RST; after the peer closes, both instances forget them all.
# The standby is killed and restarted while the peer streams: it joins again
# and bulk-syncs the live connections, and the comparison holds afterwards.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init repl tcpdump tshark
topo_pair
CONNS=${REPL_CONNS:-50}

key=0x00112233445566778899aabbccddeeff0123456789abcdef
common() { # role, service dev, memif role
	cat <<INI
[global]
idle = adaptive
[port.p0]
dev = $2
ip = $DP_IP/24
mac = $DP_MAC
[port.r0]
dev = net_memif0
role = replication
ip = 203.0.113.${4}/24
mac = 02:00:00:00:01:0${4}
[tcp]
max_conns = 256
[listener.echo]
port = 7
app = echo
[repl]
role = $1
port = r0
key = $key
; The standby's service port is a ring to nowhere: it could not answer the
; peer, so it never takes over (a scheduling gap of the active on a loaded
; host would otherwise end every connection).
failover_ms = 0
INI
}
common active net_af_packet0 server 1 >"$TOPO_TMP/active.ini"
common standby net_ring0 client 2 >"$TOPO_TMP/standby.ini"
memif=$TOPO_TMP/memif.sock
# The memif server (the active) first: a client port does not start without it.
topo_instance_start active "$TOPO_TMP/active.ini" \
	"net_af_packet0,iface=$VETH_DP,framecnt=4096" \
	"net_memif0,role=server,socket=$memif,socket-abstract=no" || exit 1
topo_instance_start standby "$TOPO_TMP/standby.ini" net_ring0 \
	"net_memif0,role=client,socket=$memif,socket-abstract=no" || exit 1
in_sync() { ictl active show ha | grep -q "1 of 1 channels in sync"; }
check "the standby joins and syncs within 10 s" wait_for 10 in_sync

topo_capture "$TOPO_TMP/peer.pcap" || exit 1
quiet=$TOPO_TMP/quiet release=$TOPO_TMP/release
peer /usr/bin/python3 "$(dirname "$0")/stream_peer.py" "$DP_IP" 7 "$CONNS" "${REPL_SECONDS:-5}" \
	"${REPL_KBPS:-200}" "$quiet" "$release" >"$TOPO_TMP/peer.out" 2>&1 &
ppid=$!
# A standby that dies and comes back while traffic flows joins again: a new
# session and a bulk sync of the live connections, then replication goes on.
sleep 1.5
topo_instance_stop standby KILL
sleep 0.5
topo_instance_start standby "$TOPO_TMP/standby.ini" net_ring0 \
	"net_memif0,role=client,socket=$memif,socket-abstract=no" || exit 1
check "the restarted standby joins again and bulk-syncs while the peer streams" \
	wait_for 10 in_sync
retrans0=$(ictl active show repl stats all | awk '$1 == "repl.tx_retransmits" {print $2}')
frames0=$(ictl active show repl stats all | awk '$1 == "repl.tx_frames" {print $2}')
check "the peer streams and gets every echo back (quiescence) within 60 s" wait_for 60 test -s "$quiet"
# Replication's latency bound: the standby holds what the active holds within
# 10 ms of quiescence, so the comparison below is made 10 ms after it, no later.
sleep 0.01
detail() { # instance: one line per connection, sorted
	ictl "$1" show tcp conns detail | awk '/^[0-9]/ {if (l) print l; l = $0; next}
		/^    / {l = l " |" $0} END {if (l) print l}' | grep -v connections | sort
}
detail active >"$TOPO_TMP/active.conns"
detail standby >"$TOPO_TMP/standby.conns"
n=$(wc -l <"$TOPO_TMP/active.conns")
check "the active has the $CONNS connections ($n)" test "$n" = "$CONNS"
check "the standby's 'show tcp conns detail' equals the active's, line for line" \
	cmp -s "$TOPO_TMP/active.conns" "$TOPO_TMP/standby.conns"
if ! cmp -s "$TOPO_TMP/active.conns" "$TOPO_TMP/standby.conns"; then
	diff "$TOPO_TMP/active.conns" "$TOPO_TMP/standby.conns" | head -6 | sed 's/^/    /'
fi
check "echo digests: $CONNS on each side, the same" \
	test "$(grep -o 'echo digest crc32c [0-9a-f]*' "$TOPO_TMP/standby.conns" | wc -l)" = "$CONNS"
ready=$(ictl standby show repl sessions | awk '$5 == "yes"' | wc -l)
check "the standby is ready for all $CONNS sessions ($ready)" test "$ready" = "$CONNS"
stat() { ictl "$1" show repl stats all | awk -v k="repl.$2" '$1 == k {print $2}'; }
check "no forged or garbled frame, no bad event, no session flag" \
	test "$(stat standby rx_bad_mac)$(stat standby ev_bad)$(stat active rx_bad_mac)" = 000
check "segments were held for the standby ($(stat active hold_push))" \
	test "$(stat active hold_push)" -gt "$((CONNS * 10))"
# On a lossless link only timeouts of a starved standby retransmit (both
# instances, the peer and the kernel share two cores here): 2 % of the
# frames, and one timeout whatever their number (after a quiet rejoin they
# can be a few dozen, where 2 % would allow none).
re=$(($(stat active tx_retransmits) - retrans0)) fr=$(($(stat active tx_frames) - frames0))
check "frames retransmitted since the rejoin: $re of $fr (at most 2 %, plus one)" \
	test $((re * 50)) -le $((fr + 50))
touch "$release"
wait "$ppid"
prc=$?
check "the peer: every connection echoed every byte ($(tail -1 "$TOPO_TMP/peer.out"))" test "$prc" = 0
gone() { [ "$(ictl "$1" show tcp conns | tail -1)" = "0 connections (sequence numbers relative to ISN/IRS)" ]; }
check "after the peer closed: no connection left on the active" wait_for 5 gone active
check "after the peer closed: no shadow left on the standby" wait_for 5 gone standby
topo_capture_stop
rst=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "tcp.flags.reset == 1" 2>/dev/null | wc -l)
check "no RST on the wire" test "$rst" = 0
ictl active show repl status | sed 's/^/    /'
ictl standby show repl stats | sed 's/^/    /'
ictl active show counters | grep -i "drop\|full" | sed 's/^/    active: /'
ictl standby show counters | grep -i "drop\|full" | sed 's/^/    standby: /'
exit $fail
