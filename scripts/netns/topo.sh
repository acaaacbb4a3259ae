# shellcheck shell=bash
# Namespace topology for integration tests and the demo (source this file).
#
#   topo_init TAG            names everything after TAG (unique per run), traps cleanup
#   topo_pair                namespace $NS_DP (nonstop) <-veth-> $NS_PEER (kernel host)
#   topo_start_nonstop INI   nonstop on net_af_packet in $NS_DP; waits for its ctl socket
#   nsctl WORDS...           nonstopctl on that instance
#   topo_capture FILE        tcpdump on the peer's veth until cleanup
#   topo_loss PCT            drop PCT% of TCP both ways in the peer (nftables numgen)
#
# Addresses: documentation range 192.0.2.0/24 only (nonstop .2, kernel peer .1).
# Never touches the root namespace's interfaces.  Cleanup runs on exit,
# failure or Ctrl-C: nonstop stopped (SIGTERM, then SIGKILL), captures
# stopped, namespaces deleted, temporary files removed.

TOPO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NONSTOP=${NONSTOP:-$TOPO_TOP/build/app/nonstop}
NONSTOPCTL=${NONSTOPCTL:-$TOPO_TOP/build/app/nonstopctl}
DP_IP=192.0.2.2
PEER_IP=192.0.2.1
DP_MAC=02:00:00:00:00:02

topo_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "SKIP: namespace tests need root (ip netns, veth, af_packet)"
		exit 77
	fi
	for t in ip ethtool nft tcpdump; do
		command -v $t >/dev/null || { echo "SKIP: $t missing (scripts/deps.sh installs it)"; exit 77; }
	done
}

topo_init() {
	topo_require_root
	TOPO_TAG=$1-$$
	NS_DP=ns-dp-$TOPO_TAG
	NS_PEER=ns-peer-$TOPO_TAG
	# veth names: 15 characters at most
	VETH_DP=vd$(printf '%s' "$TOPO_TAG" | md5sum | cut -c1-10)
	VETH_PEER=vp${VETH_DP#vd}
	TOPO_TMP=$(mktemp -d /tmp/nonstop-$1.XXXXXX)
	CTL_SOCK=$TOPO_TMP/ctl.sock
	TOPO_PIDS=()
	NONSTOP_PID=
	trap topo_cleanup EXIT
	trap 'exit 130' INT TERM
}

topo_cleanup() {
	local rc=$?
	if [ -n "${NONSTOP_PID:-}" ] && kill -0 "$NONSTOP_PID" 2>/dev/null; then
		kill -TERM "$NONSTOP_PID" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$NONSTOP_PID" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$NONSTOP_PID" 2>/dev/null
	fi
	for p in "${TOPO_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	ip netns del "$NS_DP" 2>/dev/null
	ip netns del "$NS_PEER" 2>/dev/null
	if [ $rc != 0 ] && [ -f "$TOPO_TMP/nonstop.log" ]; then
		echo "--- nonstop log (last 30 lines)"
		tail -30 "$TOPO_TMP/nonstop.log"
	fi
	[ "${KEEP_TMP:-0}" = 1 ] || rm -rf "$TOPO_TMP"
	return $rc
}

topo_pair() {
	ip netns add "$NS_DP"
	ip netns add "$NS_PEER"
	ip link add "$VETH_DP" type veth peer name "$VETH_PEER"
	ip link set "$VETH_DP" netns "$NS_DP"
	ip link set "$VETH_PEER" netns "$NS_PEER"
	ip netns exec "$NS_DP" sysctl -qw "net.ipv6.conf.$VETH_DP.disable_ipv6=1"
	ip netns exec "$NS_DP" ip link set "$VETH_DP" up
	ip netns exec "$NS_PEER" sysctl -qw "net.ipv6.conf.$VETH_PEER.disable_ipv6=1"
	ip netns exec "$NS_PEER" ip addr add "$PEER_IP/24" dev "$VETH_PEER"
	ip netns exec "$NS_PEER" ip link set "$VETH_PEER" up
	ip netns exec "$NS_PEER" ip link set lo up
	# The kernel would leave checksums to an offload that af_packet never does.
	ip netns exec "$NS_PEER" ethtool -K "$VETH_PEER" tx off >/dev/null
}

# topo_ini [extra INI text]: the instance's config on stdout
topo_ini() {
	cat <<INI
[global]
idle = adaptive
[port.p0]
dev = net_af_packet0
ip = $DP_IP/24
mac = $DP_MAC
INI
	[ $# -gt 0 ] && printf '%s\n' "$@"
	return 0
}

topo_start_nonstop() {
	local ini=$1
	ip netns exec "$NS_DP" "$NONSTOP" --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix "$TOPO_TAG" -l 0 --log-level=lib.eal:warning \
		--vdev "net_af_packet0,iface=$VETH_DP,framecnt=4096" -- \
		--config "$ini" --ctl-socket "$CTL_SOCK" >"$TOPO_TMP/nonstop.log" 2>&1 &
	NONSTOP_PID=$!
	for _ in $(seq 100); do
		"$NONSTOPCTL" -s "$CTL_SOCK" show version >/dev/null 2>&1 && return 0
		kill -0 "$NONSTOP_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "FAIL: nonstop did not start"
	cat "$TOPO_TMP/nonstop.log"
	return 1
}

nsctl() { "$NONSTOPCTL" -s "$CTL_SOCK" "$@"; }

topo_capture() {
	local log=$TOPO_TMP/tcpdump.$RANDOM.log
	ip netns exec "$NS_PEER" tcpdump -i "$VETH_PEER" -U -s 0 -w "$1" >"$log" 2>&1 &
	TOPO_PIDS+=($!)
	# Capture only counts once tcpdump says it listens.
	for _ in $(seq 100); do
		grep -q "listening on" "$log" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "FAIL: tcpdump did not start: $(cat "$log")"
	return 1
}

topo_capture_stop() {
	for p in "${TOPO_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	wait "${TOPO_PIDS[@]}" 2>/dev/null
	TOPO_PIDS=()
}

topo_loss() {
	ip netns exec "$NS_PEER" nft -f - <<NFT
table inet nonstop_loss {
	chain in { type filter hook input priority 0; ip protocol tcp numgen random mod 100 < $1 drop; }
	chain out { type filter hook output priority 0; ip protocol tcp numgen random mod 100 < $1 drop; }
}
NFT
}

# Problems tshark finds in the frames nonstop sent (scripts/tshark_check.sh).
topo_expert_errors() {
	"$TOPO_TOP/scripts/tshark_check.sh" "$1" "eth.src == $DP_MAC" || {
		[ $? = 2 ] && echo "tshark failed on $1"
		return 0
	}
}
