#!/usr/bin/env bash
# Bad configuration files: nonstop must exit non-zero before touching ports,
# with a message naming file:line, [section] and key.
#   config_errors.sh NONSTOP_BIN UPPER_SO BADVER_SO [BGP_SO]
set -uo pipefail
nonstop=$(readlink -f "$1")
upper_so=$(readlink -f "$2")
badver_so=$(readlink -f "$3")
bgp_so=$(readlink -f "${4:-/nonexistent}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" /var/run/dpdk/cfgerr-$$ /var/run/dpdk/cfgprof-$$' EXIT
fail=0 n=0

# expect NAME 'expected message substring' <<< ini-content
expect() {
	local name=$1 want=$2 ini=$tmp/$1.ini out rc
	cat >"$ini"
	out=$(timeout 30 "$nonstop" --no-huge -m 128 --no-pci --no-shconf --file-prefix cfgerr-$$ -l 0 \
		--log-level=lib.eal:error --vdev net_ring0 -- --config "$ini" --no-ctl 2>&1)
	rc=$?
	n=$((n + 1))
	if [ $rc = 0 ]; then
		echo "FAIL $name: exit 0, expected a config error"
		fail=$((fail + 1))
	elif ! grep -qF -- "${want//@/$ini}" <<<"$out"; then
		echo "FAIL $name: expected '${want//@/$ini}' in:"
		echo "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	elif grep -q "Port 0 is closed\|Configuring Port" <<<"$out"; then
		echo "FAIL $name: ports were touched before the error"
		fail=$((fail + 1))
	else
		echo "ok   $name: $(grep 'config error' <<<"$out")"
	fi
}

expect bad_idle '@:3: [global] idle: '"'"'sometimes'"'"' is neither busy nor adaptive' <<'INI'
; comment
[global]
idle = sometimes
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect unknown_key '@:4: [port.a] colour: unknown key' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
colour = blue
INI
expect bad_ip '@:3: [port.a] ip: '"'"'192.0.2.300/24'"'"' is not A.B.C.D/N' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.300/24
INI
expect no_prefix '@:3: [port.a] ip: '"'"'192.0.2.2'"'"' needs a prefix length' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2
INI
expect bad_mac '@:4: [port.a] mac: '"'"'01:00:5e:00:00:01'"'"' is not a unicast MAC address' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
mac = 01:00:5e:00:00:01
INI
expect missing_dev '@:1: [port.a] dev: missing' <<'INI'
[port.a]
ip = 192.0.2.2/24
INI
expect rxq_range '@:4: [port.a] rxq: '"'"'0'"'"' is not an integer in [1, 16]' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
rxq = 0
INI
expect bad_section '@:1: [ports]: unknown section' <<'INI'
[ports]
dev = net_ring0
INI
expect no_ports '@: no [port.NAME] section' <<'INI'
[global]
idle = busy
INI
expect forward_self '@:3: [port.a] forward: '"'"'a'"'"' is not another port'"'"'s name' <<'INI'
[port.a]
dev = net_ring0
forward = a
INI
expect lcore_not_enabled '@:2: [lcores] workers: lcore 1 is not in the EAL lcore set' <<'INI'
[lcores]
workers = 1
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect bad_lcore_list '@:2: [lcores] workers: bad range' <<'INI'
[lcores]
workers = 3-1
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect lcore_replication_removed '@:3: [lcores] replication: no such key any more' <<'INI'
[lcores]
workers = 0
replication = 0
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect bare_word '@:3: '"'"'bogus'"'"' is neither [section], key = value nor a ; comment' <<'INI'
[port.a]
dev = net_ring0
bogus
ip = 192.0.2.2/24
INI
expect leading_zero_is_decimal '@:4: [port.a] rxq: '"'"'017'"'"' is not an integer in [1, 16]' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
rxq = 017
INI
expect zero_mac '[port.a] mac: net_ring0 has no unicast MAC address (00:00:00:00:00:00): set mac =' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect keepalive_cnt_zero '@:5: [tcp] keepalive_cnt: '"'"'0'"'"' is not an integer in [1, 255]' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[tcp]
keepalive_cnt = 0
INI
expect syncookies_word '@:5: [tcp] syncookies: ' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[tcp]
syncookies = perhaps
INI
expect client_bad_connect '@:5: [client.c] connect: '"'"'192.0.2.9'"'"' is not A.B.C.D:PORT' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[client.c]
connect = 192.0.2.9
INI
expect client_off_subnet '@:5: [client.c] connect: no port'"'"'s subnet holds this address' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[client.c]
connect = 198.51.100.7:80
INI
expect listener_echo_check '@:6: [listener.l] app: '"'"'echo-check'"'"' is not an application (echo, sink, source)' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[listener.l]
port = 80
app = echo-check
INI
expect bad_checksum_mode '@:4: [port.a] checksum: '"'"'maybe'"'"' is neither auto nor trust' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
checksum = maybe
INI
expect bfd_auth_type '@:6: [bfd.b] auth: unknown type (none, simple, md5, meticulous-md5, sha1, meticulous-sha1)' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
auth = sha256
auth_key = k
INI
expect bfd_md5_key_long '@:7: [bfd.b] auth_key: key: 1-16 bytes for simple and md5' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
auth = md5
auth_key = 0123456789abcdefXYZ
INI
expect bfd_key_bad_hex '@:7: [bfd.b] auth_key: key: not a hex digit after 0x' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
auth = sha1
auth_key = 0x00zz
INI
expect bfd_key_without_auth '@:6: [bfd.b] auth_key: set without '"'"'auth'"'"' (the type)' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
auth_key = secret
INI
expect bfd_key_id_range '@:8: [bfd.b] auth_key_id: ' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
auth = simple
auth_key = pw
auth_key_id = 256
INI
expect bfd_tx_range '@:6: [bfd.b] tx_interval_ms: '"'"'0'"'"' is not an integer in [1, 60000]' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
peer = 192.0.2.1
tx_interval_ms = 0
INI
expect bfd_no_peer '@:4: [bfd.b] peer: missing: the peer'"'"'s IPv4 address' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[bfd.b]
multiplier = 5
INI

expect repl_bfd_unknown '@:12: [repl] bfd: '"'"'nosuch'"'"' is not a [bfd.NAME] session' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[port.r]
dev = net_ring1
role = replication
ip = 203.0.113.1/24
[repl]
role = auto
port = r
key = 0x00112233445566778899aabbccddeeff
bfd = nosuch
INI

expect repl_role_bad '@:9: [repl] role: '"'"'primary'"'"' is not active, standby, auto or none' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[port.r]
dev = net_ring1
role = replication
ip = 203.0.113.1/24
[repl]
role = primary
port = r
key = 0x00112233445566778899aabbccddeeff
INI

# [overlay.NAME]
expect ovl_no_role '@:4: [overlay.v] role: missing: encap (first hop) or decap' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
key = 1
INI
expect ovl_group '@:8: [overlay.v] group: '"'"'224.0.0.5'"'"' is not a routable IPv4 multicast group' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = encap
key = 1
match = 203.0.113.100
group = 224.0.0.5
port = a
INI
expect ovl_match_own '@:9: [overlay.v] match: port a'"'"'s own address' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = encap
key = 1
group = 239.1.1.1
port = a
match = 192.0.2.2
INI
expect ovl_decap_key_on_encap '@:9: [overlay.v] clients: a key of role = decap, not encap' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = encap
key = 1
group = 239.1.1.1
port = a
clients = 192.0.2.10
match = 203.0.113.100
INI
expect ovl_no_igmp '@:8: [overlay.v] port: port a has no igmp' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = decap
key = 1
group = 239.1.1.1
port = a
client_port = a
clients = 192.0.2.10
INI
expect ovl_client_off_link '@:11: [overlay.v] clients: a client not on port a'"'"'s subnet' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
igmp = true
[overlay.v]
role = decap
key = 1
group = 239.1.1.1
port = a
client_port = a
clients = 192.0.2.10,198.51.100.1
INI
expect ovl_same_key '@:12: [overlay.w] key: 5 already used by [overlay.v]' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = encap
key = 5
group = 239.1.1.1
port = a
match = 203.0.113.100
[overlay.w]
role = encap
key = 5
group = 239.1.1.2
port = a
match = 203.0.113.101
INI
expect querier_response '@:6: [port.a] query_response_ms: 5000: must be below query_interval_ms (2000)' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
querier = true
query_interval_ms = 2000
query_response_ms = 5000
INI
expect ovl_members_no_querier '@:11: [overlay.v] member_clients: port a is no querier' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
igmp = true
[overlay.v]
role = decap
key = 1
group = 239.1.1.1
port = a
client_port = a
member_clients = true
INI
expect bad_neighbor '@:4: [port.a] neighbors: 198.51.100.1 is not on the port'"'"'s subnet' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
neighbors = 192.0.2.10 02:00:00:00:00:10, 198.51.100.1 02:00:00:00:00:11
INI
expect ovl_short_request_key '@:9: [overlay.v] request_key: at least 16 bytes' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
[overlay.v]
role = encap
key = 1
group = 239.1.1.1
port = a
request_key = short
match = 203.0.113.100
INI
expect igmp_rxq '@:5: [port.a] igmp: needs rxq = 1' <<'INI'
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
rxq = 2
igmp = true
INI

expect app_no_lib "[app.x] lib: missing: the application's shared object" <<'INI'
[app.x]
colour = blue
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect app_missing_lib '@:2: [app.x] lib: cannot load: /nonexistent/libx.so' <<'INI'
[app.x]
lib = /nonexistent/libx.so
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI
expect app_builtin_name "[app.echo]: 'echo' is a built-in application" <<'INI'
[app.echo]
lib = /nonexistent/libx.so
INI
expect app_not_an_app '@:2: [app.x] lib: /lib/x86_64-linux-gnu/libc.so.6 has no ns_app_entry(): not a nonstop application' <<'INI'
[app.x]
lib = /lib/x86_64-linux-gnu/libc.so.6
INI
expect app_badver "@:2: [app.x] lib: $badver_so was built for the application API 2.0; this nonstop has 1.1" <<INI
[app.x]
lib = $badver_so
INI
expect app_unknown "@:5: [listener.l] app: 'nope' is not an application (echo, sink, source, upper)" <<INI
[app.upper]
lib = $upper_so
[listener.l]
port = 80
app = nope
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
INI

# The application's own keys are its init's to refuse: at start-up, naming
# the section (after the file was read, so ports may be set up by then).
n=$((n + 1))
cat >"$tmp/app_init.ini" <<INI
[app.upper]
lib = $upper_so
colour = blue
[port.a]
dev = net_ring0
ip = 192.0.2.2/24
mac = 02:00:00:00:00:01
INI
out=$(timeout 30 "$nonstop" --no-huge -m 128 --no-pci --no-shconf --file-prefix cfgerr-$$ -l 0 \
	--log-level=lib.eal:error --vdev net_ring0 -- --config "$tmp/app_init.ini" --no-ctl \
	--cmdline-file /dev/null 2>&1 </dev/null) && rc=0 || rc=$?
if [ $rc != 0 ] && grep -qF "[app.upper]: unknown key colour" <<<"$out"; then
	echo "ok   app_init_refuses: $(grep -F '[app.upper]' <<<"$out")"
else
	echo "FAIL app_init_refuses (rc=$rc): $out"
	fail=$((fail + 1))
fi

# expect_init NAME 'expected message substring' <<< ini-content: refused by
# an application's init (at start-up; ports may be set up by then).
expect_init() {
	local name=$1 want=$2 ini=$tmp/$1.ini out rc
	cat >"$ini"
	out=$(timeout 30 "$nonstop" --no-huge -m 128 --no-pci --no-shconf --file-prefix cfgerr-$$ -l 0 \
		--log-level=lib.eal:error --vdev net_ring0 -- --config "$ini" --no-ctl \
		--cmdline-file /dev/null 2>&1 </dev/null) && rc=0 || rc=$?
	n=$((n + 1))
	if [ $rc != 0 ] && grep -qF -- "${want//@/$ini}" <<<"$out"; then
		echo "ok   $name: $(grep -F -- "${want//@/$ini}" <<<"$out")"
	else
		echo "FAIL $name (rc=$rc): expected '${want//@/$ini}' in:"
		echo "$out" | sed 's/^/    /'
		fail=$((fail + 1))
	fi
}

# bgp's keys: the message names the key and its line.
if [ -f "$bgp_so" ]; then
	bgp_ini() { # LINE...: [app.bgp] with these keys, a port
		printf '[port.a]\ndev = net_ring0\nip = 192.0.2.2/24\nmac = 02:00:00:00:00:01\n'
		printf '[app.bgp]\nlib = %s\n' "$bgp_so"
		printf '%s\n' "$@"
	}
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "neighbor = 192.0.2.1 remote-as x" |
		expect_init bgp_neighbor "@:9: [app.bgp] neighbor: 'A.B.C.D remote-as N"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "network = 10.0.0.1/24" |
		expect_init bgp_network "@:9: [app.bgp] network: '10.0.0.1/24' is not A.B.C.D/LEN (host bits 0)"
	bgp_ini "as = 0" |
		expect_init bgp_as "@:7: [app.bgp] as: '0' is not an AS number"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "neighbour = 192.0.2.1 remote-as 65002" |
		expect_init bgp_unknown_key "@:9: [app.bgp] neighbour: unknown key 'neighbour'"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "neighbor = 192.0.2.1 remote-as 65002 import nope" |
		expect_init bgp_plist "@:5: [app.bgp]: neighbor 192.0.2.1: prefix list 'nope' is not defined"
	# A neighbour's own section, [app.bgp.neighbor.NAME]: its key and line.
	bgp_nbr() { # LINE...: the keys of [app.bgp.neighbor.frr] after as and router_id
		bgp_ini "as = 65001" "router_id = 192.0.2.2" "[app.bgp.neighbor.frr]" "$@"
	}
	bgp_nbr "address = 192.0.2.300" "remote_as = 65002" |
		expect_init bgp_sec_address "@:10: [app.bgp.neighbor.frr] address: '192.0.2.300' is not an IPv4 address"
	bgp_nbr "address = 192.0.2.1" |
		expect_init bgp_sec_missing "@:10: [app.bgp.neighbor.frr] address: a neighbor section needs both address and remote_as"
	bgp_nbr "address = 192.0.2.1" "remote_as = 65002" "bogus = 1" |
		expect_init bgp_sec_unknown "@:12: [app.bgp.neighbor.frr] bogus: unknown key (a neighbor section has"
	bgp_nbr "address = 192.0.2.1" "remote_as = 65002" "connect = maybe" |
		expect_init bgp_sec_bool "@:12: [app.bgp.neighbor.frr] connect: 'maybe' is not yes or no"
	bgp_nbr "address = 192.0.2.1" "remote_as = 65002" "import = nope" |
		expect_init bgp_sec_plist "@:12: [app.bgp.neighbor.frr] import: prefix list 'nope' is not defined"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "neighbor = 192.0.2.1 remote-as 65003" \
		"[app.bgp.neighbor.frr]" "address = 192.0.2.1" "remote_as = 65002" |
		expect_init bgp_sec_twice "@:11: [app.bgp.neighbor.frr] address: neighbor 192.0.2.1 is given twice"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "[app.bgp.peer.frr]" "address = 192.0.2.1" |
		expect_init bgp_sec_kind "@:10: [app.bgp.peer.frr] address: not one of bgp's sections (those are [app.bgp.neighbor.NAME])"
	bgp_ini "as = 65001" "router_id = 192.0.2.2" "[app.nope.neighbor.frr]" "address = 192.0.2.1" |
		expect_init app_sub_orphan "[app.nope.neighbor.frr]: no [app.nope] section"
	bgp_ini "router_id = 192.0.2.2" |
		expect_init bgp_required "@:5: [app.bgp]: as and router_id are required"
fi

# A file that does not exist.
n=$((n + 1))
out=$(timeout 30 "$nonstop" --no-huge -m 128 --no-pci --no-shconf --file-prefix cfgerr-$$ -l 0 \
	--vdev net_ring0 -- --config "$tmp/nonexistent.ini" --no-ctl 2>&1) && rc=0 || rc=$?
if [ $rc != 0 ] && grep -qF "$tmp/nonexistent.ini: cannot read" <<<"$out"; then
	echo "ok   missing_file"
else
	echo "FAIL missing_file (rc=$rc): $out"
	fail=$((fail + 1))
fi

# Every profile in drivers-config/ must parse: failing later for a missing
# device is fine here, a config error is not.  Lcores 0-3 run on cpu 0.
for f in "$(dirname "$0")"/../../drivers-config/*.ini; do
	n=$((n + 1))
	out=$(timeout 30 "$nonstop" --no-huge -m 256 --no-pci --no-shconf --file-prefix cfgprof-$$ \
		--lcores '(0-3)@0' --log-level=lib.eal:error --vdev net_null0 --vdev net_null1 -- \
		--config "$f" --no-ctl --cmdline-file /dev/null 2>&1 </dev/null &
		pid=$!; sleep 3; kill $pid 2>/dev/null; wait $pid 2>/dev/null)
	if grep -q "config error" <<<"$out"; then
		echo "FAIL profile $(basename "$f"): $(grep 'config error' <<<"$out")"
		fail=$((fail + 1))
	else
		echo "ok   profile $(basename "$f") parses"
	fi
done

echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
