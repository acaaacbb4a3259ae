#!/usr/bin/env bash
# kv (the RESP2 key-value application) against clients nobody here wrote:
# Debian's redis-cli, one command per invocation and a session on stdin,
# diffed against a real redis-server (kernel TCP, its own namespace on its
# own veth, the same client namespace); RESP-level byte comparison of the
# replies (kv_resp.py); redis-cli --pipe with 100 000 SETs; malformed
# requests (Redis's exact error, then FIN, never RST; other clients go on);
# DEBUG DIGEST against 'nonstopctl app kv digest'; maxmemory (a second
# start, 1 MB); tshark's verdict on every segment nonstop sent.
#
# Where kv answers differently from redis-server on purpose, the reply is
# shape-checked instead of compared: INFO (its own short sections), COMMAND
# COUNT (kv's commands), DEBUG DIGEST (kv's own digest), PTTL (the clock);
# and a request of more than 1024 arguments is a protocol error in kv only.
# KV_TCPBUF=BYTES sets [tcp] rcvbuf and sndbuf; the default, 1 MiB, holds
# kv's largest request (max_bulk 512 KiB), as a kv deployment must: with
# nonstop's default 64 KiB a longer request gets the too-big error instead.
set -uo pipefail
KV_TCPBUF=${KV_TCPBUF:-1048576}
. "$(dirname "$0")/../../scripts/netns/topo.sh"
py=/usr/bin/python3
resp=$(dirname "$0")/kv_resp.py
NONSTOP_KV=${NONSTOP_KV:-$TOPO_TOP/build/apps/kv/libnonstop_kv.so}
topo_init kv redis-cli redis-server tcpdump tshark
[ -f "$NONSTOP_KV" ] || { echo "FAIL: $NONSTOP_KV is not built"; exit 1; }
topo_pair || exit 1
topo_ref_host || exit 1
KV=$DP_IP:6379
REF=$REF_IP:6380

# The reference: proto-max-bulk-len at its minimum (1 MB), above kv's
# max_bulk, so a bulk length over both is refused by both; one database,
# as kv (SELECT 1 is an error on both).
ip netns exec "$NS_REF" redis-server --bind "$REF_IP" --port 6380 --save '' --appendonly no \
	--proto-max-bulk-len 1mb --protected-mode no --databases 1 \
	--enable-debug-command yes --logfile "$TOPO_TMP/redis.log" </dev/null >/dev/null 2>&1 &
disown $! # the cleanup kills it with the namespace's processes, quietly
kv_ini() {
	topo_ini "[app.kv]" "lib = $NONSTOP_KV" "maxmemory = $1" \
		"[listener.redis]" "port = 6379" "app = kv" ${KV_TCPBUF:+"[tcp]" "rcvbuf = $KV_TCPBUF" "sndbuf = $KV_TCPBUF"}
}
kv_ini 64mb >"$TOPO_TMP/kv.ini"
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/kv.ini" || exit 1
cli() { # cli HOST PORT ARGS...: redis-cli in the client namespace
	local h=$1 p=$2
	shift 2
	timeout 20 ip netns exec "$NS_PEER" redis-cli --no-raw -h "$h" -p "$p" "$@"
}
wait_for 10 cli "$REF_IP" 6380 PING >/dev/null 2>&1 || { echo "FAIL: redis-server did not start"; exit 1; }
wait_for 10 cli "$DP_IP" 6379 PING >/dev/null 2>&1 || { echo "FAIL: kv does not answer PING"; exit 1; }

# --- redis-cli, one command per invocation and one session on stdin ---------
cat >"$TOPO_TMP/cmds" <<'CMDS'
PING
PING "hello world"
ECHO "two words"
SET greeting hello
GET greeting
SET greeting again XX
SET newkey no XX
SET greeting no NX
SET tmp v EX 100
SET tmp2 v PX 100000
TTL tmp
TTL tmp2
TTL nosuchkey
SET tmp v EX 0
EXPIRE greeting 50
TTL greeting
PERSIST greeting
TTL greeting
PERSIST greeting
INCR counter
INCRBY counter 41
DECR counter
DECRBY counter 2
GET counter
SET huge 9223372036854775807
INCR huge
DECRBY counter -9223372036854775808
INCR greeting
INCRBY counter 1.5
MSET a 1 b 2 c 3
MGET a b c nosuchkey
MSET a
DEL a b nosuchkey
EXISTS a b c greeting greeting
DBSIZE
SELECT 0
SELECT 1
CONFIG GET save
NOSUCHCOMMAND x
FLUSHALL
DBSIZE
QUIT
CMDS
for t in kv:"$DP_IP":6379 ref:"$REF_IP":6380; do
	IFS=: read -r n h p <<<"$t"
	cli "$h" "$p" FLUSHALL >/dev/null
	while IFS= read -r line; do
		eval "set -- $line"
		printf '> %s\n' "$line"
		cli "$h" "$p" "$@" 2>&1
	done <"$TOPO_TMP/cmds" >"$TOPO_TMP/oneshot.$n"
	cli "$h" "$p" FLUSHALL >/dev/null
	cli "$h" "$p" <"$TOPO_TMP/cmds" >"$TOPO_TMP/session.$n" 2>&1
done
lines=$(grep -vc '^> ' "$TOPO_TMP/oneshot.kv")
if diff -u "$TOPO_TMP/oneshot.ref" "$TOPO_TMP/oneshot.kv" >"$TOPO_TMP/oneshot.diff"; then
	echo "ok   redis-cli, $(grep -c . "$TOPO_TMP/cmds") commands one per invocation: $lines output lines equal to redis-server's"
