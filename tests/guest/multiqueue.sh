# shellcheck shell=sh
# "multiqueue" suite: one queue pair per CPU with MSI-X (one with MSI or
# INTx), the mq root qdisc, transmit spread over the queues by XPS (senders
# on different CPUs) and receive spread by RSS (flows steered to each queue
# by their Toeplitz hash). Sourced by
# /init after lib.sh; run under every interrupt mode by `make check`.

# Queue pairs expected: one per CPU (at most 8) with MSI-X, else one.
mq_expected() {
	case ${EXPECT_IRQ:-MsiX} in
	MsiX) _n=$(nproc); [ "$_n" -gt 8 ] && _n=8; echo "$_n" ;;
	*) echo 1 ;;
	esac
}
# mq_tx_sent IFNAME: "parent packets" per child qdisc of the mq root.
mq_tx_sent() {
	tc -s qdisc show dev "$1" | awk '/^qdisc/ { p = ""; for (i = 1; i < NF; i++) if ($i == "parent") p = $(i + 1) }
		/Sent/ && p != "" { print p, $4; p = "" }'
}

t_mq_up() {
	pair_up || fail "$PAIR_ERR"
}

t_mq_count() {
	want=$(mq_expected)
	for ifn in "$(nic_name 0)"; do
		tx=$(ls -d /sys/class/net/"$ifn"/queues/tx-* | wc -l)
		rx=$(ls -d /sys/class/net/"$ifn"/queues/rx-* | wc -l)
		diag "$ifn: $tx TX and $rx RX queues, expected $want (${EXPECT_IRQ:-MsiX}, $(nproc) CPUs)"
		[ "$tx" = "$want" ] && [ "$rx" = "$want" ] || fail "queue count"
	done
	p=$(peer_if)
	ptx=$(in_peer sh -c "ls -d /sys/class/net/$p/queues/tx-*" | wc -l)
	[ "$ptx" = "$want" ] || fail "peer has $ptx TX queues, expected $want"
	if [ "${EXPECT_IRQ:-MsiX}" = MsiX ]; then
		# Up to four queue pairs, every ring has a vector of its own (RX
		# and TX vectors, as the C igb on the 82576); more share one per pair.
		l=$(nic_name 0)
		rxv=$(vector_irqs "$l" rx | wc -l)
		txv=$(vector_irqs "$l" tx | wc -l)
		pairv=$(vector_irqs "$l" TxRx | wc -l)
		diag "queue vectors in /proc/interrupts: $rxv rx, $txv tx, $pairv TxRx"
		if [ "$want" -le 4 ]; then
			[ "$rxv" = "$want" ] && [ "$txv" = "$want" ] && [ "$pairv" = 0 ] ||
				fail "expected $want rx and $want tx vectors"
		else
			[ "$pairv" = "$want" ] && [ "$rxv" = 0 ] && [ "$txv" = 0 ] ||
				fail "expected $want TxRx vectors"
		fi
	fi
}

t_mq_root() {
	[ "$(mq_expected)" -gt 1 ] || skip "one queue"
	root=$(tc qdisc show dev "$(nic_name 0)" | awk '$4 == "root" { print $2 }')
	diag "root qdisc: $root; children: $(tc qdisc show dev "$(nic_name 0)" | grep -c 'parent :')"
	[ "$root" = mq ] || fail "root qdisc is '$root', not mq"
	[ "$(tc qdisc show dev "$(nic_name 0)" | grep -c 'parent :')" = "$(mq_expected)" ] || fail "one child qdisc per queue"
}

# One UDP sender pinned to each CPU: XPS sends CPU c's datagrams on TX
# queue c, so queue c's child qdisc (parent :c+1) and its tx_queue_c_packets
# counter each carry at least the datagrams that sender counted. (UDP and not
# TCP: a TCP flow may be transmitted from the softirq of whichever CPU its
# ACKs arrive on, so its queue would depend on where RSS puts the ACKs.)
t_mq_tx_spread() {
	n=$(mq_expected)
	[ "$n" -gt 1 ] || skip "one queue"
	l=$(nic_name 0)
	c=0
	while [ "$c" -lt "$n" ]; do
		peer_iperf_server $((5201 + c)) || fail "iperf3 server on port $((5201 + c))"
		c=$((c + 1))
	done
	mq_tx_sent "$l" >"$STATE/tx0"
	ethtool -S "$l" >"$STATE/txs0"
	c=0
	while [ "$c" -lt "$n" ]; do
		taskset -c "$c" iperf3 -u -c 10.0.0.2 -p $((5201 + c)) -b 2M -l 1000 -t 2 >"$STATE/c$c" 2>&1 &
		c=$((c + 1))
	done
	wait
	mq_tx_sent "$l" >"$STATE/tx1"
	ethtool -S "$l" >"$STATE/txs1"
	c=0
	while [ "$c" -lt "$n" ]; do
		sent=$(awk '/sender/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+\/[0-9]+$/) { split($i, a, "/"); print a[2] } }' "$STATE/c$c")
		[ -n "$sent" ] && [ "$sent" -gt 0 ] || { tail -n 3 "$STATE/c$c" | diag_klog; fail "the sender on CPU $c sent nothing"; }
		qd=$(awk -v p=":$((c + 1))" 'NR == FNR { if ($1 == p) a = $2; next } $1 == p { print $2 - a }' "$STATE/tx0" "$STATE/tx1")
		q0=$(sed -n "s/^[[:space:]]*tx_queue_${c}_packets: //p" "$STATE/txs0")
		q1=$(sed -n "s/^[[:space:]]*tx_queue_${c}_packets: //p" "$STATE/txs1")
		diag "CPU $c: sender counted $sent datagrams; queue $c: qdisc sent ${qd:-?}, tx_queue_${c}_packets +$(( q1 - q0 ))"
		[ "${qd:-0}" -ge "$sent" ] || fail "child qdisc of queue $c sent ${qd:-nothing}, fewer than the $sent datagrams from CPU $c"
		[ $(( q1 - q0 )) -ge "$sent" ] || fail "tx_queue_${c}_packets moved by $(( q1 - q0 )), fewer than $sent"
		c=$((c + 1))
	done
}

# The RSS hash as the tests compute it (lib.sh toeplitz) matches the
# published verification vectors, so rx_spread can steer flows with it.
t_mq_rss_hash() {
	rss_selftest || fail "toeplitz does not reproduce the RSS verification vectors"
}

# Receive spread by RSS: per RX queue, a flow from the peer whose Toeplitz
# hash (the interface's key and indirection table, from ethtool -x) lands on
# that queue. The queue must count the flow's frames and its vector must
# interrupt: RSS places flows where the hash says, and every queue vector
# receives. (Random ports would leave a queue idle by chance now and then.)
t_mq_rx_spread() {
	n=$(mq_expected)
	[ "$n" -gt 1 ] || skip "one queue"
	l=$(nic_name 0)
	q=0
	while [ "$q" -lt "$n" ]; do
		rx_queue_check "$l" "$q" 10.0.0.1 10.0.0.2 42000 || fail "RX queue $q"
		q=$((q + 1))
	done
}

t_mq_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case mq_up t_mq_up
run_case queue_count t_mq_count
run_case mq_root t_mq_root
run_case tx_spread t_mq_tx_spread
run_case rss_hash t_mq_rss_hash
run_case rx_spread t_mq_rx_spread
run_case unload t_mq_down
