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
qd_load() {
	in_peer pkill iperf3 2>/dev/null
	in_peer iperf3 -s -D -1 >/dev/null || return 1
	sleep 1
	iperf3 -c 10.0.0.2 -t "$1" -P 2 >"$STATE/qd.iperf" 2>&1 &
	echo $! >"$STATE/qd.pid"
	sleep 2
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

t_qd_bql() {
	l=$(qd_if)
	d=/sys/class/net/$l/queues/tx-0/byte_queue_limits
	[ -r "$d/limit" ] || fail "no BQL in sysfs ($d)"
	for q in /sys/class/net/"$l"/queues/tx-*; do
		[ -r "$q/byte_queue_limits/limit" ] || fail "no BQL for $q"
	done
	before=$(cat "$d/limit_max")
	qd_load 4 || fail "iperf3 server"
	seen=0
	for i in 1 2 3 4 5 6 7 8; do
		for q in /sys/class/net/"$l"/queues/tx-*; do
			v=$(cat "$q/byte_queue_limits/limit")
			[ "$v" -gt "$seen" ] && seen=$v
		done
		sleep 0.3
	done
	qd_load_ok || fail "iperf3"
	sleep 1
	inflight=0
	for q in /sys/class/net/"$l"/queues/tx-*; do
		inflight=$(( inflight + $(cat "$q/byte_queue_limits/inflight") ))
	done
	diag "BQL: limit_max $before, highest limit under load $seen, inflight after $inflight"
	[ "$seen" -gt 0 ] || fail "the BQL limit never rose above 0 under load"
	[ "$inflight" = 0 ] || fail "$inflight bytes still in flight after the traffic stopped"
}

# Replace the root qdisc several times while a stream runs; it must finish.
t_qd_replace_root() {
	l=$(qd_if)
	qd_load 14 || fail "iperf3 server"
	for q in "fq" "fq_codel" "handle 1: prio"; do
		tc qdisc replace dev "$l" root $q || fail "tc qdisc replace root $q"
		sleep 1.5
	done
	# (A new kind needs a new handle: "replace" keeps the handle's kind.)
	tc qdisc replace dev "$l" root handle 2: htb default 10 || fail "htb"
	tc class add dev "$l" parent 2: classid 2:10 htb rate 500mbit || fail "htb class 2:10"
	tc class add dev "$l" parent 2: classid 2:20 htb rate 200mbit || fail "htb class 2:20"
	tc filter add dev "$l" parent 2: protocol ip prio 1 u32 match ip dport 5201 0xffff flowid 2:20 ||
		fail "u32 filter"
	sleep 3
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
