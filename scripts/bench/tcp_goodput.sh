#!/usr/bin/env bash
# Bulk TCP goodput, side by side in one run:
#   nonstop -> nonstop over net_memif: instance B's [client] 'source' sends
#     BYTES per connection into instance A's 'sink' (each instance on its own
#     core, busy polling); goodput from B's 'show tcp apps';
#   Linux -> Linux over a veth pair between two namespaces: iperf3, same
#     number of streams, for about as long.
#   scripts/bench/tcp_goodput.sh [STREAMS=1] [BYTES=2000000000] [BUILD=build] [CHECKSUM=auto]
# CHECKSUM=trust: the memif ports neither compute nor check TCP checksums
# (like the kernel's veth, which leaves them partial).
# Root (namespaces).  Prints both figures and their ratio.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
streams=${1:-1}
bytes=${2:-2000000000}
bin=$top/${3:-build}/app
csum=${4:-auto}
command -v iperf3 >/dev/null || apt-get install -y iperf3 >/dev/null
tmp=$(mktemp -d)
tag=gp$$
. "$top/scripts/bench/memif_pair.sh"
cleanup() {
	memif_pair_stop
	ip netns del "$tag-a" 2>/dev/null
	ip netns del "$tag-b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

buf='[tcp]
sndbuf = 1048576
rcvbuf = 1048576
max_conns = 64'
MP_CHECKSUM=$csum
memif_pair_start "$buf
[listener.sink]
port = 9
app = sink" "$buf
[client.bulk]
connect = 198.51.100.1:9
app = source
bytes = $bytes
conns = $streams" || exit 1
memif_pair_wait_client bulk 240 || exit 1
row=$MP_ROW
read -r _ _ _ opened _ done failed tx _ _ ns_mbps _ <<<"$row"
secs=$(awk -v b="$tx" -v m="$ns_mbps" 'BEGIN{printf "%.0f", b * 8 / m / 1e6 + 1}')
memif_pair_stop

ip netns add "$tag-a" && ip netns add "$tag-b" || exit 1
ip -n "$tag-a" link add va type veth peer name vb netns "$tag-b"
ip -n "$tag-a" addr add 198.51.100.1/24 dev va
ip -n "$tag-b" addr add 198.51.100.2/24 dev vb
ip -n "$tag-a" link set va up
ip -n "$tag-b" link set vb up
ip netns exec "$tag-a" taskset -c 0 iperf3 -s -1 -D -B 198.51.100.1 >/dev/null 2>&1
sleep 1
kbps=$(ip netns exec "$tag-b" taskset -c 1 iperf3 -c 198.51.100.1 -P "$streams" -t "$secs" -J |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6)')
printf 'streams %s, checksum %s: nonstop over memif %.1f Mbit/s (%s bytes, %s s), Linux over veth (iperf3) %.1f Mbit/s, ratio %.2f\n' \
	"$streams" "$csum" "$ns_mbps" "$tx" "$secs" "$kbps" "$(awk -v a="$ns_mbps" -v b="$kbps" 'BEGIN{print a/b}')"
