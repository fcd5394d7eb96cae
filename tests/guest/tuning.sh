# shellcheck shell=sh
# "tuning" suite: ethtool -g/-G (ring sizes), -l/-L (channels), -c/-C
# (interrupt coalescing), -x/-X (RSS table and key) and -n/-N rx-flow-hash
# (RSS hash fields, a UDP flow steered by them): values round-trip,
# out-of-range values are refused with nothing changed, each change is
# applied while iperf3 runs, and traffic flows afterwards. Coalescing: a 10 ms
# interval (rx-usecs 10000) must give fewer queue interrupts per received frame
# than none (rx-usecs 0) while the peer sends UDP at ~1000 frames/s. Sourced by
# /init after lib.sh (MSI-X run of `make check`).

tu_if() { nic_name 0; }
# tu_field OPT NAME: the "Current hardware settings" value of NAME in
# `ethtool OPT` (the last occurrence of "NAME:").
tu_field() { ethtool "$1" "$(tu_if)" | awk -v k="$2:" '$1 == k { v = $2 } END { print v }'; }
# tu_load SECS: an iperf3 TCP stream to the peer in the background (retries
# through the reconfiguration), returning once it moves data (200 frames sent);
# tu_load_ok: it ended and moved data.
tu_txp() { cat "/sys/class/net/$(tu_if)/statistics/tx_packets"; }
tu_sent() { [ "$(tu_txp)" -ge "$1" ]; }
tu_load() {
	peer_iperf_server || return 1
	_t0=$(tu_txp)
	iperf3 -c 10.0.0.2 -t "$1" >"$STATE/tu.iperf" 2>&1 &
	echo $! >"$STATE/tu.pid"
	wait_for 10 tu_sent $(( _t0 + 200 )) || diag "the stream had not sent 200 frames after 10 s"
}
tu_load_ok() {
	wait "$(cat "$STATE/tu.pid")"
	_rc=$?
	grep -E "sender|receiver|error" "$STATE/tu.iperf" | diag_klog
	[ $_rc = 0 ] || return 1
	grep -q receiver "$STATE/tu.iperf"
}
tu_ping() { ping -c 3 -W 2 10.0.0.2 >/dev/null || ping -c 3 -W 5 10.0.0.2 >/dev/null; }
# tu_refused CMD...: the command fails and says why (EINVAL/EOPNOTSUPP text).
tu_refused() {
	if "$@" >"$STATE/tu.err" 2>&1; then
		diag "accepted: $*"
		return 1
	fi
	diag "refused as expected: $* -> $(tr '\n' ' ' <"$STATE/tu.err")"
}

t_tu_up() { pair_up || fail "$PAIR_ERR"; }

t_tu_rings() {
	l=$(tu_if)
	ethtool -g "$l" | diag_klog
	[ "$(ethtool -g "$l" | awk '$1 == "RX:" { print $2; exit }')" = 4096 ] || fail "RX max is not 4096"
	[ "$(tu_field -g RX)" = 256 ] && [ "$(tu_field -g TX)" = 256 ] || fail "default rings are not 256/256"
	tu_load 8 || fail "iperf3 server"
	ethtool -G "$l" rx 512 tx 1024 || fail "ethtool -G rx 512 tx 1024"
	tu_load_ok || fail "iperf3 across the ring resize"
	[ "$(tu_field -g RX)" = 512 ] && [ "$(tu_field -g TX)" = 1024 ] || fail "rings are not 512/1024"
	ethtool -G "$l" rx 100 || fail "ethtool -G rx 100"
	[ "$(tu_field -g RX)" = 104 ] || fail "rx 100 not rounded up to 104"
	tu_refused ethtool -G "$l" rx 5000 || fail "rx 5000 accepted"
	tu_refused ethtool -G "$l" tx 32 || fail "tx 32 accepted"
	tu_refused ethtool -G "$l" rx-mini 8 || fail "rx-mini accepted"
	[ "$(tu_field -g RX)" = 104 ] && [ "$(tu_field -g TX)" = 1024 ] || fail "a refused change changed the rings"
	ethtool -G "$l" rx 256 tx 256 || fail "back to 256"
	tu_ping || fail "no traffic after the ring changes"
}

