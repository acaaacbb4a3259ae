#!/usr/bin/env bash
# An application of one's own: examples/upper (docs/APPS.md), a shared
# object loaded with [app.upper], against a Linux peer.  Lines come back in
# upper case, also when split across segments; a line over max_line gets an
# error and a FIN; the connection's timer closes an idle connection, and
# each line sets it again; the counters are the application's own.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init upper tcpdump
UPPER=${NONSTOP_UPPER:-$TOPO_TOP/build/libupper.so}
[ -f "$UPPER" ] || topo_skip "no $UPPER (build first)"
topo_pair
topo_ini "[app.upper]" "lib = $UPPER" "max_line = 64" "idle_ms = 300" \
	"[listener.upper]" "port = 7000" "app = upper" >"$TOPO_TMP/ns.ini"
topo_capture "$TOPO_TMP/peer.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1

fail=0
client() { timeout 20 ip netns exec "$NS_PEER" /usr/bin/python3 - "$DP_IP" "$@"; }
client <<'PY' >"$TOPO_TMP/client.out" 2>&1
import socket, sys, time
ip = sys.argv[1]

def conn():
    s = socket.create_connection((ip, 7000), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def read_until_eof(s):
    out = b""
    while True:
        d = s.recv(4096)
        if not d:
            return out
        out += d

def expect(s, want):
    got = b""
    while len(got) < len(want):
        d = s.recv(4096)
        if not d:
            break
        got += d
    return got == want, got

s = conn()
s.sendall(b"hello\nwor")
time.sleep(0.05)
s.sendall(b"ld\n")
ok, got = expect(s, b"HELLO\nWORLD\n")
print("split", "ok" if ok else "bad %r" % got)
# a line every 100 ms for a second: the idle timer (300 ms) is set again each time
alive = True
for i in range(10):
    time.sleep(0.1)
    s.sendall(b"tick %d\n" % i)
    ok, got = expect(s, b"TICK %d\n" % i)
    alive = alive and ok
print("ticks", "ok" if alive else "bad")
t0 = time.time()
rest = read_until_eof(s)
print("idle", "ok" if rest == b"BYE idle\n" and 0.25 < time.time() - t0 < 2 else "bad %r %.2f" % (rest, time.time() - t0))
s.close()
s = conn()
s.sendall(b"x" * 100)
rest = read_until_eof(s)
print("too_long", "ok" if rest == b"ERR line too long\n" else "bad %r" % rest)
s.close()
PY
sed 's/^/    /' "$TOPO_TMP/client.out"
check "a line split across segments comes back in upper case" grep -qx "split ok" "$TOPO_TMP/client.out"
check "each line sets the idle timer again (10 lines, 100 ms apart, timer 300 ms)" grep -qx "ticks ok" "$TOPO_TMP/client.out"
check "an idle connection is closed by its timer (BYE, then FIN)" grep -qx "idle ok" "$TOPO_TMP/client.out"
check "a line over max_line: the error, then FIN" grep -qx "too_long ok" "$TOPO_TMP/client.out"
apps=$(nsctl show apps)
sed -n '/^upper/,/^callback/p' <<<"$apps" | sed 's/^/    /'
ctr() { awk -v k="app.upper.$1" '$1 == k {print $2}' <<<"$apps"; }
check "the application's counters: 12 lines, 1 too long, 1 closed idle" \
	test "$(ctr lines)" = 12 -a "$(ctr too_long)" = 1 -a "$(ctr idle_closed)" = 1
topo_capture_stop
rst=$(tcpdump -nr "$TOPO_TMP/peer.pcap" "src host $DP_IP and tcp[tcpflags] & tcp-rst != 0" 2>/dev/null | wc -l)
check "no RST from nonstop ($rst)" test "$rst" = 0
exit "${fail:-0}"
