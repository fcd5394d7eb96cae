# shellcheck shell=sh
# "qdisc" suite: tc and the TX queues. The root qdisc is mq with one child
# per TX queue whose counters move under traffic; BQL limits are visible per
# queue and adapt; root and per-queue qdiscs (fq, fq_codel, prio, htb with a
# u32 filter) are replaced while iperf3 runs, which must not stall or fail.
# Sourced by /init after lib.sh (MSI-X run of `make check`).

qd_if() { nic_name 0; }
# qd_sent IFNAME HANDLE: packets sent by the qdisc or class HANDLE.
qd_sent() {
	{ tc -s qdisc show dev "$1"; tc -s class show dev "$1"; } | awk -v h="$2" '
		($1 == "qdisc" || $1 == "class") { cur = $3 } /Sent/ && cur == h { print $4; exit }'
}
# qd_root_sent IFNAME: packets sent by the current root qdisc.
qd_root_sent() { qd_sent "$1" "$(tc qdisc show dev "$1" | awk '$4 == "root" { print $3; exit }')"; }
# qd_moved IFNAME HANDLE|root N: that qdisc or class has sent more than N packets.
qd_moved() {
	if [ "$2" = root ]; then _v=$(qd_root_sent "$1"); else _v=$(qd_sent "$1" "$2"); fi
	[ "${_v:-0}" -gt "$3" ]
}
qd_txp() { cat "/sys/class/net/$(qd_if)/statistics/tx_packets"; }
qd_flowing() { [ "$(qd_txp)" -ge "$1" ]; }
# qd_load SECS: iperf3 -P 2 to the peer in the background, returning once it
# moves data (200 frames sent); qd_load_ok: it ended and moved data.
qd_load() {
	peer_iperf_kill
	peer_iperf_server || return 1
	_t0=$(qd_txp)
	iperf3 -c 10.0.0.2 -t "$1" -P 2 >"$STATE/qd.iperf" 2>&1 &
	echo $! >"$STATE/qd.pid"
	wait_for 10 qd_flowing $(( _t0 + 200 )) || diag "the stream had not sent 200 frames after 10 s"
}
qd_load_ok() {
	wait "$(cat "$STATE/qd.pid")"
	_rc=$?
	grep -E "SUM.*(sender|receiver)|error" "$STATE/qd.iperf" | diag_klog
	[ $_rc = 0 ] && grep -q "SUM.*receiver" "$STATE/qd.iperf"
}

t_qd_up() { pair_up || fail "$PAIR_ERR"; }

