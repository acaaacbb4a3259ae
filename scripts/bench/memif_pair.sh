# Sourced by the two-instance benchmarks: two nonstop instances joined by
# net_memif, A (198.51.100.1, memif server, core 0) and B (198.51.100.2,
# memif client, core 1), each busy-polling.
#   memif_pair_start A_SECTIONS B_SECTIONS   (INI text appended to each config)
#   memif_pair_wait_client NAME SECONDS      (B's 'show tcp apps' row in MP_ROW once
#                                             every connection of [client.NAME] ended;
#                                             not in $(...): the subshell would run
#                                             the caller's EXIT trap)
#   memif_pair_stop
# Needs: bin (the build's app/ directory), tmp (a scratch directory);
# MP_CHECKSUM (auto or trust) for the memif ports.
mp_pids=()
mp_tag=mp$$

memif_pair_stop() {
	local p
	for p in "${mp_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${mp_pids[@]}"; do wait "$p" 2>/dev/null || true; done
	mp_pids=()
}

memif_pair_start() {
	local side ip mac role core extra
	for side in a b; do
		if [ $side = a ]; then ip=198.51.100.1 mac=02:00:00:00:01:01 role=server core=0 extra=$1
		else ip=198.51.100.2 mac=02:00:00:00:01:02 role=client core=1 extra=$2; fi
		printf '[global]\nidle = busy\n[port.m]\ndev = net_memif0\nip = %s/24\nmac = %s\nchecksum = %s\n%s\n' \
			"$ip" "$mac" "${MP_CHECKSUM:-auto}" "$extra" >"$tmp/$side.ini"
		"$bin/nonstop" --no-huge -m 1024 --no-pci --no-shconf --file-prefix "$mp_tag-$side" \
			-l $core --log-level=lib.eal:warning \
			--vdev "net_memif0,role=$role,id=0,socket=$mp_tag.sock" -- \
			--config "$tmp/$side.ini" --ctl-socket "$tmp/$side.sock" >"$tmp/$side.log" 2>&1 &
		mp_pids+=($!)
		if [ $side = a ]; then sleep 2; fi # the memif server listens first
	done
}

memif_pair_wait_client() {
	local i
	for ((i = 0; i < $2 * 5; i++)); do
		MP_ROW=$("$bin/nonstopctl" -s "$tmp/b.sock" show tcp apps 2>/dev/null |
			awk -v n="$1" '$1==n')
		awk '{exit !($4+0 > 0 && $6+$7 == $4)}' <<<"$MP_ROW" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "client $1 did not finish: $MP_ROW" >&2
	cat "$tmp/a.log" "$tmp/b.log" >&2
	return 1
}
