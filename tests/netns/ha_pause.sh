#!/usr/bin/env bash
# Pauses (SIGSTOP ... SIGCONT) of either instance of an HA pair, in the
# failover topology (failover_ms = 30): a Linux kernel peer streams CONNS
# connections both ways through 'echo' while the active, and separately the
# standby, is stopped for 5, 20, 29, 31, 50, 100, 500 and 2000 ms, ROUNDS
# times each at a random moment (the pair back in sync before each).  Then
# the sequence that used to hang every connection: the standby is stopped
# 300 ms (its state goes stale: the active goes on... or holds), and the
# active is killed 100 ms after the standby resumes.
# Checks (correctness, on any machine): no RST on the wire, every byte echoed
# unchanged, every connection alive to the end, the killed instance rejoins.
# On a quiet machine also: a pause shorter than failover_ms causes no
# takeover.  Per target and pause length: takeovers, and the longest wire
# stall of the connections from the peer's capture (the table in
# docs/BENCHMARKS.md comes from this script: HA_PAUSE_ROUNDS=3).
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init hp tcpdump tshark
ROUNDS=${HA_PAUSE_ROUNDS:-1}
CONNS=${HA_PAUSE_CONNS:-50}
PAUSES=${HA_PAUSE_MS:-"5 20 29 31 50 100 500 2000"}
FAILOVER_MS=30

topo_ha_pair || exit 1
topo_ha_start a active || exit 1
topo_ha_start b auto || exit 1
check "the standby joins and syncs" wait_for 10 topo_ha_in_sync a
topo_capture "$TOPO_TMP/peer.pcap" || exit 1

quiet=$TOPO_TMP/quiet release=$TOPO_TMP/release stop=$TOPO_TMP/stop
peer /usr/bin/python3 "$(dirname "$0")/stream_peer.py" "$DP_IP" 7 "$CONNS" 600 100 \
	"$quiet" "$release" "$stop" >"$TOPO_TMP/peer.out" 2>&1 &
ppid=$!
sleep 1

takeovers() { # the takeovers both instances counted (a restart forgets its own)
	local x n=0 v
	for x in a b; do
		v=$(ictl "$x" show ha stats all 2>/dev/null | awk '$1 == "ha.takeovers" {print $2}')
		n=$((n + ${v:-0}))
	done
	echo "$n"
}
# A pause without a fork between SIGSTOP and SIGCONT (bash builtins only: a
# timed read on a descriptor nothing writes to), and its length as measured.
exec {never}<> <(:)
pause_for() { # pid ms: prints the pause's measured length in ms
	local sec t0 t1
	sec=$(awk -v m="$2" 'BEGIN{printf "%.3f", m / 1000}')
	t0=$EPOCHREALTIME
	kill -STOP "$1"
	read -r -t "$sec" -u "$never"
	kill -CONT "$1"
	t1=$EPOCHREALTIME
	awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.1f", (b - a) * 1000}'
}

bad_sync=0
for target in active standby; do
	for ms in $PAUSES; do
		for r in $(seq 1 "$ROUNDS"); do
			topo_ha_roles
			if ! wait_for 15 topo_ha_in_sync "$act"; then
				echo "    $target $ms ms round $r: the pair is not in sync"
				bad_sync=$((bad_sync + 1))
				topo_ha_roles
			fi
			[ "$target" = active ] && who=$act || who=$sby
			before=$(takeovers)
			sleep "$(awk -v x="$RANDOM" 'BEGIN{printf "%.3f", 0.1 + (x % 300) / 1000}')"
			pid=${TOPO_INST_PID[$who]}
			echo "$target $ms $(date +%s.%N)" >>"$TOPO_TMP/events"
			real=$(pause_for "$pid" "$ms")
			sleep 0.3
			echo "$target $ms $(($(takeovers) - before)) $real" >>"$TOPO_TMP/takeovers"
		done
	done
done

