#!/usr/bin/env bash
# Replication benchmarks, three nonstop instances on this host:
#   B (client 'source', memif to A) -> A (active, 'sink') --memif--> S (standby)
# Goodput of B's STREAMS connections into A with replication off, sync and
# async, one after the other in the same run; for sync and async: the time
# segments waited for the standby (the ACK delay of ack holding, p50/p99),
# and replication bytes (both directions, Ethernet payload) per payload byte.
# Then the bulk sync of CONNS idle connections to a standby that joins late.
#   scripts/bench/repl_bench.sh [STREAMS=1] [BYTES=1000000000] [CONNS=100000] [BUILD=build] [IDLE=busy]
# A and S busy-poll on lcore 0 and 1, B on lcore 1 with S (two cores): what
# the standby costs includes the CPU it takes from B.  IDLE=adaptive for all.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
streams=${1:-1}
bytes=${2:-1000000000}
conns=${3:-100000}
bin=$top/${4:-build}/app
idle=${5:-busy}
tmp=$(mktemp -d)
tag=rb$$
pids=()
stop_all() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	pids=()
}
trap 'stop_all; rm -rf "$tmp"' EXIT
key=0x0123456789abcdef0123456789abcdef

inst() { # name lcore vdevs... -- ini text on stdin
	local name=$1 core=$2
	shift 2
	cat >"$tmp/$name.ini"
	"$bin/nonstop" --no-huge -m 1536 --no-pci --no-shconf --file-prefix "$tag-$name" -l "$core" \
		--log-level=lib.eal:warning "$@" -- --config "$tmp/$name.ini" \
		--ctl-socket "$tmp/$name.sock" >"$tmp/$name.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do "$bin/nonstopctl" -s "$tmp/$name.sock" show version >/dev/null 2>&1 && return 0; sleep 0.1; done
	echo "instance $name did not start:"; cat "$tmp/$name.log"; exit 1
}
ctl() { local n=$1; shift; "$bin/nonstopctl" -s "$tmp/$n.sock" "$@"; }
stat() { ctl "$1" show repl stats all | awk -v k="repl.$2" '$1 == k {print $2}'; }

# pair_ini SIDE(a|s) ROLE TCP_TEXT LISTENER_TEXT REPL_EXTRA: the config of A or S
# (the same service address; S's service port is an empty net_ring)
pair_ini() {
	local dev=net_memif0 host=1
	[ "$1" = s ] && dev=net_ring0 host=2
	cat <<INI
[global]
idle = $idle
mbufs = 65535
[port.m]
dev = $dev
ip = 198.51.100.1/24
mac = 02:00:00:00:01:01
[port.r]
dev = net_memif1
role = replication
ip = 203.0.113.$host/24
mac = 02:00:00:00:02:0$host
$3
$4
[repl]
role = $2
port = r
key = $key
$5
INI
}
lst_gp='[listener.sink]
port = 9
app = sink
[listener.echo]
port = 7
app = echo'
start_a_s() { # mode: off, sync, async; tcp knobs
	local mode=$1 tcp=$2 role_a=active role_s=standby
	[ "$mode" = off ] && role_a=none role_s=none
	# (not in a pipeline: inst must run in this shell to record its pid)
	inst a 0 --vdev "net_memif0,role=server,id=0,socket=$tmp/svc.sock" \
		--vdev "net_memif1,role=server,id=0,socket=$tmp/repl.sock" \
		< <(pair_ini a "$role_a" "$tcp" "$lst_gp" "mode = ${mode/off/sync}")
	inst s 1 --vdev net_ring0 --vdev "net_memif1,role=client,id=0,socket=$tmp/repl.sock" \
		< <(pair_ini s "$role_s" "$tcp" "$lst_gp" "")
	if [ "$mode" != off ]; then
		for _ in $(seq 100); do ctl a show ha | grep -q "1 of 1 channels in sync" && return 0; sleep 0.1; done
		echo "the standby did not sync"; ctl a show repl status; exit 1
	fi
}

start_b() { # tcp knobs, client section
	inst b 1 --vdev "net_memif0,role=client,id=0,socket=$tmp/svc.sock" <<INI
[global]
idle = ${b_idle:-$idle}
mbufs = 65535
[port.m]
dev = net_memif0
ip = 198.51.100.2/24
mac = 02:00:00:00:01:02
$1
$2
INI
}

# Polled once a second: each poll is a few short processes (nonstopctl, awk)
# that preempt the busy-polling instances on this 2-core host; at 5 polls a
# second they were ~8 % of the CPU and showed in the hold delay's p99.
wait_client() { # name seconds: B's show tcp apps row once every connection ended
	local i row
	for ((i = 0; i < $2; i++)); do
		row=$(ctl b show tcp apps 2>/dev/null | awk -v n="$1" '$1 == n')
		if awk '{exit !($4 + 0 > 0 && $6 + $7 == $4)}' <<<"$row" 2>/dev/null; then
			echo "$row"
			return 0
		fi
		sleep 1
	done
	echo "client $1 did not finish: $row" >&2
	return 1
}

