#!/usr/bin/env bash
# Packet-correctness oracle: tshark's expert info with checksum validation on.
#   tshark_check.sh CAPTURE [DISPLAY_FILTER]
# Prints the problems and exits 1 when tshark reports any Error, or a Warn in
# the Checksum or Malformed groups (tshark files a bad ICMP checksum as a
# Warn), in the frames the filter selects.  Exits 2 if tshark itself fails,
# so a wrong option can never pass as "no errors".
set -uo pipefail
cap=$1
filter=${2:-}
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.pcap"' EXIT
src=$cap
if [ -n "$filter" ]; then
	tshark -r "$cap" -Y "$filter" -w "$tmp.pcap" 2>"$tmp" || { cat "$tmp" >&2; exit 2; }
	src=$tmp.pcap
fi
# Payload bytes are test data: tshark's heuristic dissectors on TCP and UDP
# would guess protocols in them (Thrift once read a pattern as a malformed
# message); they are turned off so the verdict is about what nonstop builds.
heur=()
while IFS= read -r h; do heur+=(--disable-protocol "$h"); done < <(
	tshark -G heuristic-decodes 2>/dev/null | awk -F'\t' '$1=="tcp" || $1=="udp" {print $2}' |
		grep -vxE 'eth|arp|ip|icmp|igmp|tcp|udp|bfd|gre|vxlan|data' | sort -u)
if ! tshark -r "$src" -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE \
	-o udp.check_checksum:TRUE "${heur[@]}" -q -z expert,warn >"$tmp" 2>"$tmp.err"; then
	cat "$tmp.err" >&2
	rm -f "$tmp.err"
	exit 2
fi
rm -f "$tmp.err"
problems=$(awk '/^Errors \(/{s="E"; next} /^Warns \(/{s="W"; next} /^[A-Z][a-z]+s \(/{s=""; next}
	s=="E" && /^ +[0-9]+ / {print "error:" $0}
	s=="W" && /^ +[0-9]+ +(Checksum|Malformed) / {print "warn: " $0}' "$tmp")
if [ -n "$problems" ]; then
	echo "$problems"
	exit 1
fi
exit 0
