#!/usr/bin/env bash
# Bulk TCP goodput, side by side in one run:
#   nonstop -> nonstop over net_memif: instance B's [client] 'source' sends
#     BYTES per connection into instance A's 'sink' (each instance on its own
#     core, busy polling); goodput from B's 'show tcp apps';
#   Linux -> Linux over a veth pair between two namespaces: iperf3, same
#     number of streams, for about as long.
#   scripts/bench/tcp_goodput.sh [STREAMS=1] [BYTES=2000000000] [BUILD=build]
# Root (namespaces).  Prints both figures and their ratio.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
streams=${1:-1}
bytes=${2:-2000000000}
bin=$top/${3:-build}/app
command -v iperf3 >/dev/null || apt-get install -y iperf3 >/dev/null
tmp=$(mktemp -d)
tag=gp$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$tag-a" 2>/dev/null
	ip netns del "$tag-b" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

sock=$tag.sock
for side in a b; do
	ip=$([ $side = a ] && echo 198.51.100.1 || echo 198.51.100.2)
	mac=$([ $side = a ] && echo 02:00:00:00:01:01 || echo 02:00:00:00:01:02)
	{
		printf '[global]\nidle = busy\n[port.m]\ndev = net_memif0\nip = %s/24\nmac = %s\n' "$ip" "$mac"
		printf '[tcp]\nsndbuf = 1048576\nrcvbuf = 1048576\nmax_conns = 64\n'
		if [ $side = a ]; then
			printf '[listener.sink]\nport = 9\napp = sink\n'
		else
			printf '[client.bulk]\nconnect = 198.51.100.1:9\napp = source\nbytes = %s\nconns = %s\n' \
				"$bytes" "$streams"
		fi
	} >"$tmp/$side.ini"
done
"$bin/nonstop" --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$tag-a" -l 0 \
	--log-level=lib.eal:warning --vdev "net_memif0,role=server,id=0,socket=$sock" -- \
	--config "$tmp/a.ini" --ctl-socket "$tmp/a.sock" >"$tmp/a.log" 2>&1 &
pids+=($!)
sleep 2
"$bin/nonstop" --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$tag-b" -l 1 \
	--log-level=lib.eal:warning --vdev "net_memif0,role=client,id=0,socket=$sock" -- \
	--config "$tmp/b.ini" --ctl-socket "$tmp/b.sock" >"$tmp/b.log" 2>&1 &
pids+=($!)
row=
for i in $(seq 1200); do # up to 240 s
	row=$("$bin/nonstopctl" -s "$tmp/b.sock" show tcp apps 2>/dev/null | awk '$1=="bulk"')
	awk '{exit !($4+0 > 0 && $6+$7 == $4)}' <<<"$row" 2>/dev/null && break
	sleep 0.2
done
read -r _ _ _ opened _ done failed tx _ _ ns_mbps <<<"$row"
if [ "${done:-0}" != "$streams" ]; then
	echo "nonstop run incomplete: $row"; cat "$tmp/a.log" "$tmp/b.log"; exit 1
fi
secs=$(awk -v b="$tx" -v m="$ns_mbps" 'BEGIN{printf "%.0f", b * 8 / m / 1e6 + 1}')
kill "${pids[@]}" 2>/dev/null
wait 2>/dev/null
pids=()

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
printf 'streams %s: nonstop over memif %.1f Mbit/s (%s bytes, %s s), Linux over veth (iperf3) %.1f Mbit/s, ratio %.2f\n' \
	"$streams" "$ns_mbps" "$tx" "$secs" "$kbps" "$(awk -v a="$ns_mbps" -v b="$kbps" 'BEGIN{print a/b}')"
