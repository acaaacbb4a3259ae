# shellcheck shell=bash
# Namespace topology for the integration tests and the demo.  Source it:
#
#   . scripts/netns/topo.sh
#   topo_init TAG [TOOL...]  root check (else "SKIP: ..." and exit 77), required tools
#                            (SKIP when missing), names derived from TAG + pid + random
#                            (parallel runs never collide), cleanup trapped on
#                            EXIT INT TERM HUP
#   topo_pair                namespace $NS_DP (nonstop) <-veth-> namespace $NS_PEER
#                            (Linux host, $PEER_IP/24 on $VETH_PEER)
#   topo_ini [LINE...]       an instance's INI on stdout ([global] idle = adaptive,
#                            [port.p0] on net_af_packet0, $DP_IP/24, $DP_MAC), LINEs appended
#   topo_start_nonstop INI   nonstop on net_af_packet inside $NS_DP; waits (bounded)
#                            until 'nonstopctl show version' answers.  EAL lcores
#                            from $TOPO_LCORES (default 0), extra devargs (",k=v")
#                            from $TOPO_VDEV_ARGS
#   topo_stop_nonstop        SIGTERM, SIGKILL after TOPO_STOP_TIMEOUT s; $NONSTOP_RC
#   nsctl WORDS...           nonstopctl on that instance (bounded by NSCTL_TIMEOUT s)
#   topo_capture FILE        tcpdump on $VETH_PEER until topo_capture_stop or cleanup
#   topo_capture_stop        stop the captures (files complete afterwards)
#   topo_loss PCT            drop PCT% of TCP both ways in the peer (nftables numgen)
#   topo_bridged [lx]        $NS_DP and $NS_PEER (and with 'lx' a second Linux host
#                            $NS_LX, $LX_IP) as ports of a bridge in $NS_BR; every
#                            kernel veth without checksum, TSO, GSO and GRO offload,
#                            so the bridge sees and drops frames of the MTU
#   topo_bridge_loss PCT     drop PCT% of the TCP frames the bridge forwards (both
#                            ways, every host pair); 0 removes the rule
#   topo_ref_host            a second Linux host $NS_REF ($REF_IP) on its own veth
#                            to $NS_PEER: a kernel-TCP reference server's namespace
#   topo_bridge_capture FILE [SNAPLEN]  tcpdump on the bridge's port to nonstop
#   topo_expert_errors PCAP  tshark's problems in the frames nonstop sent (empty: none)
#   topo_check DESC COND     eval COND: print "PASS: DESC" or "FAIL: DESC" and count
#   check DESC CMD...        run CMD: "ok   DESC" or "FAIL DESC", fail=1 on failure
#   peer CMD...              CMD in the peer's namespace
#   wait_for SECONDS CMD...  poll CMD every 0.1 s until it succeeds (bounded)
#   topo_instance_start NAME INI VDEV...  a named instance (ictl NAME, topo_instance_stop)
#   topo_summary             last line of a test; returns 1 if any check failed
#   takeover_figures EPOCH NAME  the last takeover in NAME's 'show ha', from a kill at EPOCH
#
# Addresses: documentation ranges only (RFC 5737): 192.0.2.0/24 here (nonstop
# .2, Linux peer .1).  Never touches the root namespace's interfaces: both veth
# ends are created directly inside their namespaces.  Every wait is bounded in
# count and time.  Cleanup runs on exit, failure, Ctrl-C or SIGTERM, once:
# nonstop stopped (SIGTERM, then SIGKILL), captures stopped, leftover processes
# in our namespaces killed, namespaces deleted, temporary files and the EAL
# runtime directory removed.  KEEP_TMP=1 keeps $TOPO_TMP (logs, ini, captures).
# Works with or without 'set -euo pipefail' in the caller.

TOPO_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NONSTOP=${NONSTOP:-$TOPO_TOP/build/app/nonstop}
NONSTOPCTL=${NONSTOPCTL:-$TOPO_TOP/build/app/nonstopctl}
DP_IP=192.0.2.2
PEER_IP=192.0.2.1
DP_MAC=02:00:00:00:00:02
TOPO_START_TIMEOUT=${TOPO_START_TIMEOUT:-20} # s until nonstop answers on its ctl socket
TOPO_STOP_TIMEOUT=${TOPO_STOP_TIMEOUT:-5}    # s between SIGTERM and SIGKILL
NSCTL_TIMEOUT=${NSCTL_TIMEOUT:-10}           # s for one nonstopctl command
TOPO_FAILS=0
TOPO_CHECKS=0

