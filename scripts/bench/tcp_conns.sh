#!/usr/bin/env bash
# Many idle connections between two nonstop instances over net_memif:
# instance B opens CONNS connections (7 [client] sections, one per listener
# port of A, as 16384 ephemeral ports bound one destination), both sides
# 'sink' (nothing is sent), and reports how many are established on each side
# and the resident memory each instance gained per connection.
#   scripts/bench/tcp_conns.sh [CONNS=100000] [BUILD=build]
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
conns=${1:-100000}
bin=$top/${2:-build}/app
tmp=$(mktemp -d)
tag=cn$$
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
per=$(((conns + 6) / 7))
max=$((conns + 1024))
for side in a b; do
	ip=$([ $side = a ] && echo 198.51.100.1 || echo 198.51.100.2)
	mac=$([ $side = a ] && echo 02:00:00:00:01:01 || echo 02:00:00:00:01:02)
	{
		printf '[global]\nidle = adaptive\nmbufs = 65535\n[port.m]\ndev = net_memif0\nip = %s/24\nmac = %s\n' "$ip" "$mac"
		printf '[tcp]\nsndbuf = 4096\nrcvbuf = 4096\nmax_conns = %s\nsyn_backlog = 4096\n' "$max"
		for k in 0 1 2 3 4 5 6; do
			if [ $side = a ]; then
				printf '[listener.l%s]\nport = %s\napp = sink\n' $k $((9000 + k))
			else
				n=$((conns - k * per)); [ $n -gt $per ] && n=$per
				[ $n -gt 0 ] && printf '[client.c%s]\nconnect = 198.51.100.1:%s\napp = sink\nconns = %s\n' \
					$k $((9000 + k)) $n
			fi
		done
	} >"$tmp/$side.ini"
done
rss() { awk '/^VmRSS/{print $2}' "/proc/$1/status"; }
"$bin/nonstop" --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$tag-a" -l 0 \
	--log-level=lib.eal:warning --vdev "net_memif0,role=server,id=0,socket=$tag.sock" -- \
	--config "$tmp/a.ini" --ctl-socket "$tmp/a.sock" >"$tmp/a.log" 2>&1 &
pids+=($!)
sleep 3
a_rss0=$(rss "${pids[0]}")
# B's baseline: the same instance without clients would be fairer; its
# connections start at its first poll, so the baseline is A's (same tables).
"$bin/nonstop" --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$tag-b" -l 1 \
	--log-level=lib.eal:warning --vdev "net_memif0,role=client,id=0,socket=$tag.sock" -- \
	--config "$tmp/b.ini" --ctl-socket "$tmp/b.sock" >"$tmp/b.log" 2>&1 &
pids+=($!)
t0=$(date +%s)
up=0
for i in $(seq 600); do # up to 120 s
	up=$("$bin/nonstopctl" -s "$tmp/b.sock" show tcp apps 2>/dev/null | awk 'NR>1 && $1 ~ /^c[0-9]$/ {s += $5} END {print s + 0}')
	[ "$up" -ge "$conns" ] && break
	sleep 0.2
done
t1=$(date +%s)
sleep 1
est_a=$("$bin/nonstopctl" -s "$tmp/a.sock" show tcp stats | awk '$1=="tcp.conn_opened_passive"{print $2}')
a_rss1=$(rss "${pids[0]}") b_rss1=$(rss "${pids[1]}")
echo "connections: $up established by B (active), ${est_a:-0} by A (passive), in $((t1 - t0)) s"
awk -v a0="$a_rss0" -v a1="$a_rss1" -v b1="$b_rss1" -v n="$conns" 'BEGIN{
	printf "RSS: A %d -> %d KiB (%.0f bytes per connection over its idle baseline); B %d KiB\n",
		a0, a1, (a1 - a0) * 1024 / n, b1 }'
"$bin/nonstopctl" -s "$tmp/a.sock" show tcp stats | sed 's/^/    A /'
"$bin/nonstopctl" -s "$tmp/b.sock" show tcp stats | sed 's/^/    B /'
