#!/usr/bin/env bash
# nonstopctl and rte_telemetry (dpdk-telemetry.py) report the same numbers;
# nonstopctl's exit codes.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init ctl
topo_pair
topo_ini "[listener.echo]" "port = 7" "app = echo" "repl = async" >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
fail=0
check() { if eval "$2"; then echo "ok   $1"; else echo "FAIL $1"; fail=1; fi; }

ip netns exec "$NS_PEER" ping -c 50 -i 0.01 -q "$DP_IP" >/dev/null
sleep 0.5 # traffic over: both readers see the same totals

tel() { # one telemetry command -> JSON on stdout
	printf '%s\n' "$1" | /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$TOPO_TAG" 2>/dev/null |
		/usr/bin/python3 -c 'import json,sys
for line in sys.stdin:
    line = line.strip().lstrip("-> ").strip()
    if line.startswith("{") and "version" not in line[:12]:
        try:
            d = json.loads(line)
        except ValueError:
            continue
        if "app_name" in d or "version" in d:
            continue
        print(json.dumps(d)); break'
}

stats=$(tel "/ethdev/stats,0")
t_rx=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["/ethdev/stats"]["ipackets"])' "$stats" 2>/dev/null)
t_tx=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])["/ethdev/stats"]["opackets"])' "$stats" 2>/dev/null)
c_rx=$(nsctl show port stats 0 | awk '/rx-packets:/{print $2}')
c_tx=$(nsctl show port stats 0 | awk '/tx-packets:/{print $2}')
check "show port stats 0 = /ethdev/stats,0: rx $c_rx = ${t_rx:-?}, tx $c_tx = ${t_tx:-?}" \
	'[ -n "$t_rx" ] && [ "$c_rx" = "$t_rx" ] && [ "$c_tx" = "$t_tx" ] && [ "$c_rx" -ge 50 ]'

tc=$(tel "/nonstop/counters")
mism=$(nsctl show counters all | /usr/bin/python3 -c 'import json,sys
tel = {"%s.%s" % (g, k): v for g, d in json.loads(sys.argv[1])["/nonstop/counters"].items() for k, v in d.items()}
bad = 0; n = 0
for line in sys.stdin:
    f = line.split()
    if not f or not f[0].split(".")[0] in ("net", "dp") or f[0] in ("dp.polls", "dp.busy_polls", "dp.idle_sleeps"):
        continue
    n += 1
    if tel.get(f[0]) != int(f[1]):
        print("%s console %s telemetry %s" % (f[0], f[1], tel.get(f[0]))); bad += 1
print("compared", n)' "$tc" 2>&1)
check "net.* and dp.* counters: console = /nonstop/counters ($(tail -1 <<<"$mism"))" \
	'[ "$(wc -l <<<"$mism")" = 1 ] && grep -q "compared [1-9]" <<<"$mism"'
arp=$(tel "/nonstop/arp"); [ -n "${DEBUG:-}" ] && echo "arp: $arp"
check "/nonstop/arp lists the kernel host" 'grep -q "\"$PEER_IP [0-9A-Fa-f:]* reachable age_ms=[0-9]* port=p0" <<<"$arp"'

# /nonstop/config: every key of 'show config' in the sections it has
# ([global] at its top, the others as dicts), numbers and booleans as numbers.
tcfg=$(tel "/nonstop/config")
mism=$(nsctl show config | /usr/bin/python3 -c 'import json,sys
t = json.loads(sys.argv[1])["/nonstop/config"]
sec = None; bad = 0; n = 0
for line in sys.stdin:
    line = line.rstrip("\n")
    if line.startswith("["):
        name = line.strip("[]")
        if name.split(".")[0] not in ("global", "lcores", "port", "tcp", "listener", "client", "repl", "overlay"):
            sec = None
            continue
        sec = t if name == "global" else t.get(name.replace(".", "_"))
        if sec is None:
            print("no %s" % name); bad += 1
        continue
    if sec is None or " = " not in line:
        continue
    k, v = line.split(" = ", 1)
    n += 1
    if str(sec.get(k)) != {"yes": "1", "no": "0"}.get(v, v):
        print("%s: show config %s telemetry %s" % (k, v, sec.get(k))); bad += 1
print("compared", n)' "$tcfg" 2>&1)
[ -n "${DEBUG:-}" ] && echo "$mism"
check "show config = /nonstop/config ($(tail -1 <<<"$mism"))" \
	'[ "$(wc -l <<<"$mism")" = 1 ] && grep -q "compared [1-9]" <<<"$mism"'

nsctl show bogus >/dev/null 2>&1; rc=$?
check "nonstopctl exits 1 on an unknown command (got $rc)" '[ $rc = 1 ]'
"$NONSTOPCTL" -s "$TOPO_TMP/none.sock" show version >/dev/null 2>&1; rc=$?
check "nonstopctl exits 2 when no instance listens (got $rc)" '[ $rc = 2 ]'
nsctl show version >/dev/null; rc=$?
check "nonstopctl exits 0 on success (got $rc)" '[ $rc = 0 ]'
nsctl quit >/dev/null
for _ in $(seq 50); do kill -0 "$NONSTOP_PID" 2>/dev/null || break; sleep 0.1; done
wait "$NONSTOP_PID"; rc=$?
check "'quit' over ctl: clean exit (status $rc)" '[ $rc = 0 ]'
exit $fail