t_tu_channels() {
	l=$(tu_if)
	ethtool -l "$l" | diag_klog
	max=$(ethtool -l "$l" | awk '$1 == "Combined:" { print $2; exit }')
	cur=$(tu_field -l Combined)
	[ "$max" = "$(nproc)" ] && [ "$cur" = "$max" ] || fail "combined max $max current $cur, expected $(nproc)"
	[ "$max" -gt 1 ] || skip "one CPU"
	tu_load 8 || fail "iperf3 server"
	ethtool -L "$l" combined 1 || fail "ethtool -L combined 1"
	tu_load_ok || fail "iperf3 across the channel change"
	[ "$(tu_field -l Combined)" = 1 ] || fail "combined is not 1"
	n=$(ls -d /sys/class/net/"$l"/queues/tx-* | wc -l)
	[ "$n" = 1 ] || fail "$n TX queues with one channel"
	[ "$(grep -cE " $l-(TxRx|rx|tx)-0$" /proc/interrupts)" -ge 1 ] || fail "no queue vector"
	tu_ping || fail "no traffic on one channel"
	tu_refused ethtool -L "$l" combined $((max + 1)) || fail "combined $((max + 1)) accepted"
	tu_refused ethtool -L "$l" combined 0 || fail "combined 0 accepted"
	tu_refused ethtool -L "$l" rx 1 || fail "rx channels accepted"
	[ "$(tu_field -l Combined)" = 1 ] || fail "a refused change changed the channels"
	ethtool -L "$l" combined "$max" || fail "back to $max"
	n=$(ls -d /sys/class/net/"$l"/queues/rx-* | wc -l)
	[ "$n" = "$max" ] || fail "$n RX queues, expected $max"
	[ "$(ethtool -x "$l" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i > m) m = $i } END { print m + 0 }')" = $((max - 1)) ] ||
		fail "RSS table does not span the queues again"
	tu_ping || fail "no traffic after the channel changes"
}

# Interrupts of IFNAME's queue vectors per 1000 received frames while the peer
# sends UDP at ~1000 frames/s for 3 s (per frame, not per second: a busy host
# that delivers fewer frames does not look like coalescing). iperf3 must
# succeed and at least 1500 frames arrive. Sets TU_RATIO; on failure, a
# diagnostic and status 1.
tu_irq_ratio() {
	local_iperf_server || { diag "local iperf3 server did not listen"; return 1; }
	_s0=$(vector_irqs "$1" | awk '{ s += $2 } END { print s + 0 }')
	_r0=$(cat "/sys/class/net/$1/statistics/rx_packets")
	in_peer iperf3 -c 10.0.0.1 -u -b 800K -l 100 -t 3 >"$STATE/tu.irq" 2>&1 ||
		{ diag "iperf3 -u from the peer: $(tail -n 3 "$STATE/tu.irq" | tr '\n' ' ')"; return 1; }
	_s1=$(vector_irqs "$1" | awk '{ s += $2 } END { print s + 0 }')
	_r1=$(cat "/sys/class/net/$1/statistics/rx_packets")
	[ $(( _r1 - _r0 )) -ge 1500 ] || { diag "only $(( _r1 - _r0 )) frames received"; return 1; }
	diag "$(( _s1 - _s0 )) queue interrupts for $(( _r1 - _r0 )) frames received"
	TU_RATIO=$(( (_s1 - _s0) * 1000 / (_r1 - _r0) ))
}

