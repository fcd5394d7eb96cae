# shellcheck shell=sh
# "multiqueue" suite: one queue pair per CPU with MSI-X (one with MSI or
# INTx), the mq root qdisc, transmit spread over the queues by XPS (senders
# on different CPUs) and receive spread by RSS (many flows). Sourced by
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

# Two senders pinned to different CPUs: XPS sends each CPU's packets on its
# own queue, so every queue's child qdisc sends a share.
t_mq_tx_spread() {
	n=$(mq_expected)
	[ "$n" -gt 1 ] || skip "one queue"
	l=$(nic_name 0)
	mq_tx_sent "$l" >"$STATE/tx0"
	in_peer iperf3 -s -D -p 5201 >/dev/null && in_peer iperf3 -s -D -p 5202 >/dev/null || fail "iperf3 servers"
	sleep 1
	taskset -c 0 iperf3 -c 10.0.0.2 -p 5201 -t 4 >"$STATE/c0" 2>&1 &
	taskset -c 1 iperf3 -c 10.0.0.2 -p 5202 -t 4 >"$STATE/c1" 2>&1
	wait
	in_peer pkill iperf3
	grep -h receiver "$STATE/c0" "$STATE/c1" | diag_klog
	mq_tx_sent "$l" >"$STATE/tx1"
	# A queue carries traffic if it sent at least a tenth of the packets.
	busy=$(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; t += d[$1] }
		END { for (q in d) { print "# queue " q " sent " d[q] " packets" > "/dev/stderr"; if (d[q] > 100 && d[q] * 10 >= t) n++ }; print n + 0 }' \
		"$STATE/tx0" "$STATE/tx1" 2>"$STATE/txd")
	diag_klog <"$STATE/txd"
	[ "$busy" -ge 2 ] || fail "only $busy TX queue(s) carried traffic"
}

# Sixteen flows from the peer: RSS spreads them over the RX queues, so every
# queue vector takes interrupts (with all flows on one queue, ACKs and
# receive would all land on one vector).
t_mq_rx_spread() {
	n=$(mq_expected)
	[ "$n" -gt 1 ] || skip "one queue"
	l=$(nic_name 0)
	vector_irqs "$l" "TxRx|rx" >"$STATE/irq0"
	in_peer iperf3 -s -D -1 >/dev/null || fail "iperf3 server"
	sleep 1
	out=$(iperf3 -c 10.0.0.2 -R -P 16 -t 4 2>&1) || { echo "$out" | tail -5 | diag_klog; fail "iperf3 -R -P 16"; }
	echo "$out" | grep SUM | tail -2 | diag_klog
	vector_irqs "$l" "TxRx|rx" >"$STATE/irq1"
	busy=$(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; t += d[$1] }
		END { for (v in d) { print "# vector " v ": " d[v] " interrupts" > "/dev/stderr"; if (d[v] > 20 && d[v] * 10 >= t) n++ }; print n + 0 }' \
		"$STATE/irq0" "$STATE/irq1" 2>"$STATE/irqd")
	diag_klog <"$STATE/irqd"
	[ "$busy" -ge 2 ] || fail "only $busy receiving queue vector(s) took interrupts"
}

t_mq_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case mq_up t_mq_up
run_case queue_count t_mq_count
run_case mq_root t_mq_root
run_case tx_spread t_mq_tx_spread
run_case rx_spread t_mq_rx_spread
run_case unload t_mq_down