topo_skip() {
	echo "SKIP: $*"
	exit 77
}

topo_require_root() {
	[ "$(id -u)" = 0 ] ||
		topo_skip "needs root (network namespaces, veth pairs, AF_PACKET sockets): run it with sudo"
}

topo_require_tools() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			topo_skip "'$t' is not installed (scripts/deps.sh installs the test tools)"
	done
}

topo_init() {
	local tag=$1 h
	shift
	topo_require_root
	topo_require_tools ip ethtool sysctl timeout md5sum "$@"
	if [ ! -x "$NONSTOP" ] || [ ! -x "$NONSTOPCTL" ]; then
		echo "FAIL: $NONSTOP or $NONSTOPCTL is not built (meson setup build && ninja -C build)"
		exit 1
	fi
	TOPO_TAG=$tag-$$-$RANDOM
	NS_DP=ns-dp-$TOPO_TAG
	NS_PEER=ns-peer-$TOPO_TAG
	# Interface names: 15 characters at most; distinct per run for readable logs.
	h=$(printf '%s' "$TOPO_TAG" | md5sum | cut -c1-10)
	VETH_DP=vd$h
	VETH_PEER=vp$h
	TOPO_PIDS=()
	TOPO_NS=()
	NONSTOP_PID=
	NONSTOP_RC=
	TOPO_CLEANED=0
	TOPO_TMP=$(mktemp -d "/tmp/nonstop-$tag.XXXXXX") || exit 1
	CTL_SOCK=$TOPO_TMP/ctl.sock
	trap topo_cleanup EXIT
	trap 'topo_interrupted 130 INT' INT
	trap 'topo_interrupted 143 TERM' TERM
	trap 'topo_interrupted 129 HUP' HUP
}

topo_interrupted() {
	echo "interrupted (SIG$2): cleaning up" >&2
	exit "$1" # the EXIT trap cleans up
}

# Is PID alive and still a child of this shell (neither a zombie nor a
# recycled pid)?  'ip netns exec' execs its command, so the tools we start
# are our children.
topo_child_alive() {
	local stat st ppid
	[ -n "${1:-}" ] || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	read -r st ppid _ <<<"${stat##*) }"
	[ "$st" != Z ] && [ "$ppid" = "$$" ]
}

# Wait up to $2 seconds for child $1 to exit.
topo_wait_exit() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		topo_child_alive "$1" || return 0
		sleep 0.1
	done
	! topo_child_alive "$1"
}

topo_cleanup() {
	local rc=$? ns p i
	set +e
	trap '' INT TERM HUP # a second Ctrl-C must not leave namespaces behind
	[ "${TOPO_CLEANED:-1}" = 0 ] || return $rc
	TOPO_CLEANED=1
	topo_capture_stop
	topo_stop_nonstop
	for ns in "${!TOPO_INST_PID[@]}"; do
		topo_instance_stop "$ns"
	done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -s "$TOPO_TMP/nonstop.log" ]; then
		echo "--- nonstop log (last 30 lines of $TOPO_TMP/nonstop.log)"
		tail -n 30 "$TOPO_TMP/nonstop.log"
	fi
	# Anything still running in our namespaces (a ping cut short) is ours.
	for ns in "${TOPO_NS[@]}"; do
		for i in 1 2 3; do
			p=$(ip netns pids "$ns" 2>/dev/null)
			[ -n "$p" ] || break
			# shellcheck disable=SC2086
			kill -KILL $p 2>/dev/null
			sleep 0.1
		done
		ip netns del "$ns" 2>/dev/null || echo "cleanup: cannot delete namespace $ns" >&2
	done
	TOPO_NS=()
	# With --no-shconf EAL still creates /var/run/dpdk/<prefix> (telemetry socket)
	# and does not remove it at exit.
	[ -n "${TOPO_TAG:-}" ] && rm -rf "/var/run/dpdk/$TOPO_TAG"
	if [ "${KEEP_TMP:-0}" = 1 ]; then
		echo "KEEP_TMP=1: kept $TOPO_TMP" >&2
	else
		rm -rf "$TOPO_TMP"
	fi
	return $rc
}

