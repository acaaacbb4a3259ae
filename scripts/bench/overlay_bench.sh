#!/usr/bin/env bash
# Multicast overlay on one busy lcore: first-hop encapsulation and
# last-hop decapsulation + fan-out (1 and 4 clients), each against
# dpdk-testpmd --forward-mode=io over the same input in the same run.
#   scripts/bench/overlay_bench.sh [REPS=3] [SECONDS=4]
# Input: net_pcap with infinite_rx (the frames are replayed from memory: the
# PMD copies each one into a fresh mbuf, for testpmd and nonstop alike);
# output: net_null (no-rx).  Encap input: 256 flows of inner UDP with 64
# payload bytes to the session's match; decap input: 4096 GRE-in-UDP
# packets to the group, sequence 0..4095 (each replay is a first-hop
# restart for the last hop, taken after two packets).  Metric: input
# packets per second (the pcap port's rx counter over the window; testpmd:
# its Rx-pps); for decap also the client packets sent.
# OVL_MODES: a subset of "encap decap1 decap4".  OVL_PERF=DIR: perf record
# of nonstop over each window, into DIR/MODE.REP.perf.data.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
reps=${1:-3}
secs=${2:-4}
warm=2
tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp" /var/run/dpdk/bench-ovl-*-$$
}
trap cleanup EXIT INT TERM
[ -x "$top/build/app/nonstop" ] || { echo "build first: meson setup build && ninja -C build"; exit 1; }
command -v dpdk-testpmd >/dev/null || { echo "dpdk-testpmd missing: apt-get install -y dpdk"; exit 1; }

"$top/scripts/bench/overlay_setup.sh" "$tmp" 256 4096

eal() { # PCAP PREFIX
	echo --no-huge -m 512 --no-pci --no-shconf -l 0-1 --file-prefix "$2" \
		--vdev "net_pcap0,rx_pcap=$1,infinite_rx=1" --vdev net_null0,no-rx=1
}

run_testpmd() { # PCAP: input pps
	local out=$tmp/testpmd.out
	# shellcheck disable=SC2046
	{
		sleep "$warm"
		echo "show port stats all"
		sleep "$secs"
		echo "show port stats all"
		sleep 0.5
		echo "quit"
	} | timeout $((warm + secs + 30)) dpdk-testpmd $(eal "$1" "bench-ovl-tp-$$") -- \
		-i --forward-mode=io --auto-start --burst=32 --total-num-mbufs=8191 --mbcache=256 \
		>"$out" 2>&1 || true
	awk '/Rx-pps:/{n++; v[n]=$2} END{print v[n-1]}' "$out"
}

pstat() { # PORT FIELD: the counter of one port in 'show port stats all'
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" show port stats all |
		awk -v p="($1)" -v f="$2:" '$1 == "port" {cur = $3} cur == p && $1 == f {print $2; exit}'
}

run_nonstop() { # INI PCAP OUTPORT: "input_pps output_pps"
	# shellcheck disable=SC2046
	"$top/build/app/nonstop" $(eal "$2" "bench-ovl-ns-$$") -- --config "$1" \
		--ctl-socket "$tmp/ctl.sock" >"$tmp/nonstop.out" 2>&1 &
	local pid=$! t0 i0 o0 t1 i1 o1
	pids+=("$pid")
	sleep "$warm"
	t0=$(date +%s.%N) i0=$(pstat in rx-packets) o0=$(pstat "$3" tx-packets)
	if [ -n "${OVL_PERF:-}" ]; then # a profile of the window (the rate then drops a little)
		perf record -q -o "$OVL_PERF/$mode.$r.perf.data" -p "$pid" -- sleep "$secs" >/dev/null 2>&1
	else
		sleep "$secs"
	fi
	t1=$(date +%s.%N) i1=$(pstat in rx-packets) o1=$(pstat "$3" tx-packets)
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" show overlay sessions >"$tmp/sessions.out" 2>&1 || true
	"$top/build/app/nonstopctl" -s "$tmp/ctl.sock" quit >/dev/null 2>&1 || kill "$pid"
	wait "$pid" || true
	awk -v a="$i0" -v b="$i1" -v c="$o0" -v d="$o1" -v s="$t0" -v e="$t1" \
		'BEGIN{printf "%.0f %.0f\n", (b-a)/(e-s), (d-c)/(e-s)}'
}

printf '%-7s %-4s %13s %13s %13s %7s\n' mode rep testpmd_pps nonstop_in nonstop_out ratio
for mode in ${OVL_MODES:-encap decap1 decap4}; do
	pcap=$tmp/${mode%[0-9]}.pcap
	out=out
	[ "$mode" = encap ] || out=cli
	ratios=()
	for r in $(seq 1 "$reps"); do
		tp=$(run_testpmd "$pcap")
		read -r ni no < <(run_nonstop "$tmp/$mode.ini" "$pcap" "$out")
		ratio=$(awk -v a="$ni" -v b="$tp" 'BEGIN{printf "%.3f", (b>0)?a/b:0}')
		ratios+=("$ratio")
		printf '%-7s %-4s %13s %13s %13s %7s\n' "$mode" "$r" "$tp" "$ni" "$no" "$ratio"
	done
	sed 's/^/        /' "$tmp/sessions.out" | cut -c1-220
	median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{print (NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2}')
	echo "$mode: median ratio nonstop/testpmd (input pps) $median"
done