t_tu_coalesce() {
	l=$(tu_if)
	ethtool -c "$l" | grep -E "usecs:" | diag_klog
	[ "$(tu_field -c rx-usecs)" = 3 ] || fail "default rx-usecs is not 3 (adaptive, conservative)"
	ethtool -C "$l" rx-usecs 0 || fail "rx-usecs 0"
	tu_irq_ratio "$l" || fail "no measurement at rx-usecs 0"
	fast=$TU_RATIO
	ethtool -C "$l" rx-usecs 10000 || fail "rx-usecs 10000"
	[ "$(tu_field -c rx-usecs)" = 10000 ] || fail "rx-usecs did not read back 10000"
	tu_irq_ratio "$l" || fail "no measurement at rx-usecs 10000"
	slow=$TU_RATIO
	diag "queue interrupts per 1000 frames at ~1000 frames/s: rx-usecs 0: $fast, rx-usecs 10000: $slow"
	[ "$slow" -lt "$fast" ] || fail "a 10 ms interval did not lower the interrupts per frame"
	tu_load 6 || fail "iperf3 server"
	ethtool -C "$l" rx-usecs 50 || fail "rx-usecs 50 under load"
	ethtool -C "$l" rx-usecs 1 || fail "rx-usecs 1 under load"
	tu_load_ok || fail "iperf3 across coalescing changes"
	[ "$(tu_field -c rx-usecs)" = 1 ] || fail "rx-usecs 1 did not read back"
	for bad in 2 5 10001; do
		tu_refused ethtool -C "$l" rx-usecs $bad || fail "rx-usecs $bad accepted"
	done
	tu_refused ethtool -C "$l" tx-usecs 100 || fail "tx-usecs accepted (vectors are paired)"
	tu_refused ethtool -C "$l" rx-frames 8 || fail "rx-frames accepted"
	[ "$(tu_field -c rx-usecs)" = 1 ] || fail "a refused change changed rx-usecs"
	ethtool -C "$l" rx-usecs 3 || fail "back to 3"
	tu_ping || fail "no traffic after the coalescing changes"
}

t_tu_rss() {
	l=$(tu_if)
	ethtool -x "$l" >"$STATE/tu.x" || fail "ethtool -x"
	head -4 "$STATE/tu.x" | diag_klog
	entries=$(awk '/^ *[0-9]+:/ { n += NF - 1 } END { print n + 0 }' "$STATE/tu.x")
	[ "$entries" = 128 ] || fail "$entries table entries, expected 128"
	grep -q -i "toeplitz: on" "$STATE/tu.x" || fail "hash function is not Toeplitz"
	key="6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa"
	tu_load 6 || fail "iperf3 server"
	ethtool -X "$l" equal 1 || fail "ethtool -X equal 1"
	ethtool -X "$l" hkey "$key" || fail "ethtool -X hkey"
	tu_load_ok || fail "iperf3 across RSS changes"
	ethtool -x "$l" >"$STATE/tu.x"
	[ "$(awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) if ($i != 0) n++ } END { print n + 0 }' "$STATE/tu.x")" = 0 ] ||
		fail "table not all queue 0 after 'equal 1'"
	grep -q "$key" "$STATE/tu.x" || fail "key did not read back"
	if [ "$(nproc)" -gt 1 ]; then
		tu_refused ethtool -X "$l" equal $(( $(nproc) + 1 )) || fail "a table naming a missing queue was accepted"
	fi
	tu_refused ethtool -X "$l" hfunc xor || fail "hfunc xor accepted"
	tu_refused ethtool -X "$l" hkey 01:02:03 || fail "a short key accepted"
	ethtool -X "$l" default || fail "ethtool -X default"
	tu_ping || fail "no traffic after the RSS changes"
}