# The stale standby: stopped, then the active killed 100 ms after the standby
# resumes.  300 ms (the active holds its segments meanwhile) and 1500 ms
# (longer than standby_timeout_ms: the active goes on alone and the standby
# must rejoin and sync before it may take over).  The kill waits until the
# active reports the standby in sync again: what is asserted is that a
# standby that was stale takes over with current state (the copies it had
# before the pause are older than what the peer has seen).  How long the
# rejoin took is a timing figure: in sync at the first look 100 ms after the
# resume on a quiet machine (check_timing; the look is a control call, whose
# own latency is not the pair's); on a busy one the pair may need longer,
# and a kill before the rejoin loses the connections by design (the only
# current copy died).
sync_poll() { # polls the active every 5 ms, up to 5 s; LOOKS: how many polls
	for ((LOOKS = 1; LOOKS <= 1000; LOOKS++)); do
		topo_ha_in_sync "$act" && return 0
		read -r -t 0.005 -u "$never"
	done
	return 1
}
for stale in 300 1500; do
	topo_ha_roles
	check "stale standby $stale ms: the pair is in sync before" wait_for 15 topo_ha_in_sync "$act"
	topo_ha_roles
	echo "kill $stale $(date +%s.%N)" >>"$TOPO_TMP/events"
	pause_for "${TOPO_INST_PID[$sby]}" "$stale" >/dev/null
	t_res=$EPOCHREALTIME
	read -r -t 0.1 -u "$never"
	sync_poll
	synced=$?
	rejoin=$(awk -v a="$t_res" -v b="$EPOCHREALTIME" 'BEGIN{printf "%.0f", (b - a) * 1000}')
	topo_instance_stop "$act" KILL
	check "stale standby $stale ms: $sby rejoined and synced after its pause" test "$synced" = 0
	check_timing "stale standby $stale ms: rejoined and synced by the first look, 100 ms after the resume (in sync at look $LOOKS; that look answered and the kill came ${rejoin} ms after the resume)" \
		test "$synced" = 0 -a "$LOOKS" = 1
	check "stale standby $stale ms: $sby takes over" wait_for 5 topo_ha_is_active "$sby"
	ictl "$sby" show ha | grep -E "took over|round trip" | sed 's/^/    /'
	topo_ha_start "$act" auto || exit 1
	check "stale standby $stale ms: $act restarts and rejoins as the standby" \
		wait_for 15 topo_ha_in_sync "$sby"
done

touch "$stop"
check "the peer gets every echo back" wait_for 120 test -s "$quiet"
touch "$release"
wait "$ppid"
prc=$?
check "every connection alive and every byte echoed unchanged ($(tail -1 "$TOPO_TMP/peer.out"))" \
	test "$prc" = 0
topo_capture_stop
rst=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "tcp.flags.reset == 1" 2>/dev/null | wc -l)
check "no RST on the wire" test "$rst" = 0
check "the pair was back in sync before every pause ($bad_sync times not)" test "$bad_sync" = 0

# Takeovers and wire stalls per target and pause length.
awk '{print NR, $3}' "$TOPO_TMP/events" >"$TOPO_TMP/events.n"
topo_echo_stalls "$TOPO_TMP/events.n" "$TOPO_TMP/peer.pcap" "$TOPO_TMP/stalls" pause >/dev/null
awk 'FNR == NR {what[NR] = $1 " " $2; next}
	{k = what[$1]; if (!(k in max) || $2 > max[k]) max[k] = $2; s[k] = s[k] " " $2}
	END {for (k in max) print k, max[k]}' "$TOPO_TMP/events" "$TOPO_TMP/stalls" >"$TOPO_TMP/stall_max"
echo "    pause of   ms   rounds  measured (max) takeovers  wire stall p50 / max (ms)"
for target in active standby; do
	for ms in $PAUSES; do
		n=$(awk -v t="$target" -v m="$ms" '$1 == t && $2 == m {n++} END {print n + 0}' "$TOPO_TMP/takeovers")
		to=$(awk -v t="$target" -v m="$ms" '$1 == t && $2 == m {s += $3} END {print s + 0}' "$TOPO_TMP/takeovers")
		st=$(awk 'FNR == NR {w[NR] = $1 " " $2; next} {print w[$1], $2}' "$TOPO_TMP/events" "$TOPO_TMP/stalls" |
			awk -v t="$target" -v m="$ms" '$1 == t && $2 == m {print $3}' | sort -n |
			awk '{v[NR] = $1} END {if (NR) printf "%.1f / %.1f", v[int((NR + 1) / 2)], v[NR]; else printf "-"}')
		mx=$(awk -v t="$target" -v m="$ms" '$1 == t && $2 == m && $4 > x {x = $4} END {printf "%.1f", x}' "$TOPO_TMP/takeovers")
		printf "    %-8s %5s %6s %10s %9s  %s\n" "$target" "$ms" "$n" "$mx" "$to" "$st"
	done
done
# Measured pause (the gap between SIGSTOP and SIGCONT, on this side): the
# instance may be off its core a little longer still.
short=$(awk -v f="$FAILOVER_MS" '$1 == "active" && $4 < f {s += $3} END {print s + 0}' "$TOPO_TMP/takeovers")
check_timing "pauses of the active measured shorter than failover_ms ($FAILOVER_MS) caused no takeover ($short did)" \
	test "$short" = 0
for x in a b; do
	ictl "$x" show ha stats | grep -E "takeovers|fences|stale|alone|lease|refused|pauses" |
		sed "s/^/    $x: /"
done
exit $fail
