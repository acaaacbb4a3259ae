#!/usr/bin/env bash
# Join-to-report latency of the IGMPv3 membership service: from
# just before 'nonstopctl mcast join' starts to the report on the wire (the
# peer's capture; one clock), for N groups, and the same for leaves.  The
# figure includes nonstopctl's start and its control-socket round trip.
#   scripts/bench/mcast_join_latency.sh [N=20]
set -uo pipefail
. "$(dirname "$0")/../netns/topo.sh"
topo_init joinlat tcpdump tshark
n=${1:-20}
topo_pair || exit 1
topo_ini "igmp = true" >"$TOPO_TMP/ns.ini"
topo_capture "$TOPO_TMP/igmp.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
sleep 0.5
: >"$TOPO_TMP/issued"
for i in $(seq 1 "$n"); do
	echo "join 239.10.0.$i $(date +%s.%N)" >>"$TOPO_TMP/issued"
	nsctl mcast join p0 "239.10.0.$i" >/dev/null
	sleep 0.05
done
for i in $(seq 1 "$n"); do
	echo "leave 239.10.0.$i $(date +%s.%N)" >>"$TOPO_TMP/issued"
	nsctl mcast leave p0 "239.10.0.$i" >/dev/null
	sleep 0.05
done
sleep 1.5
topo_capture_stop
# The first report of each change: TO_EX (4) for a join, TO_IN (3) for a leave.
tshark -r "$TOPO_TMP/igmp.pcap" -Y "igmp.type == 0x22 && eth.src == $DP_MAC" -T fields \
	-e frame.time_epoch -e igmp.record_type -e igmp.maddr 2>/dev/null >"$TOPO_TMP/reports"
awk 'NR == FNR {t[($1 == "join" ? 4 : 3) " " $2] = $3; next}
	{k = $2 " " $3; if (k in t && !(k in seen)) {seen[k] = 1; d = ($1 - t[k]) * 1000; print ($2 == 4 ? "join" : "leave"), d}}' \
	"$TOPO_TMP/issued" "$TOPO_TMP/reports" | sort -k1,1 -k2,2n >"$TOPO_TMP/lat"
for kind in join leave; do
	awk -v k="$kind" '$1 == k {v[++n] = $2} END {
		if (n == 0) {print k ": no reports"; exit}
		printf "%-5s %2d changes: report after p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", k, n,
			v[int((n + 1) / 2)], v[int(n * 0.99 + 0.999)], v[n]}' "$TOPO_TMP/lat"
done
