#!/usr/bin/env bash
# Hostile control clients never stall the dataplane: nonstop on one lcore
# (-l 0: the main lcore runs the dataplane and serves the control socket)
# answers a kernel pinger (every 10 ms) as fast with silent, dribbling,
# flooding and never-reading ctl clients connected as without them.  The
# bound is loose for a loaded 2-core machine; a control path that waits for
# a client stops the loop for a second or more.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init ctlstall python3
topo_pair || exit 1
topo_ini >"$TOPO_TMP/ns.ini"
TOPO_LCORES=0 topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
py=/usr/bin/python3
bound_ms=${CTL_STALL_BOUND_MS:-250}
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

# ping RTTs: "p50 p99 max loss%" of COUNT pings 10 ms apart
rtts() {
	local out
	out=$(ip netns exec "$NS_PEER" ping -n -c "$1" -i 0.01 -W 3 "$DP_IP" 2>&1)
	awk -F'time=' '/time=/{split($2, a, " "); print a[1]}' <<<"$out" | sort -n |
		awk -v loss="$(sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' <<<"$out")" \
			'{v[NR] = $1} END {if (NR == 0) {print "- - - 100"; exit}
			 printf "%.2f %.2f %.2f %s\n", v[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))],
				v[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))], v[NR], loss}'
}

read -r b50 b99 bmax bloss < <(rtts 200)
echo "without ctl clients: p50 $b50 ms, p99 $b99 ms, max $bmax ms, loss $bloss%"
"$py" "$(dirname "$0")/ctl_hostile.py" "$CTL_SOCK" 7 ${CTL_STALL_KINDS:-} >"$TOPO_TMP/hostile.log" 2>&1 &
hpid=$!
sleep 0.5
read -r h50 h99 hmax hloss < <(rtts 500)
wait "$hpid"
cat "$TOPO_TMP/hostile.log"
echo "with hostile ctl clients: p50 $h50 ms, p99 $h99 ms, max $hmax ms, loss $hloss%"
check "no ping lost with hostile ctl clients (${hloss}%)" '[ "$hloss" = 0 ]'
check "worst RTT with hostile ctl clients ${hmax} ms < ${bound_ms} ms" \
	'awk -v m="$hmax" -v b="$bound_ms" "BEGIN{exit !(m != \"-\" && m < b)}"'
check "the hostile clients connected" 'grep -q "hostile clients: [1-9]" "$TOPO_TMP/hostile.log"'
c=$(nsctl show counters)
echo "$c" | grep '^ctl\.'
check "ctl.read_timeouts counted the silent ones" 'grep -Eq "^ctl\.read_timeouts +[1-9]" <<<"$c"'
check "ctl.line_too_long counted the flood" 'grep -Eq "^ctl\.line_too_long +[1-9]" <<<"$c"'
check "nonstop still answers" 'nsctl show version >/dev/null'
exit $fail
