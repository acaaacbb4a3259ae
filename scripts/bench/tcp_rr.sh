#!/usr/bin/env bash
# Small-message request/response rate, side by side in one run:
#   nonstop <-> nonstop over net_memif: instance B's [client] echo-check with
#     msg = SIZE (one request outstanding, the next when the response is
#     back, every byte checked) against A's 'echo'; rate from 'show tcp apps';
#   Linux <-> Linux over a veth pair: sockperf ping-pong, same size, cores.
#   scripts/bench/tcp_rr.sh [SIZE=64] [TRANSACTIONS=200000] [BUILD=build]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
size=${1:-64}
n=${2:-200000}
bin=$top/${3:-build}/app
command -v sockperf >/dev/null || apt-get install -y sockperf >/dev/null
tmp=$(mktemp -d)
tag=rr$$
. "$top/scripts/bench/memif_pair.sh"
cleanup() {
	memif_pair_stop
	pkill -f "sockperf server --tcp -i 198.51.100.1 -p 7$$" 2>/dev/null
	ip netns del "$tag-a" 2>/dev/null
	ip netns del "$tag-b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

memif_pair_start "[listener.echo]
port = 7
app = echo" "[client.rr]
connect = 198.51.100.1:7
app = echo-check
msg = $size
bytes = $((size * n))" || exit 1
memif_pair_wait_client rr 300 || exit 1
row=$MP_ROW
read -r _ _ _ _ _ _ failed _ _ errors _ ns_tps <<<"$row"
memif_pair_stop
[ "$failed" = 0 ] && [ "$errors" = 0 ] || { echo "nonstop run failed: $row"; exit 1; }

ip netns add "$tag-a" && ip netns add "$tag-b" || exit 1
ip -n "$tag-a" link add va type veth peer name vb netns "$tag-b"
ip -n "$tag-a" addr add 198.51.100.1/24 dev va
ip -n "$tag-b" addr add 198.51.100.2/24 dev vb
ip -n "$tag-a" link set va up
ip -n "$tag-b" link set vb up
ip netns exec "$tag-a" taskset -c 0 sockperf server --tcp -i 198.51.100.1 -p "7$$" >/dev/null 2>&1 &
sleep 1
secs=$(awk -v n="$n" -v r="$ns_tps" 'BEGIN{s = n / r; printf "%d", s < 3 ? 3 : s + 1}')
k_tps=$(ip netns exec "$tag-b" taskset -c 1 sockperf ping-pong --tcp -i 198.51.100.1 -p "7$$" \
	-m "$size" -t "$secs" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' |
	awk -F'[=; ]+' '/Valid Duration/{for (i = 1; i <= NF; i++) {if ($i == "RunTime") t = $(i+1); if ($i == "ReceivedMessages") m = $(i+1)}} END{if (t > 0) printf "%.0f", m / t}')
printf 'request/response %s B: nonstop over memif %s trans/s (%s transactions, every byte checked), Linux over veth (sockperf ping-pong) %s trans/s, ratio %.2f\n' \
	"$size" "$ns_tps" "$n" "$k_tps" "$(awk -v a="$ns_tps" -v b="$k_tps" 'BEGIN{print (b > 0 ? a / b : 0)}')"
