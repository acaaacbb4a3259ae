#!/usr/bin/env bash
# Planned switchover: the failover topology (two instances sharing
# the service address on the peer's bridge, replication over their own veth
# pair); a Linux kernel peer streams CONNS connections both ways through
# 'echo' while 'ha switchover' moves the connections from one instance to the
# other and back, SWITCHOVERS times (default 20).  Each time the active
# freezes, drains to its standby, hands over and becomes the standby; the
# other takes over and bulk-syncs it before the next one.  Checks: every
# byte echoed unchanged (sha256), no RST on the wire, the pause (freeze on
# the old active to the end of the takeover on the new one, both on this
# host's clock) p99 <= 5 ms (asserted on a quiet machine only); the stall each
# connection saw on the wire is reported.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init sw tcpdump tshark
N=${SWITCHOVERS:-20}
CONNS=${SWITCHOVER_CONNS:-50}

topo_ha_pair || exit 1
topo_ha_start a active || exit 1
topo_ha_start b standby || exit 1
check "the standby joins and syncs" wait_for 10 topo_ha_in_sync a
topo_capture "$TOPO_TMP/peer.pcap" || exit 1

quiet=$TOPO_TMP/quiet release=$TOPO_TMP/release stop=$TOPO_TMP/stop
# The stream runs until the switchovers are done (at most 300 s).
peer /usr/bin/python3 "$(dirname "$0")/stream_peer.py" "$DP_IP" 7 "$CONNS" 300 100 \
	"$quiet" "$release" "$stop" >"$TOPO_TMP/peer.out" 2>&1 &
ppid=$!
sleep 1
# wall_of NAME WHAT: the last "WHAT at wall N ns" figure of an instance's show ha
wall_of() { ictl "$1" show ha | sed -n "s/.*$2 at wall \([0-9]*\) ns.*/\1/p" | tail -1; }
done=0
for i in $(seq 1 "$N"); do
	# Which one is the active now: on a loaded machine a scheduling gap longer
	# than failover_ms is a takeover of its own (counted at the end).
	topo_ha_roles
	wait_for 10 topo_ha_in_sync "$act" || { echo "    switchover $i: the pair is not in sync"; break; }
	echo "$i $(date +%s.%N)" >>"$TOPO_TMP/events"
	ictl "$act" ha switchover >/dev/null
	wait_for 5 topo_ha_is_active "$sby" || { echo "    switchover $i: $sby did not take over"; break; }
	wait_for 10 topo_ha_in_sync "$sby" || { echo "    switchover $i: $act did not sync as the standby"; break; }
	frozen=$(wall_of "$act" frozen) took=$(wall_of "$sby" "takeover done")
	echo "$i $(((took - frozen) / 1000))" >>"$TOPO_TMP/pauses"
	# Its hops: the old active's drain, the hand-over's way to the
	# successor, the successor's wait for its next poll, the activation.
	heard=$(wall_of "$sby" "heard")
	drain=$(ictl "$act" show ha | sed -n 's/.*drained in \([0-9.]*\) us.*/\1/p' | tail -1)
	actv=$(ictl "$sby" show ha | sed -n 's/.*connections activated in \([0-9.]*\) us.*/\1/p' | tail -1)
	[ -n "$heard" ] && [ -n "$drain" ] && [ -n "$actv" ] &&
		awk -v f="$frozen" -v d="$drain" -v h="$heard" -v t="$took" -v a="$actv" 'BEGIN {
			printf "%d %d %d %d\n", d, (h - f) / 1000 - d, (t - h) / 1000 - a, a}' \
			>>"$TOPO_TMP/hops"
	done=$i
	t=$act act=$sby sby=$t
	sleep 0.2
done
touch "$stop"
check "$done of $N switchovers under load, each followed by a resync" test "$done" = "$N"
check "the peer gets every echo back" wait_for 90 test -s "$quiet"
touch "$release"
wait "$ppid"
prc=$?
check "every connection echoed every byte, unchanged ($(tail -1 "$TOPO_TMP/peer.out"))" test "$prc" = 0
topo_capture_stop
sort -k2 -n "$TOPO_TMP/pauses" | awk '{v[NR] = $2} END {if (NR) printf "    pause (freeze to takeover done) over %d switchovers: p50 %d us, p99 %d us, max %d us\n",
	NR, v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR]}'
if [ -s "$TOPO_TMP/hops" ]; then
	for c in 1:drain 2:hand-over 3:wait 4:activation; do
		sort -k"${c%%:*}" -n "$TOPO_TMP/hops" | awk -v c="${c%%:*}" -v w="${c#*:}" '{v[NR] = $c}
			END {printf "    pause hop %-10s p50 %5d us, p99 %5d us, max %5d us\n", w,
				v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR]}'
	done
	echo "    (drain: freeze to the JOIN sent; hand-over: to the successor's receive; wait: to its activation's start)"
fi
p99=$(sort -k2 -n "$TOPO_TMP/pauses" | awk '{v[NR] = $2} END {print NR ? v[int(NR * 0.99 + 0.999)] : 999999999}')
check_timing "pause p99 ${p99} us <= 5000 us" test "$p99" -le 5000
topo_echo_stalls "$TOPO_TMP/events" "$TOPO_TMP/peer.pcap" "$TOPO_TMP/stalls" switchover
rst=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "tcp.flags.reset == 1" 2>/dev/null | wc -l)
check "no RST on the wire over $done switchovers" test "$rst" = 0
ictl "$act" show ha 2>/dev/null | sed 's/^/    /'
for x in a b; do
	ictl "$x" show ha stats | grep -E "takeovers|stepdowns|fences|switchover" | sed "s/^/    $x: /"
done
exit $fail