t_qd_mq() {
	l=$(qd_if)
	tc qdisc show dev "$l" | diag_klog
	n=$(ls -d /sys/class/net/"$l"/queues/tx-* | wc -l)
	[ "$n" -gt 1 ] || skip "one TX queue"
	[ "$(tc qdisc show dev "$l" | awk '$4 == "root" { print $2 }')" = mq ] || fail "root is not mq"
	[ "$(tc qdisc show dev "$l" | grep -c 'parent :')" = "$n" ] || fail "not one child qdisc per TX queue"
	qd_load 4 || fail "iperf3 server"
	qd_load_ok || fail "iperf3"
	moved=$(tc -s qdisc show dev "$l" | awk '/^qdisc/ { p = ""; for (i = 1; i < NF; i++) if ($i == "parent") p = $(i + 1) }
		/Sent/ && p != "" && $4 > 0 { n++ } END { print n + 0 }')
	diag "children that sent packets: $moved of $n"
	[ "$moved" -ge 1 ] || fail "no child qdisc counted the traffic"
	root=$(qd_sent "$l" "$(tc qdisc show dev "$l" | awk '$4 == "root" { print $3 }')")
	diag "mq root sent ${root:-0} packets"
	[ "${root:-0}" -gt 1000 ] || fail "mq root counted only ${root:-0} packets"
}

# qd_bql_rose IFNAME: update $seen with the highest BQL limit of IFNAME's TX
# queues; true once it is above 0. qd_bql_idle IFNAME: $inflight, the bytes in
# flight over all TX queues, is 0.
qd_bql_rose() {
	for _q in /sys/class/net/"$1"/queues/tx-*; do
		_v=$(cat "$_q/byte_queue_limits/limit")
		[ "$_v" -gt "$seen" ] && seen=$_v
	done
	[ "$seen" -gt 0 ]
}
qd_bql_idle() {
	inflight=0
	for _q in /sys/class/net/"$1"/queues/tx-*; do
		inflight=$(( inflight + $(cat "$_q/byte_queue_limits/inflight") ))
	done
	[ "$inflight" = 0 ]
}

t_qd_bql() {
	l=$(qd_if)
	d=/sys/class/net/$l/queues/tx-0/byte_queue_limits
	[ -r "$d/limit" ] || fail "no BQL in sysfs ($d)"
	for q in /sys/class/net/"$l"/queues/tx-*; do
		[ -r "$q/byte_queue_limits/limit" ] || fail "no BQL for $q"
	done
	before=$(cat "$d/limit_max")
	qd_load 6 || fail "iperf3 server"
	seen=0
	# Sample the limits for up to 4 s, until one rose (the stream runs 6 s).
	wait_for 4 qd_bql_rose "$l"
	qd_load_ok || fail "iperf3"
	# Completions of the last frames may still be on their way.
	wait_for 5 qd_bql_idle "$l"
	diag "BQL: limit_max $before, highest limit under load $seen, inflight after $inflight"
	[ "$seen" -gt 0 ] || fail "the BQL limit never rose above 0 under load"
	[ "$inflight" = 0 ] || fail "$inflight bytes still in flight after the traffic stopped"
}

# Replace the root qdisc several times while a stream runs; it must finish.
# Each new root must carry the stream (its counter moves) before the next
# step; the stream lasts 45 s, longer than the four steps' 10 s bounds.
t_qd_replace_root() {
	l=$(qd_if)
	qd_load 45 || fail "iperf3 server"
	for q in "fq" "fq_codel" "handle 1: prio"; do
		tc qdisc replace dev "$l" root $q || fail "tc qdisc replace root $q"
		wait_for 10 qd_moved "$l" root 50 || fail "root $q sent only $(qd_root_sent "$l") packets in 10 s"
		diag "root $q: $(tc qdisc show dev "$l" | awk '$4 == "root" { print $2, $3; exit }') sent $(qd_root_sent "$l") packets"
	done
	# (A new kind needs a new handle: "replace" keeps the handle's kind.)
	tc qdisc replace dev "$l" root handle 2: htb default 10 || fail "htb"
	tc class add dev "$l" parent 2: classid 2:10 htb rate 500mbit || fail "htb class 2:10"
	tc class add dev "$l" parent 2: classid 2:20 htb rate 200mbit || fail "htb class 2:20"
	tc filter add dev "$l" parent 2: protocol ip prio 1 u32 match ip dport 5201 0xffff flowid 2:20 ||
		fail "u32 filter"
	wait_for 10 qd_moved "$l" 2:20 0
	c20=$(qd_sent "$l" "2:20")
	diag "htb class 2:20 (iperf3 port 5201) sent ${c20:-0} packets"
	[ "${c20:-0}" -gt 0 ] || fail "the u32 filter did not steer the stream into class 2:20"
	tc qdisc del dev "$l" root || fail "tc qdisc del root"
	qd_load_ok || fail "iperf3 across root qdisc replacements"
	[ "$(tc qdisc show dev "$l" | awk '$4 == "root" { print $2 }')" = "$(ls -d /sys/class/net/"$l"/queues/tx-* | wc -l | awk '{ print ($1 > 1) ? "mq" : "fq_codel" }')" ] ||
		fail "default root qdisc not restored"
	ping -c 3 -W 2 10.0.0.2 >/dev/null || fail "no traffic afterwards"
}

# Replace the child qdisc of each TX queue under mq while a stream runs.
t_qd_replace_child() {
	l=$(qd_if)
	n=$(ls -d /sys/class/net/"$l"/queues/tx-* | wc -l)
	[ "$n" -gt 1 ] || skip "one TX queue"
	qd_load 8 || fail "iperf3 server"
	# The default mq has handle 0:, which parent lookups cannot name: put an
	# mq with a handle in its place first (itself a replacement under load).
	tc qdisc replace dev "$l" root handle 100: mq || fail "mq with handle 100:"
	for q in $(seq 1 "$n"); do
		tc qdisc replace dev "$l" parent "100:$(printf %x "$q")" fq || fail "fq on queue $q"
	done
	sleep 2
	tc qdisc show dev "$l" | diag_klog
	[ "$(tc qdisc show dev "$l" | grep -c '^qdisc fq ')" = "$n" ] || fail "not every queue has fq"
	qd_load_ok || fail "iperf3 across per-queue qdisc replacements"
	tc qdisc del dev "$l" root 2>/dev/null
	ping -c 3 -W 2 10.0.0.2 >/dev/null || fail "no traffic afterwards"
}

t_qd_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case qdisc_up t_qd_up
run_case mq_children t_qd_mq
run_case bql t_qd_bql
run_case replace_root t_qd_replace_root
run_case replace_child t_qd_replace_child
run_case unload t_qd_down
