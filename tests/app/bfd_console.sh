#!/usr/bin/env bash
# BFD sessions from the console (--cmdline-file, no traffic: net_null):
# add with every option, errors named for each bad word, duplicates by name
# and by address (also against a 'count' range of the config file), del,
# show config / sessions detail reflecting the changes, the table limit.
#   bfd_console.sh NONSTOP_BIN
set -uo pipefail
nonstop=$(readlink -f "$1")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" /var/run/dpdk/bfdcon-$$' EXIT
cat >"$tmp/ns.ini" <<'INI'
[global]
idle = adaptive
bfd_max_sessions = 40
[port.a]
dev = net_null0
ip = 198.51.100.1/24
mac = 02:00:00:00:00:01
[bfd.r]
peer = 198.51.100.100
count = 30
INI
cat >"$tmp/cmds" <<'CMDS'
bfd session add s1 peer 198.51.100.7 tx 50 rx 60 multiplier 4 passive auth meticulous-sha1 key 0x00112233 key-id 9
bfd session add s1 peer 198.51.100.8
bfd session add s2 peer 198.51.100.110
bfd session add s3 peer 203.0.113.5
bfd session add s4 peer 198.51.100.9 tx 0
bfd session add s5 peer 198.51.100.9 auth md5
bfd session add s6 peer 198.51.100.9 colour blue
bfd session add s7 tx 50
show bfd sessions detail
show config
bfd session del s1
bfd session del s1
bfd session add s1 peer 198.51.100.7
bfd session add t1 peer 198.51.100.11
bfd session add t2 peer 198.51.100.12
bfd session add t3 peer 198.51.100.13
bfd session add t4 peer 198.51.100.14
bfd session add t5 peer 198.51.100.15
bfd session add t6 peer 198.51.100.16
bfd session add t7 peer 198.51.100.17
bfd session add t8 peer 198.51.100.18
bfd session add t9 peer 198.51.100.19
bfd session add t10 peer 198.51.100.20
show health
CMDS
out=$(timeout 30 "$nonstop" --no-huge -m 256 --no-pci --no-shconf --file-prefix bfdcon-$$ -l 0 \
	--log-level=lib.eal:error --vdev net_null0 -- --config "$tmp/ns.ini" --no-ctl \
	--cmdline-file "$tmp/cmds" 2>&1 </dev/null &
	pid=$!; sleep 4; kill $pid 2>/dev/null; wait $pid 2>/dev/null)
fail=0 n=0
want() { # description, fixed string expected in the output (count: at least once)
	n=$((n + 1))
	if grep -qF -- "$2" <<<"$out"; then echo "ok   $1"; else echo "FAIL $1: no '$2'"; fail=$((fail + 1)); fi
}
count() { # description, fixed string, exact number of lines
	n=$((n + 1))
	local c
	c=$(grep -cF -- "$2" <<<"$out")
	if [ "$c" = "$3" ]; then echo "ok   $1"; else echo "FAIL $1: '$2' $c times, want $3"; fail=$((fail + 1)); fi
}
want "add with every option" "bfd s1: added"
want "duplicate name" "error: a BFD session 's1' exists"
want "address inside the config file's range" "error: peer: same addresses as [bfd.r-0]"
want "peer off every subnet" "error: peer: not on a connected subnet (single hop)"
want "tx 0 refused" "error: 'tx 0': expected peer, local, tx (1..60000 ms)"
want "auth without a key" "error: auth: key missing (text, or 0x and hex digits)"
want "unknown word" "error: 'colour blue': expected peer"
want "peer required" "error: 'peer A.B.C.D' is required"
want "detail: configured timers, passive, auth and key id" \
	"configured tx 50 ms rx 60 ms mult 4 passive; auth meticulous-sha1 key-id 9"
want "show config: the added session" "[bfd.s1]"
want "show config: the key is not shown" "auth_key = (not shown)"
n=$((n + 1))
c=$(grep -c '^\[bfd\.' <<<"$out")
if [ "$c" = 31 ]; then echo "ok   show config: the range's 30 sessions and s1"; else
	echo "FAIL show config: $c [bfd.*] sections, want 31"; fail=$((fail + 1)); fi
want "del" "bfd s1: deleted"
want "del of a deleted session" "error: no BFD session 's1'"
count "s1 added again after its deletion" "bfd s1: added" 2
want "table full at bfd_max_sessions = 40" "error: 40 BFD sessions exist ([global] bfd_max_sessions)"
n=$((n + 1))
c=$(awk '/^session +peer +health/ {n = 0; next} / 198\.51\.100\./ {n++} END {print n + 0}' <<<"$out")
if [ "$c" = 40 ]; then echo "ok   show health lists the 40 sessions"; else
	echo "FAIL show health lists $c sessions, want 40"; fail=$((fail + 1)); fi
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
