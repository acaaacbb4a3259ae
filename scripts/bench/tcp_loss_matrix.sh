#!/usr/bin/env bash
# The loss matrix: nonstop against Linux, as sender and as receiver, with
# 0 / 1 / 3 % of the TCP frames a bridge forwards dropped in both directions
# (nftables numgen on the bridge), the kernel peers' SACK on and off.
#
#   sudo scripts/bench/tcp_loss_matrix.sh [MB=20] [REPS=3] [LOSSES="0 1 3"]
#
# Hosts (scripts/netns/topo.sh topo_bridged lx): nonstop (net_af_packet, -l 0,
# idle adaptive, 256 KiB buffers), the Linux peer P and a second Linux host X,
# all on one bridge.  Per cell, the time for MB megabytes from connect to the
# reader's EOF, measured by the kernel peer P (scripts/bench/loss_peer.py,
# every byte checked), median of REPS:
#   sender:   P reads from nonstop's 'source' listener   vs  P reads from X
#   receiver: P sends to nonstop's 'sink' listener       vs  P sends to X
# The comparison is Linux-to-Linux over the same bridge and loss.  Also: the
# frames above the MTU in a capture of everything to and from nonstop, its
# RSTs, and its loss counters per cell (summed over the repetitions).
# Needs root; hold the lock: flock /tmp/nonstop-heavy.lock ...
set -uo pipefail
. "$(dirname "$0")/../netns/topo.sh"
mb=${1:-20}
reps=${2:-3}
losses=${3:-0 1 3}
buf=${BUF:-262144}
sacks=${SACKS:-1 0}
bytes=$((mb * 1000000))
py=/usr/bin/python3
lp=$(cd "$(dirname "$0")" && pwd)/loss_peer.py
topo_init lossm tcpdump tshark nft
topo_bridged lx || exit 1
peer() { ip netns exec "$NS_PEER" "$@"; }
lx() { ip netns exec "$NS_LX" "$@"; }

n_cells=0
for _ in $losses; do for _ in $sacks; do n_cells=$((n_cells + 1)); done; done
count=$((n_cells * reps))
# the kernel servers X: one connection per repetition and cell, plus the
# source's warm-up
lx $py "$lp" serve 5019 "$bytes" "$((count + 1))" &
TOPO_PIDS+=($!)
lx $py "$lp" serve 5009 0 "$count" &
TOPO_PIDS+=($!)

topo_ini "[tcp]" "max_conns = 64" "sndbuf = $buf" "rcvbuf = $buf" "time_wait_ms = 1000" \
	"[listener.sink]" "port = 9" "app = sink" \
	"[listener.src]" "port = 19" "app = source" "bytes = $bytes" >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
for _ in $(seq 50); do lx ss -ltn | grep -q ":5009 " && break; sleep 0.1; done
topo_bridge_capture "$TOPO_TMP/bridge.pcap" 96 || exit 1

# one transfer: prints the seconds, or FAIL
xfer() { # fetch|send HOST PORT
	local out
	out=$(timeout 600 ip netns exec "$NS_PEER" $py "$lp" "$1" "$2" "$3" "$bytes" 2>&1)
	if [ $? = 0 ] && [ "${out##* }" = ok ]; then echo "${out%% *}"; else echo "FAIL($out)"; fi
}
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
stats() { nsctl show tcp stats | awk '$1 ~ /^tcp\./ {sub("tcp.", "", $1); print $1, $2}'; }
delta() { # BEFORE AFTER NAME
	awk -v n="$3" 'FNR==NR {b[$1]=$2; next} $1==n {print $2 - b[$1]; f=1} END {if (!f) print 0}' "$1" "$2"
}

# warm-up (ARP, caches), not counted
xfer fetch "$DP_IP" 19 >/dev/null
xfer fetch "$LX_IP" 5019 >/dev/null

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $mb MB per transfer, median of $reps; $(uname -r)"
echo "| loss | peer SACK | nonstop sends (s) | Linux sends (s) | ratio | nonstop receives (s) | Linux receives (s) | ratio | nonstop: RTOs / probes / RACK lost / retransmits |"
echo "|---|---|---|---|---|---|---|---|---|"
for loss in $losses; do
	topo_bridge_loss "$loss" || exit 1
	for sack in $sacks; do
		peer sysctl -qw net.ipv4.tcp_sack=$sack
		lx sysctl -qw net.ipv4.tcp_sack=$sack
		stats >"$TOPO_TMP/before"
		ns_tx='' lx_tx='' ns_rx='' lx_rx=''
		for _ in $(seq "$reps"); do
			ns_tx+=" $(xfer fetch "$DP_IP" 19)"
			lx_tx+=" $(xfer fetch "$LX_IP" 5019)"
			ns_rx+=" $(xfer send "$DP_IP" 9)"
			lx_rx+=" $(xfer send "$LX_IP" 5009)"
		done
		stats >"$TOPO_TMP/after"
		if grep -q FAIL <<<"$ns_tx$lx_tx$ns_rx$lx_rx"; then
			echo "| $loss % | $sack | $ns_tx | $lx_tx | | $ns_rx | $lx_rx | | |"
			continue
		fi
		a=$(median <<<"$ns_tx") b=$(median <<<"$lx_tx") c=$(median <<<"$ns_rx") d=$(median <<<"$lx_rx")
		ctrs="$(delta "$TOPO_TMP/before" "$TOPO_TMP/after" rto_expired) / $(delta "$TOPO_TMP/before" "$TOPO_TMP/after" tlp_probes) / $(delta "$TOPO_TMP/before" "$TOPO_TMP/after" rack_lost) / $(delta "$TOPO_TMP/before" "$TOPO_TMP/after" retransmits)"
		awk -v l="$loss" -v s="$sack" -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v k="$ctrs" \
			-v ra="$ns_tx" -v rb="$lx_tx" -v rc="$ns_rx" -v rd="$lx_rx" 'BEGIN {
			printf "| %s %% | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %s |\n", l, s, a, b, a / b, c, d, c / d, k
			printf "<!-- runs: %s |%s |%s |%s -->\n", ra, rb, rc, rd > "/dev/stderr" }'
	done
done
topo_bridge_loss 0
peer sysctl -qw net.ipv4.tcp_sack=1
lx sysctl -qw net.ipv4.tcp_sack=1
sleep 2
stats >"$TOPO_TMP/final"
topo_capture_stop
frames=$(tshark -r "$TOPO_TMP/bridge.pcap" 2>/dev/null | wc -l)
big=$(tshark -r "$TOPO_TMP/bridge.pcap" -Y "ip.len > 1500" 2>/dev/null | wc -l)
big_ns=$(tshark -r "$TOPO_TMP/bridge.pcap" -Y "ip.len > 1500 && eth.src == $DP_MAC" 2>/dev/null | wc -l)
echo
echo "frames to and from nonstop captured on the bridge: $frames; above the 1500-byte MTU: $big (from nonstop: $big_ns)"
echo "nonstop RSTs: $(awk '$1=="rst_out"{n=$2} END {print n+0}' "$TOPO_TMP/final")"
echo "nonstop counters over the whole run:"
grep -E "^(retransmits|rto_expired|(tlp|rack|sack|dsack|ooo)_[a-z_]+|rcv_wnd_capped|rcvbuf_full|data_segs_out) " "$TOPO_TMP/final" | sed 's/^/    /'