# Run a setup step; on failure say which one and return 1.
topo_do() {
	local out
	if ! out=$("$@" 2>&1); then
		echo "FAIL: topology setup: $*: $out"
		return 1
	fi
}

topo_ns_add() {
	topo_do ip netns add "$1" || return 1
	TOPO_NS+=("$1")
	topo_do ip -n "$1" link set lo up || return 1
	# IPv6 off in the whole namespace before the veth exists: no link-local
	# address, router solicitation or MLD report to muddy captures.
	if [ -d /proc/sys/net/ipv6 ]; then
		topo_do ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	fi
}

topo_pair() {
	topo_ns_add "$NS_DP" || return 1
	topo_ns_add "$NS_PEER" || return 1
	topo_do ip -n "$NS_DP" link add "$VETH_DP" type veth peer name "$VETH_PEER" netns "$NS_PEER" ||
		return 1
	if [ -d /proc/sys/net/ipv6 ]; then
		topo_do ip netns exec "$NS_DP" sysctl -qw "net.ipv6.conf.$VETH_DP.disable_ipv6=1" || return 1
		topo_do ip netns exec "$NS_PEER" sysctl -qw "net.ipv6.conf.$VETH_PEER.disable_ipv6=1" ||
			return 1
	fi
	topo_do ip -n "$NS_DP" link set "$VETH_DP" up || return 1
	topo_do ip -n "$NS_PEER" addr add "$PEER_IP/24" dev "$VETH_PEER" || return 1
	topo_do ip -n "$NS_PEER" link set "$VETH_PEER" up || return 1
	# The kernel would leave checksums to an offload that af_packet never
	# performs (nonstop would see bad checksums); tx off also turns off TSO, so
	# no 64 KB GSO frame reaches nonstop's 2 KB af_packet ring frames.
	topo_do ip netns exec "$NS_PEER" ethtool -K "$VETH_PEER" tx off || return 1
}