# RSS hash fields (ethtool -n/-N rx-flow-hash). Defaults as the C igb: TCP
# by addresses and ports, UDP by addresses only (the fragments of a datagram
# stay on one queue). A UDP flow from the peer (10.0.0.2:5201 ->
# 10.0.0.1:PORT, iperf3 -u -R) is chosen with the Toeplitz helper so that
# with ports hashed it lands on another queue than the addresses alone put
# it on; it must land on the computed queue in each state: ports set while
# the interface is down (programmed by open), addresses only again and
# ports again changed live. Refused field sets (one address, one port,
# VLAN, TCP without ports) fail with EINVAL and change nothing; a flow
# steering rule (ethtool -N flow-type) fails with EOPNOTSUPP, and the rule
# listing (ethtool -n) is an empty table.
# tu_fh TYPE: the hashed fields ethtool -n reports for TYPE, as -N letters.
tu_fh() {
	ethtool -n "$(tu_if)" rx-flow-hash "$1" 2>&1 | awk '
	/^IP SA/ { s = s "s" } /^IP DA/ { s = s "d" }
	/^L4 bytes 0/ { s = s "f" } /^L4 bytes 2/ { s = s "n" }
	/^(L2DA|VLAN tag|L3 proto|None)/ { s = s "?" } END { print s }'
}
# tu_fh_set TYPE FIELDS: ethtool -N rx-flow-hash TYPE FIELDS, then -n must
# report FIELDS; tu_fh_refused TYPE FIELDS: refused with EINVAL. (bookworm's
# ethtool 6.1 prints the error of a refused -N rx-flow-hash but exits 0, so
# its message and the fields read back are what count.)
tu_fh_set() {
	ethtool -N "$(tu_if)" rx-flow-hash "$1" "$2" >"$STATE/tu.err" 2>&1
	grep -q Cannot "$STATE/tu.err" && { diag "rx-flow-hash $1 $2: $(tr '\n' ' ' <"$STATE/tu.err")"; return 1; }
	[ "$(tu_fh "$1")" = "$2" ] || { diag "rx-flow-hash $1 $2: -n reports '$(tu_fh "$1")'"; return 1; }
}
tu_fh_refused() {
	ethtool -N "$(tu_if)" rx-flow-hash "$1" "$2" >"$STATE/tu.err" 2>&1
	grep -q "Cannot change RX network flow hashing options: Invalid argument" "$STATE/tu.err" ||
		{ diag "rx-flow-hash $1 $2 not refused with EINVAL: $(tr '\n' ' ' <"$STATE/tu.err")"; return 1; }
	diag "refused as expected: rx-flow-hash $1 $2 -> $(tr '\n' ' ' <"$STATE/tu.err")"
}
# tu_udp_to Q OTHER PORT: 300 datagrams from the peer's 5201 to PORT; every
# datagram the receiver got must have been counted by RX queue Q, and queue
# OTHER must have counted fewer frames than that (background traffic only
# adds a few frames to either).
tu_udp_to() {
	_l=$(tu_if)
	_a0=$(queue_stat "$_l" "rx_queue_$1_packets") _b0=$(queue_stat "$_l" "rx_queue_$2_packets")
	peer_iperf_server || { diag "iperf3 server"; return 1; }
	iperf3 -c 10.0.0.2 -u -R --cport "$3" -l 200 -k 300 -b 2M >"$STATE/tu.udp" 2>&1 ||
		{ diag "iperf3 -u -R --cport $3: $(tail -n 2 "$STATE/tu.udp" | tr '\n' ' ')"; return 1; }
	_a1=$(queue_stat "$_l" "rx_queue_$1_packets") _b1=$(queue_stat "$_l" "rx_queue_$2_packets")
	_got=$(awk '$NF == "receiver" { for (i = 1; i < NF; i++) if ($i ~ /^-?[0-9]+\/[0-9]+$/) r = $i }
		END { split(r, a, "/"); print a[2] - a[1] }' "$STATE/tu.udp")
	diag "UDP to port $3: $_got datagrams received, RX queue $1 +$((_a1 - _a0)), queue $2 +$((_b1 - _b0))"
	[ "${_got:-0}" -ge 200 ] || { diag "only ${_got:-0} of 300 datagrams received"; return 1; }
	[ $((_a1 - _a0)) -ge "$_got" ] && [ $((_b1 - _b0)) -lt "$_got" ]
}
t_tu_rxfh() {
	l=$(tu_if)
	[ "$(tu_fh tcp4)" = sdfn ] || fail "tcp4 hashes '$(tu_fh tcp4)', expected sdfn"
	[ "$(tu_fh udp4)" = sd ] || fail "udp4 hashes '$(tu_fh udp4)' by default, expected sd"
	[ "$(tu_fh udp6)" = sd ] || fail "udp6 hashes '$(tu_fh udp6)' by default, expected sd"
	[ "$(tu_fh tcp6)" = sdfn ] || fail "tcp6 hashes '$(tu_fh tcp6)', expected sdfn"
	for bad in "udp4 s" "udp4 sdf" "udp4 sdn" "udp4 sdfnv" "udp6 sdfnm" "tcp4 sd" "tcp6 sdf"; do
		# shellcheck disable=SC2086
		tu_fh_refused $bad || fail "rx-flow-hash $bad not refused with EINVAL"
	done
	[ "$(tu_fh udp4)" = sd ] && [ "$(tu_fh udp6)" = sd ] && [ "$(tu_fh tcp4)" = sdfn ] ||
		fail "a refused request changed the fields"
	# No flow steering rules on the 82576: the C igb offers NETIF_F_NTUPLE
	# from the i350 on only (and QEMU steers by none of the filters), so
	# both drivers refuse a rule with EOPNOTSUPP (ethtool 6.1 prints
	# "rmgr: Cannot insert RX class rule: ..." and may exit 0 all the same).
	# The rule listing is an empty table, as the C igb answers it
	# (igb_get_rxnfc): "Total 0 rules", and no rule 0 (EINVAL).
	ethtool -N "$l" flow-type ether proto 0x88b5 action 0 loc 0 >"$STATE/tu.err" 2>&1
	diag "flow steering rule: status $?: $(tr '\n' ' ' <"$STATE/tu.err")"
	grep -q "Cannot insert RX class rule: Operation not supported" "$STATE/tu.err" ||
		fail "the flow steering rule was not refused with EOPNOTSUPP"
	ethtool -n "$l" >"$STATE/tu.n" 2>&1
	_st=$?
	diag "ethtool -n: status $_st: $(tr '\n' ' ' <"$STATE/tu.n")"
	[ "$_st" = 0 ] && grep -q "^Total 0 rules" "$STATE/tu.n" || fail "ethtool -n does not list an empty rule table"
	ethtool -n "$l" rule 0 >"$STATE/tu.n" 2>&1
	_st=$?
	diag "ethtool -n rule 0: status $_st: $(tr '\n' ' ' <"$STATE/tu.n")"
	[ "$_st" != 0 ] && grep -q "Invalid argument" "$STATE/tu.n" || fail "ethtool -n rule 0 not refused with EINVAL"
	nrx=$(ls -d /sys/class/net/"$l"/queues/rx-* | wc -l)
	[ "$nrx" -gt 1 ] || skip "one RX queue"
	link_quiet
	qip=$(rss_queue "$l" 10.0.0.2 10.0.0.1) || fail "ethtool -x"
	q4=$(( (qip + 1) % nrx ))
	port=$(rss_port "$l" "$q4" 10.0.0.2 10.0.0.1 5201 46000) || fail "no port puts the flow on queue $q4 with ports hashed"
	diag "10.0.0.2 -> 10.0.0.1: queue $qip by addresses; port $port: queue $q4 by addresses and ports"
	tu_udp_to "$qip" "$q4" "$port" || fail "UDP (default: addresses) not on queue $qip"
	ip link set "$l" down || fail "down"
	tu_fh_set udp4 sdfn || fail "rx-flow-hash udp4 sdfn (interface down)"
	ip link set "$l" up || fail "up"
	wait_for 30 link_up "$l" || fail "no link after up"
	wait_for 20 ping -c 1 -W 2 10.0.0.2 >/dev/null || fail "no traffic after up"
	[ "$(tu_fh udp4)" = sdfn ] && [ "$(tu_fh udp6)" = sd ] || fail "after up: udp4 '$(tu_fh udp4)', udp6 '$(tu_fh udp6)'"
	tu_udp_to "$q4" "$qip" "$port" || fail "UDP (sdfn, set while down) not on queue $q4"
	tu_fh_set udp4 sd || fail "rx-flow-hash udp4 sd (live)"
	tu_udp_to "$qip" "$q4" "$port" || fail "UDP (sd, live) not on queue $qip"
	tu_fh_set udp4 sdfn || fail "rx-flow-hash udp4 sdfn (live)"
	tu_fh_refused udp4 sdf || fail "udp4 sdf not refused with EINVAL"
	[ "$(tu_fh udp4)" = sdfn ] || fail "a refused request changed udp4 to '$(tu_fh udp4)'"
	tu_udp_to "$q4" "$qip" "$port" || fail "UDP (sdfn, live) not on queue $q4"
	tu_fh_set udp6 sdfn || fail "rx-flow-hash udp6 sdfn"
	[ "$(tu_fh udp4)" = sdfn ] || fail "udp6 sdfn changed udp4 to '$(tu_fh udp4)'"
	tu_fh_set udp4 sd && tu_fh_set udp6 sd || fail "back to sd"
	tu_ping || fail "no traffic after the hash field changes"
}

# Jumbo frames: MTU 9000 on both ends (changed on a running interface while
# iperf3 runs), unfragmented 8972-byte pings both ways, bulk TCP; 9216 is the
# largest MTU, 9217 is refused; back to 1500.
t_tu_mtu() {
	l=$(tu_if); p=$(peer_if)
	tu_load 6 || fail "iperf3 server"
	ip link set "$l" mtu 9000 || fail "mtu 9000"
	in_peer ip link set "$p" mtu 9000 || fail "peer mtu 9000"
	tu_load_ok || diag "the stream across the MTU change did not finish (allowed: the path MTU changed under it)"
	klog_since "case $SUITE.mtu" | grep -i "mtu" | diag_klog
	wait_for 30 link_up "$l" || fail "no link after the MTU change"
	wait_for 30 in_peer sh -c "grep -q 1 /sys/class/net/$p/carrier" || fail "no peer link after the MTU change"
	# One large ping first (ARP, and the first frame after the change), not counted.
	wait_for 20 ping -c 1 -W 2 -s 8972 10.0.0.2 >/dev/null || fail "no 8972-byte ping answered within 20 s"
	# (busybox ping has no -M.) No fragmentation: the sender's IP layer
	# created no fragment and the receiver's reassembled none (per-namespace
	# IP counters, untouched by other traffic: TCP sets DF), and the peer
	# received at least the three 9000-byte datagrams' bytes.
	link_quiet
	f0=$(local_snmp Ip FragCreates) r0=$(peer_snmp Ip ReasmReqds)
	b0=$(in_peer cat /sys/class/net/"$p"/statistics/rx_bytes)
	out=$(ping -c 3 -W 5 -s 8972 10.0.0.2 2>&1) || { echo "$out" | diag_klog; fail "8972-byte ping local->peer"; }
	f1=$(local_snmp Ip FragCreates) r1=$(peer_snmp Ip ReasmReqds)
	b1=$(in_peer cat /sys/class/net/"$p"/statistics/rx_bytes)
	diag "3 pings of 8972 bytes: local FragCreates +$((f1 - f0)), peer ReasmReqds +$((r1 - r0)), peer rx_bytes +$((b1 - b0))"
	[ -n "$f0" ] && [ -n "$r0" ] || fail "no Ip FragCreates/ReasmReqds in /proc/net/snmp"
	[ $((f1 - f0)) = 0 ] && [ $((r1 - r0)) = 0 ] || fail "the pings were fragmented"
	[ $((b1 - b0)) -ge 27000 ] || fail "the peer received $((b1 - b0)) bytes for 3 pings of 8972 bytes"
	out=$(in_peer ping -c 3 -W 5 -s 8972 10.0.0.1 2>&1) || { echo "$out" | diag_klog; fail "8972-byte ping peer->local"; }
	# (The stream across the MTU change may have left its server behind.)
	peer_iperf_kill
	peer_iperf_server || fail "iperf3 server"
	out=$(iperf3 -c 10.0.0.2 -t 3 -R 2>&1) || { echo "$out" | tail -3 | diag_klog; fail "iperf3 at MTU 9000"; }
	echo "$out" | grep receiver | diag_klog
	ip link set "$l" mtu 9216 || fail "mtu 9216 refused"
	tu_refused ip link set "$l" mtu 9217 || fail "mtu 9217 accepted"
	[ "$(cat /sys/class/net/"$l"/mtu)" = 9216 ] || fail "a refused MTU changed the MTU"
	ip link set "$l" mtu 1500 && in_peer ip link set "$p" mtu 1500 || fail "back to 1500"
	tu_ping || fail "no traffic after the MTU changes"
}

t_tu_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case tuning_up t_tu_up
run_case rings t_tu_rings
run_case channels t_tu_channels
run_case coalesce t_tu_coalesce
run_case rss t_tu_rss
run_case rxfh t_tu_rxfh
run_case mtu t_tu_mtu
run_case unload t_tu_down
