#!/usr/bin/env bash
# BFD authentication against BIRD 2 (an implementation of RFC 5880 6.7 that
# is not ours): sessions added and deleted at run time from nonstopctl,
# with the engine on worker 0 (no fast-path lcore: the collapsed layout).
#   - meticulous keyed SHA1: Up on both sides; tshark sees every packet of
#     ours authenticated (type 5, Key ID 7, length 52) with a sequence number
#     one above the previous packet's; health events record the Up
#   - a wrong key: never Up, nonstop counts bad digests
#   - keyed MD5 (BIRD reconfigured): Up again
#   - 'bfd session del': BIRD declares the session down
set -uo pipefail
. "$(dirname "$0")/../../scripts/netns/topo.sh"
topo_init bfdauth tcpdump tshark bird birdc
topo_pair

B=$TOPO_TMP/bird
mkdir -p "$B"
bird_conf() { # authentication words, password
	cat >"$B/bird.conf" <<CONF
router id $PEER_IP;
log "$B/bird.log" all;
protocol device { }
protocol bfd b1 {
  interface "$VETH_PEER" {
    min rx interval 50 ms;
    min tx interval 50 ms;
    multiplier 3;
    authentication $1;
    password "$2" { id 7; };
  };
  neighbor $DP_IP;
}
CONF
}
bird_conf "meticulous keyed sha1" "nonstop-sha1-key"
peer bird -c "$B/bird.conf" -s "$B/bird.ctl" -P "$B/bird.pid" || { echo "FAIL: bird did not start"; exit 1; }
bird_state() { peer birdc -s "$B/bird.ctl" show bfd sessions 2>/dev/null | awk -v ip="$DP_IP" '$1 == ip {print $3}'; }
ns_state() { nsctl show bfd sessions | awk -v n="$1" '$1 == n {print $5}'; }
both_up() { [ "$(ns_state "$1")" = Up ] && [ "$(bird_state)" = Up ]; }
ctr() { nsctl show bfd stats all | awk -v k="bfd.$1" '$1 == k {print $2}'; }

topo_ini >"$TOPO_TMP/ns.ini"
topo_capture "$TOPO_TMP/bfd.pcap" || exit 1
topo_start_nonstop "$TOPO_TMP/ns.ini" || exit 1

out=$(nsctl bfd session add bird peer "$PEER_IP" tx 50 rx 50 multiplier 3 \
	auth meticulous-sha1 key nonstop-sha1-key key-id 7)
check "bfd session add: '$out'" test "$out" = "bfd bird: added"
check "meticulous keyed SHA1: Up on both sides within 5 s" wait_for 5 both_up bird
check "show bfd sessions detail names the authentication" \
	test "$(nsctl show bfd sessions detail | grep -c 'auth meticulous-sha1 key-id 7')" = 1
sleep 2
check "no authentication failure counted" \
	test "$(nsctl show bfd stats all | awk '$1 ~ /rx_auth/ {s += $2} END {print s + 0}')" = 0
check "health events: the change to Up recorded" \
	test "$(nsctl show health events | awk '$1 == "bird" && $4 == "Up"' | wc -l)" = 1

# A wrong key: delete and add again.
nsctl bfd session del bird >/dev/null
bird_down() { [ "$(bird_state)" = Down ]; }
check "deleted: BIRD declares it down" wait_for 5 bird_down
nsctl bfd session add bird peer "$PEER_IP" tx 50 rx 50 auth meticulous-sha1 key wrong-key key-id 7 >/dev/null
sleep 3
check "wrong key: not Up" test "$(ns_state bird)" != Up -a "$(bird_state)" != Up
check "wrong key: bad digests counted ($(ctr rx_auth_bad_digest))" test "$(ctr rx_auth_bad_digest)" -ge 2
nsctl bfd session del bird >/dev/null

# Keyed MD5: BIRD reconfigured.
bird_conf "keyed md5" "md5-key"
peer birdc -s "$B/bird.ctl" configure >/dev/null
nsctl bfd session add bird peer "$PEER_IP" tx 50 rx 50 auth md5 key md5-key key-id 7 >/dev/null
check "keyed MD5: Up on both sides within 5 s" wait_for 5 both_up bird
sleep 2 # more than 10 packets at the negotiated rate (one second was at the edge once)
topo_capture_stop

# Every packet nonstop sent with the SHA1 key, as tshark decodes it; the
# sequence numbers of the meticulous session go up by one per packet.
tshark -r "$TOPO_TMP/bfd.pcap" -Y "eth.src == $DP_MAC && bfd" -T fields -e bfd.auth.type \
	-e bfd.auth.key -e bfd.message_length -e bfd.auth.seq_num -e bfd.flags.a 2>/dev/null >"$TOPO_TMP/auth.txt"
sha=$(awk '$1 == 5' "$TOPO_TMP/auth.txt" | wc -l)
check "tshark: $sha meticulous SHA1 packets, all Key ID 7, length 52, A set" \
	test "$sha" -gt 50 -a "$(awk '$1 == 5 && ($2 != 7 || $3 != 52)' "$TOPO_TMP/auth.txt" | wc -l)" = 0
gaps=$(/usr/bin/python3 -c 'import sys
seq = [int(l.split()[3], 16) for l in open(sys.argv[1]) if l.split()[0] == "5"]
print(sum(1 for a, b in zip(seq, seq[1:]) if b != (a + 1) & 0xffffffff))' "$TOPO_TMP/auth.txt")
check "tshark: meticulous sequence numbers +1 per packet ($gaps exceptions, at the re-add)" \
	test "$gaps" -le 1
md5=$(awk '$1 == 2 && $3 == 48' "$TOPO_TMP/auth.txt" | wc -l)
check "tshark: $md5 keyed MD5 packets of length 48 (more than 10)" test "$md5" -gt 10
check "tshark: no unauthenticated packet from nonstop" \
	test "$(awk '$5 != 1 && $5 != "True"' "$TOPO_TMP/auth.txt" | wc -l)" = 0
errors=$(topo_expert_errors "$TOPO_TMP/bfd.pcap")
check "tshark: no expert error in nonstop's frames" test -z "$errors"
grep -i "auth" "$B/bird.log" | tail -3 | sed 's/^/    bird: /'
exit $fail