else
	echo "FAIL redis-cli one command per invocation differs from redis-server (- redis, + kv):"
	sed 's/^/    /' "$TOPO_TMP/oneshot.diff"
	fail=1
fi
if diff -u "$TOPO_TMP/session.ref" "$TOPO_TMP/session.kv" >"$TOPO_TMP/session.diff" &&
	[ "$(grep -c . "$TOPO_TMP/session.kv")" -ge 40 ]; then
	echo "ok   redis-cli session on stdin: $(grep -c . "$TOPO_TMP/session.kv") output lines equal to redis-server's"
else
	echo "FAIL redis-cli session on stdin differs from redis-server (- redis, + kv):"
	sed 's/^/    /' "$TOPO_TMP/session.diff"
	fail=1
fi
cli "$DP_IP" 6379 SET k v >/dev/null
info=$(cli "$DP_IP" 6379 INFO)
check "redis-cli INFO: Server, Memory and Keyspace sections, db0 with 1 key" \
	grep -q 'db0:keys=1,' <<<"$info"
check "  (INFO's sections)" test "$(grep -c -e '^# Server' -e '^# Memory' -e '^# Keyspace' <<<"$info")" = 3
n=$(cli "$DP_IP" 6379 COMMAND COUNT)
check "redis-cli COMMAND COUNT: $n (kv's own commands; redis-server: $(cli "$REF_IP" 6380 COMMAND COUNT))" \
	grep -Eq '^\(integer\) [0-9]+$' <<<"$n"

# --- byte-level comparison -------------------------------------------------
ip netns exec "$NS_PEER" $py "$resp" compare "$KV" "$REF" || fail=1

ip netns exec "$NS_PEER" $py "$resp" big "$KV" "$REF" || fail=1

# --- redis-cli --pipe, 100 000 SETs ----------------------------------------
$py -c '
import sys
w = sys.stdout.buffer
for i in range(100000):
    k, v = b"key:%d" % i, b"value:%d" % (i * 7)
    w.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(k), k, len(v), v))
' >"$TOPO_TMP/pipe.resp"
cli "$DP_IP" 6379 FLUSHALL >/dev/null
out=$(cli "$DP_IP" 6379 --pipe <"$TOPO_TMP/pipe.resp" 2>&1)
check "redis-cli --pipe: $(tail -n 1 <<<"$out")" grep -q '^errors: 0, replies: 100000$' <<<"$out"
check "DBSIZE 100000 after the pipe" test "$(cli "$DP_IP" 6379 DBSIZE)" = "(integer) 100000"
bad=0
for i in 0 1 777 31415 99999; do
	[ "$(cli "$DP_IP" 6379 GET "key:$i")" = "\"value:$((i * 7))\"" ] || bad=$((bad + 1))
done
check "5 sample GETs after the pipe" test $bad = 0
rd=$(cli "$DP_IP" 6379 DEBUG DIGEST)
cd=""
for i in $(seq 20); do
	cd=$(nsctl app kv digest)
	[ "$cd" = "$rd" ] && break
	sleep 0.1
done
check "DEBUG DIGEST over RESP ($rd) equals 'nonstopctl app kv digest'" test "$rd" = "$cd"
nsctl app kv | sed 's/^/    /'

# --- hostile input ---------------------------------------------------------
out=$(ip netns exec "$NS_PEER" $py "$resp" hostile "$KV" "$REF") || fail=1
grep -v '^ports ' <<<"$out"
ports=$(sed -n 's/^ports //p' <<<"$out")
nports=$(wc -w <<<"$ports")
pe=$(nsctl show apps | awk '$1 == "app.kv.protocol_errors" {print $2}')
check "app.kv.protocol_errors counts the $nports malformed requests kv answered (${pe:-none})" test "${pe:-0}" = "$nports"
rst=$(nsctl show tcp stats | awk '$1=="tcp.rst_out"{print $2}')
check "nonstop sent no RST (tcp.rst_out ${rst:-0})" test -z "$rst"

# --- maxmemory: a second start with 1 MB -----------------------------------
topo_stop_nonstop
kv_ini 1mb >"$TOPO_TMP/kv1.ini"
topo_start_nonstop "$TOPO_TMP/kv1.ini" || exit 1
wait_for 10 cli "$DP_IP" 6379 PING >/dev/null 2>&1
ip netns exec "$NS_PEER" $py "$resp" oom "$KV" || fail=1
nsctl app kv | sed 's/^/    /'

# --- the wire: FIN for each malformed request, no RST, tshark clean --------
topo_capture_stop
noFin=0
for p in $ports; do
	f=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "tcp.srcport == 6379 && tcp.dstport == $p && tcp.flags.fin == 1" 2>/dev/null | wc -l)
	[ "$f" -ge 1 ] || noFin=$((noFin + 1))
done
check "the capture holds nonstop's FIN on each of the $nports connections it closed" test "$noFin" = 0
r=$(tshark -r "$TOPO_TMP/peer.pcap" -Y "eth.src == $DP_MAC && tcp.flags.reset == 1" 2>/dev/null | wc -l)
check "no RST from nonstop in the capture ($r)" test "$r" = 0
topo_tcp_verdict "$TOPO_TMP/peer.pcap" 1000 || fail=1
exit $fail