# topo_ini [LINE...]: the instance's config on stdout
topo_ini() {
	cat <<INI
[global]
idle = adaptive
[port.p0]
dev = net_af_packet0
ip = $DP_IP/24
mac = $DP_MAC
INI
	[ $# -eq 0 ] || printf '%s\n' "$@"
}

topo_start_nonstop() {
	local ini=$1 i end
	NONSTOP_RC=
	if [ -n "${NONSTOP_PID:-}" ]; then
		echo "FAIL: topo_start_nonstop: nonstop already runs (pid $NONSTOP_PID)"
		return 1
	fi
	ip netns exec "$NS_DP" "$NONSTOP" --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix "$TOPO_TAG" -l "${TOPO_LCORES:-0}" --log-level=lib.eal:warning \
		--vdev "net_af_packet0,iface=$VETH_DP,framecnt=4096${TOPO_VDEV_ARGS:-}" -- \
		--config "$ini" --ctl-socket "$CTL_SOCK" </dev/null >"$TOPO_TMP/nonstop.log" 2>&1 &
	NONSTOP_PID=$!
	end=$((SECONDS + TOPO_START_TIMEOUT))
	for ((i = 0; i < 10 * TOPO_START_TIMEOUT && SECONDS < end; i++)); do
		timeout 2 "$NONSTOPCTL" -s "$CTL_SOCK" show version >/dev/null 2>&1 && return 0
		topo_child_alive "$NONSTOP_PID" || break
		sleep 0.1
	done
	if topo_child_alive "$NONSTOP_PID"; then
		echo "FAIL: nonstop did not answer on $CTL_SOCK within ${TOPO_START_TIMEOUT}s"
	else
		wait "$NONSTOP_PID" && NONSTOP_RC=0 || NONSTOP_RC=$?
		echo "FAIL: nonstop exited during start-up (status $NONSTOP_RC)"
		NONSTOP_PID=
	fi
	echo "--- $TOPO_TMP/nonstop.log"
	cat "$TOPO_TMP/nonstop.log"
	: >"$TOPO_TMP/nonstop.log" # printed once, not again by the cleanup
	return 1
}

# Stop nonstop: SIGTERM, SIGKILL after TOPO_STOP_TIMEOUT s.  Its exit status
# lands in NONSTOP_RC (also when it already exited, e.g. after 'quit').
topo_stop_nonstop() {
	local pid=${NONSTOP_PID:-}
	[ -n "$pid" ] || return 0
	if topo_child_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		if ! topo_wait_exit "$pid" "$TOPO_STOP_TIMEOUT"; then
			echo "nonstop (pid $pid) still runs ${TOPO_STOP_TIMEOUT}s after SIGTERM: SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
		fi
	fi
	NONSTOP_RC=0
	wait "$pid" 2>/dev/null || NONSTOP_RC=$?
	NONSTOP_PID=
	return 0
}

nsctl() {
	timeout --foreground -k 2 "$NSCTL_TIMEOUT" "$NONSTOPCTL" -s "$CTL_SOCK" "$@"
}

# Several instances in $NS_DP (replication, failover): each NAME has its own
# file prefix, ctl socket $TOPO_TMP/NAME.sock and log $TOPO_TMP/NAME.log.
declare -A TOPO_INST_PID=()

# topo_instance_start NAME INI VDEV...: waits (bounded) until its ctl answers
topo_instance_start() {
	local name=$1 ini=$2 v i end
	local args=()
	shift 2
	for v in "$@"; do args+=(--vdev "$v"); done
	rm -f "$TOPO_TMP/$name.sock"
	ip netns exec "$NS_DP" "$NONSTOP" --no-huge -m 512 --no-pci --no-shconf \
		--file-prefix "$TOPO_TAG-$name" -l "${TOPO_LCORES:-0}" --log-level=lib.eal:warning \
		"${args[@]}" -- --config "$ini" --ctl-socket "$TOPO_TMP/$name.sock" \
		</dev/null >>"$TOPO_TMP/$name.log" 2>&1 &
	TOPO_INST_PID[$name]=$!
	end=$((SECONDS + TOPO_START_TIMEOUT))
	for ((i = 0; i < 10 * TOPO_START_TIMEOUT && SECONDS < end; i++)); do
		timeout 2 "$NONSTOPCTL" -s "$TOPO_TMP/$name.sock" show version >/dev/null 2>&1 && return 0
		topo_child_alive "${TOPO_INST_PID[$name]}" || break
		sleep 0.1
	done
	echo "FAIL: nonstop '$name' did not start; its log:"
	tail -n 20 "$TOPO_TMP/$name.log"
	return 1
}

# ictl NAME WORDS...: nonstopctl on instance NAME
ictl() {
	local name=$1
	shift
	timeout --foreground -k 2 "$NSCTL_TIMEOUT" "$NONSTOPCTL" -s "$TOPO_TMP/$name.sock" "$@"
}

# topo_instance_stop NAME [KILL]: SIGTERM (then SIGKILL), or SIGKILL at once
topo_instance_stop() {
	local pid=${TOPO_INST_PID[$1]:-}
	[ -n "$pid" ] || return 0
	if [ "${2:-}" = KILL ]; then
		kill -KILL "$pid" 2>/dev/null
	elif topo_child_alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		topo_wait_exit "$pid" "$TOPO_STOP_TIMEOUT" || kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	TOPO_INST_PID[$1]=
	rm -rf "/var/run/dpdk/$TOPO_TAG-$1"
	return 0
}

topo_capture() {
	topo_capture_on "$NS_PEER" "$VETH_PEER" "$1" 0
}

# topo_capture_on NS IFACE FILE SNAPLEN: tcpdump in NS on IFACE (0: whole frames)
topo_capture_on() {
	local log pid i
	topo_require_tools tcpdump
	log=$TOPO_TMP/tcpdump.${#TOPO_PIDS[@]}.log
	ip netns exec "$1" tcpdump -n -i "$2" -U -s "$4" -w "$3" </dev/null >"$log" 2>&1 &
	pid=$!
	TOPO_PIDS+=("$pid")
	# The capture counts only once tcpdump says it listens.
	for ((i = 0; i < 100; i++)); do
		grep -q "listening on" "$log" 2>/dev/null && return 0
		topo_child_alive "$pid" || break
		sleep 0.05
	done
	echo "FAIL: tcpdump did not start on $2: $(cat "$log")"
	return 1
}

topo_capture_stop() {
	local p
	for p in "${TOPO_PIDS[@]}"; do
		topo_child_alive "$p" && kill -INT "$p" 2>/dev/null
	done
	for p in "${TOPO_PIDS[@]}"; do
		if ! topo_wait_exit "$p" 5; then
			echo "tcpdump (pid $p) ignores SIGINT: SIGKILL" >&2
			kill -KILL "$p" 2>/dev/null
		fi
		wait "$p" 2>/dev/null
	done
	TOPO_PIDS=()
	return 0
}

topo_loss() {
	topo_require_tools nft
	ip netns exec "$NS_PEER" nft -f - <<NFT
table inet nonstop_loss {
	chain in { type filter hook input priority 0; ip protocol tcp numgen random mod 100 < $1 drop; }
	chain out { type filter hook output priority 0; ip protocol tcp numgen random mod 100 < $1 drop; }
}
NFT
}

# topo_bridged [lx]: nonstop's veth, the Linux peer's (and a second Linux
# host's) all end on bridge br0 in $NS_BR, where loss can be applied to what
# it forwards in both directions.  Offloads off on every kernel veth: the
# frames that cross the bridge are single segments of the MTU, so a drop
# rule drops one segment (as on a wire), and nonstop never sees a GSO frame
# or a checksum left to an offload.
LX_IP=192.0.2.3
topo_bridged() {
	local h x
	h=$(printf '%s' "$TOPO_TAG" | md5sum | cut -c1-9)
	NS_BR=ns-br-$TOPO_TAG
	NS_LX=ns-lx-$TOPO_TAG
	BR_DP=bd$h
	topo_ns_add "$NS_DP" || return 1
	topo_ns_add "$NS_PEER" || return 1
	topo_ns_add "$NS_BR" || return 1
	topo_do ip -n "$NS_BR" link add br0 type bridge || return 1
	topo_do ip -n "$NS_DP" link add "$VETH_DP" type veth peer name "$BR_DP" netns "$NS_BR" ||
		return 1
	topo_do ip -n "$NS_PEER" link add "$VETH_PEER" type veth peer name "bp$h" netns "$NS_BR" ||
		return 1
	topo_do ip -n "$NS_DP" link set "$VETH_DP" up || return 1
	topo_do ip -n "$NS_PEER" addr add "$PEER_IP/24" dev "$VETH_PEER" || return 1
	topo_do ip -n "$NS_PEER" link set "$VETH_PEER" up || return 1
	topo_do ip netns exec "$NS_PEER" ethtool -K "$VETH_PEER" tx off tso off gso off gro off ||
		return 1
	if [ "${1:-}" = lx ]; then
		topo_ns_add "$NS_LX" || return 1
		topo_do ip -n "$NS_LX" link add "vl$h" type veth peer name "bl$h" netns "$NS_BR" ||
			return 1
		topo_do ip -n "$NS_LX" addr add "$LX_IP/24" dev "vl$h" || return 1
		topo_do ip -n "$NS_LX" link set "vl$h" up || return 1
		topo_do ip netns exec "$NS_LX" ethtool -K "vl$h" tx off tso off gso off gro off ||
			return 1
	fi
	for x in "$BR_DP" "bp$h" "bl$h"; do
		ip -n "$NS_BR" link show "$x" >/dev/null 2>&1 || continue
		topo_do ip -n "$NS_BR" link set "$x" master br0 || return 1
		topo_do ip netns exec "$NS_BR" ethtool -K "$x" tx off tso off gso off gro off ||
			return 1
		topo_do ip -n "$NS_BR" link set "$x" up || return 1
	done
	topo_do ip -n "$NS_BR" link set br0 up || return 1
}

# topo_ref_host: a second Linux host, namespace $NS_REF ($REF_IP), for a
# kernel-TCP reference server (redis-server against kv), on its own veth pair
# to $NS_PEER ($REF_PEER_IP on the peer's end, offloads as on nonstop's
# pair): the same client namespace reaches nonstop and the reference over
# the same kind of path.  Call it after topo_pair.
REF_IP=198.51.100.2
REF_PEER_IP=198.51.100.1
topo_ref_host() {
	local h
	h=$(printf '%s' "$TOPO_TAG" | md5sum | cut -c1-9)
	NS_REF=ns-ref-$TOPO_TAG
	topo_ns_add "$NS_REF" || return 1
	topo_do ip -n "$NS_REF" link add "vr$h" type veth peer name "vq$h" netns "$NS_PEER" ||
		return 1
	topo_do ip -n "$NS_REF" addr add "$REF_IP/24" dev "vr$h" || return 1
	topo_do ip -n "$NS_REF" link set "vr$h" up || return 1
	topo_do ip -n "$NS_PEER" addr add "$REF_PEER_IP/24" dev "vq$h" || return 1
	topo_do ip -n "$NS_PEER" link set "vq$h" up || return 1
	topo_do ip netns exec "$NS_PEER" ethtool -K "vq$h" tx off || return 1
}

topo_bridge_loss() {
	topo_require_tools nft
	ip netns exec "$NS_BR" nft delete table bridge nonstop_loss 2>/dev/null
	[ "$1" = 0 ] && return 0
	ip netns exec "$NS_BR" nft -f - <<NFT
table bridge nonstop_loss {
	chain lossy { type filter hook forward priority 0; meta l4proto tcp numgen random mod 100 < $1 drop; }
}
NFT
}

topo_bridge_capture() {
	topo_capture_on "$NS_BR" "$BR_DP" "$1" "${2:-0}"
}

# Problems tshark finds in the frames nonstop sent (scripts/tshark_check.sh:
# expert Errors, and Checksum/Malformed Warns); nothing when there are none.
topo_expert_errors() {
	local rc=0
	"$TOPO_TOP/scripts/tshark_check.sh" "$1" "eth.src == $DP_MAC" || rc=$?
	[ $rc = 2 ] && echo "tshark itself failed on $1"
	return 0
}

# topo_tcp_verdict PCAP MIN_FRAMES: nonstop sent no RST (its counter), and
# tshark finds nothing wrong in the at least MIN_FRAMES frames it sent
# (stops the capture).  Returns 1 on any failure, after printing it.
topo_tcp_verdict() {
	local rst errors frames rc=0
	rst=$(nsctl show tcp stats | awk '$1=="tcp.rst_out"{print $2}')
	if [ -z "$rst" ]; then echo "ok   nonstop sent no RST"; else
		echo "FAIL nonstop sent $rst RSTs"; rc=1; fi
	topo_capture_stop
	errors=$(topo_expert_errors "$1")
	frames=$(tshark -r "$1" -Y "eth.src == $DP_MAC" 2>/dev/null | wc -l)
	if [ -z "$errors" ] && [ "$frames" -gt "$2" ]; then
		echo "ok   tshark: no expert error in $frames frames nonstop sent"
	else
		echo "FAIL tshark over $frames frames nonstop sent: $errors"
		rc=1
	fi
	return $rc
}

# wait_for SECONDS CMD...: until CMD succeeds (polled every 0.1 s), at most SECONDS.
wait_for() {
	local i n=$1
	shift
	for ((i = 0; i < n * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# peer CMD...: run CMD in the peer's namespace.
peer() { ip netns exec "$NS_PEER" "$@"; }

# check DESCRIPTION CMD...: run CMD (no eval); "ok   DESCRIPTION" or
# "FAIL DESCRIPTION", and fail=1 on failure (the script's exit status).  It
# counts for topo_summary too, so a script may end with either.
fail=0
check() {
	local d=$1
	shift
	TOPO_CHECKS=$((TOPO_CHECKS + 1))
	if "$@"; then
		echo "ok   $d"
	else
		echo "FAIL $d"
		fail=1
		TOPO_FAILS=$((TOPO_FAILS + 1))
	fi
}

# Timing targets are asserted on a quiet machine only: on a loaded one (the
# 1-minute load average at least the number of CPUs, or NONSTOP_TIMING=report)
# they are reported.  NONSTOP_TIMING=assert asserts them whatever the load.
topo_loaded() {
	case "${NONSTOP_TIMING:-}" in
	report) return 0 ;;
	assert) return 1 ;;
	esac
	awk -v n="$(nproc)" '{exit !($1 >= n)}' /proc/loadavg
}

# check_timing DESCRIPTION CMD...: check on a quiet machine; on a loaded one
# "note DESCRIPTION" with the load, and no failure.
check_timing() {
	local d=$1
	shift
	if ! topo_loaded; then
		check "$d" "$@"
	elif "$@"; then
		echo "ok   $d"
	else
		echo "note $d: not met with load $(cut -d' ' -f1 /proc/loadavg) (reported, not asserted)"
	fi
}

# topo_check DESCRIPTION CONDITION: CONDITION is eval'ed (quote it).
topo_check() {
	TOPO_CHECKS=$((TOPO_CHECKS + 1))
	if eval "$2"; then
		echo "PASS: $1"
	else
		echo "FAIL: $1"
		TOPO_FAILS=$((TOPO_FAILS + 1))
	fi
	return 0
}

topo_summary() {
	if [ "$TOPO_CHECKS" = 0 ]; then
		echo "FAIL: no check ran"
		return 1
	fi
	if [ "$TOPO_FAILS" = 0 ]; then
		echo "PASS: all $TOPO_CHECKS checks"
		return 0
	fi
	echo "FAIL: $TOPO_FAILS of $TOPO_CHECKS checks failed"
	return 1
}

# --- an active/standby pair (failover tests, demo) -------------------------
# topo_ha_pair: the peer's namespace gets a bridge ($PEER_IP) with one veth to
# each instance (both carry $DP_IP and $DP_MAC: the service address moves with
# the active); a veth pair inside $NS_DP is the replication link.  Captures
# (topo_capture) are on the bridge afterwards.
topo_ha_pair() {
	local x
	topo_ns_add "$NS_DP" || return 1
	topo_ns_add "$NS_PEER" || return 1
	topo_do ip -n "$NS_PEER" link add br0 type bridge || return 1
	for x in a b; do
		topo_do ip -n "$NS_DP" link add "${VETH_DP}$x" type veth peer name "${VETH_PEER}$x" \
			netns "$NS_PEER" || return 1
		topo_do ip -n "$NS_PEER" link set "${VETH_PEER}$x" master br0 || return 1
		topo_do ip -n "$NS_DP" link set "${VETH_DP}$x" up || return 1
		topo_do ip -n "$NS_PEER" link set "${VETH_PEER}$x" up || return 1
		topo_do ip netns exec "$NS_PEER" ethtool -K "${VETH_PEER}$x" tx off || return 1
	done
	topo_do ip -n "$NS_DP" link add "${VETH_DP}r" type veth peer name "${VETH_DP}s" || return 1
	topo_do ip -n "$NS_DP" link set "${VETH_DP}r" up || return 1
	topo_do ip -n "$NS_DP" link set "${VETH_DP}s" up || return 1
	topo_do ip -n "$NS_PEER" addr add "$PEER_IP/24" dev br0 || return 1
	topo_do ip -n "$NS_PEER" link set br0 up || return 1
	topo_do ip netns exec "$NS_PEER" ethtool -K br0 tx off || return 1
	VETH_PEER=br0
}

# The pair's failover time: an active silent this long (plus one keepalive,
# a quarter of it, and 3 ms) is taken over.  The benchmarks may set another.
TOPO_HA_FAILOVER_MS=${TOPO_HA_FAILOVER_MS:-30}

# topo_ha_ini NAME ROLE [LINE...]: the config of instance a or b (echo on port 7).
# Liveness: the channel, heartbeats on the service port, and the BFD session
# 'ha' (10 ms x 3) over the replication link.
# nodelay: an echo of a small write must not wait for the peer's delayed ACK
# (Nagle), which would add up to 40 ms to the stall a takeover is measured by.
topo_ha_ini() {
	local host=1
	[ "$1" = b ] && host=2
	cat <<INI
[global]
idle = adaptive
[port.p0]
dev = net_af_packet0
ip = $DP_IP/24
mac = $DP_MAC
[port.r0]
dev = net_af_packet1
role = replication
ip = 203.0.113.$host/24
mac = 02:00:00:00:01:0$host
[tcp]
max_conns = 256
nodelay = true
[listener.echo]
port = 7
app = echo
[bfd.ha]
peer = 203.0.113.$((3 - host))
tx_interval_ms = 10
rx_interval_ms = 10
multiplier = 3
[repl]
role = $2
port = r0
key = 0x00112233445566778899aabbccddeeff0123456789abcdef
failover_ms = $TOPO_HA_FAILOVER_MS
frame_max = 1500
bfd = ha
INI
	shift 2
	[ $# -eq 0 ] || printf '%s\n' "$@"
}

# topo_ha_start NAME ROLE: instance a or b (topo_instance_start; ictl NAME)
topo_ha_start() {
	local rl=r
	[ "$1" = b ] && rl=s
	topo_ha_ini "$1" "$2" >"$TOPO_TMP/$1.ini"
	topo_instance_start "$1" "$TOPO_TMP/$1.ini" \
		"net_af_packet0,iface=${VETH_DP}$1,framecnt=4096" \
		"net_af_packet1,iface=${VETH_DP}$rl,framecnt=4096"
}
# topo_echo_stalls EVENTS PCAP OUT WHAT: EVENTS holds "N epoch-seconds" lines
# (a kill, a switchover), in time order; for each and each connection of the
# echo service (port 7) that echoed in the 100 ms before it, the longest gap
# between two echo segments from then to 2 s after it or to the next event,
# whichever comes first (a gap the next event made is that event's), in the
# peer's capture.  OUT gets
# "N gap_ms" sorted by the gap; a summary and one line per event are printed.
topo_echo_stalls() {
	tshark -r "$2" -Y "tcp.srcport == 7 && tcp.len > 0" -T fields \
		-e tcp.stream -e frame.time_epoch 2>/dev/null >"$3.echoes"
	awk 'FNR == NR {at[$1] = $2; n++; next}
		{for (r = 1; r <= n; r++) {
			end = at[r] + 2
			if (r < n && at[r + 1] < end) end = at[r + 1]
			if ($2 < at[r] - 0.1 || $2 > end) continue
			k = r SUBSEP $1
			if (!(k in last) && $2 >= at[r]) continue # opened after the event
			if ((k in last) && $2 - last[k] > gap[k]) gap[k] = $2 - last[k]
			last[k] = $2
		}}
		END {for (k in gap) {split(k, p, SUBSEP); printf "%d %.1f\n", p[1], gap[k] * 1000}}' \
		"$1" "$3.echoes" | sort -k2 -n >"$3"
	awk -v w="$4" '{v[NR] = $2} END {if (NR) printf "    wire stall over %d connection-%ss: p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
		NR, w, v[int((NR + 1) / 2)], v[int(NR * 0.99 + 0.999)], v[NR]}' "$3"
	awk -v w="$4" '{n[$1]++; m[$1] = $2} END {for (r in n)
		printf "    %s %d: wire stall max %.1f ms over %d connections\n", w, r, m[r], n[r]}' "$3" | sort -k2 -n
}

# takeover_figures EPOCH NAME: the last takeover in NAME's 'show ha' as
# "ms_from_EPOCH_to_takeover_done activation_us" (EPOCH: the kill), "- -" if none
takeover_figures() {
	local ha
	ha=$(ictl "$2" show ha)
	awk -v k="$1" -v t="$(sed -n 's/.*takeover done at wall \([0-9]*\) ns.*/\1/p' <<<"$ha" | tail -1)" \
		-v a="$(sed -n 's/.*activated in \([0-9.]*\) us.*/\1/p' <<<"$ha" | tail -1)" \
		'BEGIN {if (t != "") printf "%.1f %s\n", t / 1e6 - k * 1000, a; else print "- -"}'
}

topo_ha_in_sync() { ictl "$1" show ha | grep -q "1 of 1 channels in sync"; }
topo_ha_is_active() { ictl "$1" show ha | grep -q "^role active"; }
# topo_ha_roles: act and sby (a or b) from what the instances say now.  A
# takeover the test did not cause (of an active the host did not run for the
# failover time, topo_ha_host_stalls) may have swapped them.
topo_ha_roles() { if topo_ha_is_active b && ! topo_ha_is_active a; then act=b sby=a; else act=a sby=b; fi; }
# topo_ha_takeovers_logged: the takeovers in both instances' logs (which
# outlive restarts, unlike the counters).
topo_ha_takeovers_logged() { cat "$TOPO_TMP/a.log" "$TOPO_TMP/b.log" 2>/dev/null | grep -c "worker 0: takes over"; }
# topo_ha_host_stalls: takeovers of an active the host did not run for the
# failover time (by definition a dead active).  A fenced active logs how long
# its worker last stood still and how much of that it ran; a worker that ran
# through the silence (work of its own held it) is not one of them.
topo_ha_host_stalls() {
	cat "$TOPO_TMP/a.log" "$TOPO_TMP/b.log" 2>/dev/null |
		sed -n 's/.*fenced: .*last stood still \([0-9.]*\) ms, .* ran \([0-9.]*\) ms of it.*/\1 \2/p' |
		awk -v f="$TOPO_HA_FAILOVER_MS" '$1 >= f && $2 < $1 / 2' | wc -l
}
# topo_ha_takeover_log: what both logs say of takeovers and fences (indented)
topo_ha_takeover_log() {
	grep -h "takes over\|not in sync: no takeover\|fenced: " "$TOPO_TMP/a.log" "$TOPO_TMP/b.log" 2>/dev/null | sed 's/^/    /'
}
