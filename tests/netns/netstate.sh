#!/usr/bin/env bash
# Network state service: unmodified iproute2 with
# LD_PRELOAD=libnonstop_netstate.so sees the instance's ports, addresses,
# neighbours, routes and TCP connections, answered by the dataplane:
#   ip -j link / addr / neigh / route, ss -tin state established, ss filters
#   (sport = :7, dport = :N), against what the config and 'show tcp conns'
#   say; without the preload the kernel's answers are unchanged; malformed
#   requests get a netlink error and the instance carries on.
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init nst
topo_pair || exit 1
topo_ini "[listener.echo]" "port = 7" "app = echo" >"$TOPO_TMP/ns.ini"
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1
PRE=$(dirname "$NONSTOP")/libnonstop_netstate.so
withpre() { ip netns exec "$NS_DP" env LD_PRELOAD="$PRE" NONSTOP_CTL_SOCKET="$CTL_SOCK" "$@"; }
js() { /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# Links and addresses: exactly the configured port.
links=$(withpre ip -j link show | js '" ".join(l["ifname"] + "/" + l["address"] + "/" + l["operstate"] for l in d)')
check "ip -j link lists the port p0 with its MAC, up ($links)" test "$links" = "p0/$DP_MAC/UP"
addrs=$(withpre ip -j addr show | js '" ".join(l["ifname"] + ":" + ",".join(a["local"] + "/" + str(a["prefixlen"]) for a in l["addr_info"]) for l in d)')
check "ip -j addr lists p0 with $DP_IP/24 only ($addrs)" test "$addrs" = "p0:$DP_IP/24"
one=$(withpre ip -j link show dev p0 | js 'd[0]["ifname"] + " " + str(d[0]["mtu"])')
check "ip link show dev p0 (one link by name: $one)" test "${one%% *}" = p0
routes=$(withpre ip -j route show | js '" ".join(r["dst"] + "@" + r["dev"] for r in d)')
check "ip -j route: the connected route ($routes)" test "$routes" = "192.0.2.0/24@p0"

# Neighbours: the peer, once it talked to us.
peer ping -c 2 -i 0.2 -q "$DP_IP" >/dev/null
pmac=$(peer ip -j link show "$VETH_PEER" | js 'd[0]["address"]')
neigh=$(withpre ip -j neigh show | js '" ".join(n["dst"] + "/" + n.get("lladdr", "-") + "/" + n["dev"] for n in d)')
check "ip -j neigh lists the peer $PEER_IP $pmac on p0 ($neigh)" test "$neigh" = "$PEER_IP/$pmac/p0"

# TCP: five connections from the kernel peer, each sent 1000 + 100 i bytes.
peer /usr/bin/python3 -c '
import socket, sys, time, os
cs = []
for i in range(5):
    s = socket.create_connection((sys.argv[1], 7), timeout=10)
    data = bytes(1000 + 100 * i)
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        got += s.recv(65536)
    cs.append(s)
    print(s.getsockname()[1], len(data), flush=True)
open(sys.argv[2], "w").close()
t = time.time()
while not os.path.exists(sys.argv[3]) and time.time() - t < 60:
    time.sleep(0.05)
' "$DP_IP" "$TOPO_TMP/ready" "$TOPO_TMP/done" >"$TOPO_TMP/conns" 2>&1 &
ppid=$!
check "five connections up" wait_for 20 test -e "$TOPO_TMP/ready"
withpre ss -tin state established >"$TOPO_TMP/ss.out" 2>&1
n_ss=$(grep -c "$DP_IP:7 " "$TOPO_TMP/ss.out")
n_show=$(nsctl show tcp conns | grep -c "ESTABLISHED")
check "ss -tin state established: $n_ss connections = show tcp conns: $n_show" test "$n_ss" = 5 -a "$n_show" = 5
ports_ss=$(awk -v ip="$PEER_IP" '{for (i = 1; i <= NF; i++) if (index($i, ip ":") == 1) {sub(ip ":", "", $i); print $i}}' "$TOPO_TMP/ss.out" | sort -n | tr '\n' ' ')
ports_peer=$(awk '{print $1}' "$TOPO_TMP/conns" | sort -n | tr '\n' ' ')
check "the peer ports ss shows are the peer's ($ports_ss)" test "$ports_ss" = "$ports_peer"
# tcp_info from the TCB: what each connection received (bytes_received) is
# what the peer sent on it; cwnd, rtt, mss and wscale are there.
ok_bytes=0
while read -r port len; do
	got=$(awk -v p=":$port" '$0 ~ p"[ \t]*$" || index($0, p " ") {getline; print; exit}' "$TOPO_TMP/ss.out" |
		grep -o 'bytes_received:[0-9]*' | cut -d: -f2)
	[ "$got" = "$len" ] && ok_bytes=$((ok_bytes + 1))
done <"$TOPO_TMP/conns"
check "bytes_received per connection = what the peer sent ($ok_bytes of 5)" test "$ok_bytes" = 5
check "ss -i shows rtt, cwnd, mss and wscale" \
	sh -c "grep -q 'rtt:' '$TOPO_TMP/ss.out' && grep -q 'cwnd:' '$TOPO_TMP/ss.out' && grep -q ' mss:' '$TOPO_TMP/ss.out' && grep -q 'wscale:' '$TOPO_TMP/ss.out'"
n7=$(withpre ss -Htn state established sport = :7 | wc -l)
n8=$(withpre ss -Htn state established sport = :8 | wc -l)
first=$(awk 'NR == 1 {print $1}' "$TOPO_TMP/conns")
nd=$(withpre ss -Htn dport = :"$first" | wc -l)
check "ss filters: sport = :7 -> $n7 (5), sport = :8 -> $n8 (0), dport = :$first -> $nd (1)" \
	test "$n7" = 5 -a "$n8" = 0 -a "$nd" = 1
nl=$(withpre ss -Htln | grep -c ':7 ')
check "ss -tln lists the listener on port 7" test "$nl" -ge 1
json=$(nsctl show netstate json | js 'len(d["tcp"])')
check "show netstate json: the same five connections" test "$json" = 5
tel=$(printf '/nonstop/netstate\n' | /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$TOPO_TAG" 2>/dev/null |
	/usr/bin/python3 -c 'import json, sys
for line in sys.stdin:
    line = line.strip().lstrip("-> ").strip()
    if "/nonstop/netstate" in line:
        d = json.loads(line)["/nonstop/netstate"]
        print(len([t for t in d["tcp"].values() if "ESTABLISHED" in t]), len(d["links"]), len(d["neighbours"]))
        break')
check "telemetry /nonstop/netstate: 5 connections, 1 link, 1 neighbour (${tel:-none})" test "$tel" = "5 1 1"
touch "$TOPO_TMP/done"
wait "$ppid"

# Without the preload: the kernel's own view, unchanged.
kaddrs=$(ip netns exec "$NS_DP" ip -j addr show | js '" ".join(l["ifname"] for l in d)')
check "without the preload ip addr is the kernel's ($kaddrs)" sh -c "echo '$kaddrs' | grep -qw lo && ! echo '$kaddrs' | grep -qw p0"

# Malformed requests: a netlink error (NLMSG_ERROR, -EINVAL), never a crash.
err=$(nsctl netlink route 0 10000000120003010000000000000000 | tail -1)
check "an RTM_GETLINK with a bad length gets NLMSG_ERROR -EINVAL ($err)" \
	sh -c "echo '$err' | grep -q '^24000000020000' && echo '$err' | grep -q 'eaffffff'"
bad=$(nsctl netlink diag 0 zz 2>&1 | head -1)
check "non-hex bytes are refused ($bad)" sh -c "echo '$bad' | grep -q 'not hex'"
check "the instance still answers" nsctl show version
exit $fail