tcp='[tcp]
sndbuf = 1048576
rcvbuf = 1048576
max_conns = 64'
printf '%-6s %12s %10s %12s %12s %14s\n' mode Mbit/s ratio hold-p50-us hold-p99-us repl-B/payload-B
off_mbps=
modes="off sync async"
[ "$streams" -gt 0 ] || modes=
for mode in $modes; do
	start_a_s "$mode" "$tcp"
	start_b "$tcp" "[client.bulk]
connect = 198.51.100.1:9
app = source
bytes = $bytes
conns = $streams"
	row=$(wait_client bulk 300) || { stop_all; exit 1; }
	read -r _ _ _ _ _ _ _ tx _ _ mbps _ <<<"$row"
	p50=- p99=- ratio_b=-
	if [ "$mode" != off ]; then
		read -r p50 p99 <<<"$(ctl a show repl status | awk '$1 == "0" {print $9, $10}')"
		rb=$(($(stat a tx_bytes) + $(stat s tx_bytes)))
		ratio_b=$(awk -v r="$rb" -v p="$tx" 'BEGIN{printf "%.3f", r / p}')
	fi
	[ -z "$off_mbps" ] && off_mbps=$mbps
	printf '%-6s %12s %10s %12s %12s %14s\n' "$mode" "$mbps" \
		"$(awk -v a="$mbps" -v b="$off_mbps" 'BEGIN{printf "%.3f", a / b}')" "$p50" "$p99" "$ratio_b"
	stop_all
done

# ACK delay of the hold alone: A and S busy-polling, B (adaptive, mostly
# asleep) doing 64-byte request/response through A's echo: each response
# waits for the standby's acknowledgement of the request's frame.
if [ "$streams" -gt 0 ]; then
	saved=$idle
	idle=busy
	start_a_s sync "$tcp"
	b_idle=adaptive start_b "$tcp" "[client.rr]
connect = 198.51.100.1:7
app = echo-check
msg = 64
bytes = 6400000
conns = 1"
	sleep 5 # mid-run: the replication channel's round trip under this load
	rt=$(ctl a show ha | grep -o 'frame round trip [0-9.]* us' | head -1)
	row=$(wait_client rr 300) || { stop_all; exit 1; }
	read -r p50 p99 <<<"$(ctl a show repl status | awk '$1 == "0" {print $9, $10}')"
	echo "request/response 64 B, A and S busy: hold p50 $p50 us, p99 $p99 us ($(ctl b show tcp apps | awk '$1 == "rr" {print $NF}') trans/s); ${rt:-no frame round trip} 5 s in"
	stop_all
	idle=$saved
fi

# Bulk sync: CONNS idle connections (7 listener ports x ephemeral ports), then
# a standby that joins: the active's 'show repl status' gives the time from
# HELLO_ACK to the acknowledgement of BULK_END.
[ "$conns" -gt 0 ] || exit 0
ctcp="[tcp]
sndbuf = 4096
rcvbuf = 4096
max_conns = $((conns + 1024))
syn_backlog = 4096"
per=$(((conns + 6) / 7))
lst=$(for k in 0 1 2 3 4 5 6; do printf '[listener.l%s]\nport = %s\napp = sink\n' $k $((9000 + k)); done)
cli=$(for k in 0 1 2 3 4 5 6; do
	n=$((conns - k * per)); [ $n -gt $per ] && n=$per
	[ $n -gt 0 ] && printf '[client.c%s]\nconnect = 198.51.100.1:%s\napp = sink\nconns = %s\n' $k $((9000 + k)) $n
done)
idle=adaptive
big='ring = 65536
window = 1024'
inst a 0 --vdev "net_memif0,role=server,id=0,socket=$tmp/svc.sock" \
	--vdev "net_memif1,role=server,id=0,socket=$tmp/repl.sock" < <(pair_ini a active "$ctcp" "$lst" "$big")
start_b "$ctcp" "$cli"
for _ in $(seq 600); do
	up=$(ctl a show tcp conns | tail -1 | awk '{print $1}')
	[ "${up:-0}" -ge "$conns" ] && break
	sleep 0.2
done
echo "active: $up connections established; the standby joins"
inst s 1 --vdev net_ring0 --vdev "net_memif1,role=client,id=0,socket=$tmp/repl.sock" \
	< <(pair_ini s standby "$ctcp" "$lst" "$big")
for _ in $(seq 600); do ctl a show ha | grep -q "1 of 1 channels in sync" && break; sleep 0.1; done
ctl a show repl status | awk '$1 == "0" {print "bulk sync: " $11, $12, $13, $14}'
ctl s show ha | tail -1
