# shellcheck shell=sh
# "smoke" suite: the quick datapath check, run once per interrupt mode by
# `make check` (MSI-X, MSI via rigb.modparams=int_mode=1, INTx via pci=nomsi):
# the mode in use, then ICMP, TCP and UDP both ways between NIC 0 and NIC 1
# (moved into namespace "peer"). UDP is judged by the NICs' counters (every
# frame sent was received, no drop counter moved), not by iperf3's loss, which
# is the receiving socket's and depends on the host's speed. Sourced by /init
# after lib.sh.

t_smoke_up() {
	pair_up || fail "$PAIR_ERR"
}

# The driver logs the mode it got at probe; with EXPECT_IRQ set, it must match.
t_smoke_irq_mode() {
	line=$(klog_since "load $DRIVER" | grep -m1 "using .* interrupts")
	diag "${line:-no interrupt-mode line}"
	[ -n "$line" ] || fail "driver did not report its interrupt mode"
	[ -z "$EXPECT_IRQ" ] && return 0
	echo "$line" | grep -q "using $EXPECT_IRQ interrupts" || fail "expected $EXPECT_IRQ interrupts"
	grep -E " $(nic_name 0)(-(TxRx|rx|tx)-[0-9]+)?$" /proc/interrupts | diag_klog
}

t_smoke_icmp() {
	ping -c 5 -W 2 10.0.0.2 >/dev/null || fail "ping local->peer"
	in_peer ping -c 5 -W 2 10.0.0.1 >/dev/null || fail "ping peer->local"
}

# iperf3 TCP local->peer, then peer->local (-R); nonzero bytes both ways.
t_smoke_tcp() {
	peer_iperf_server || fail "iperf3 server"
	out=$(iperf3 -c 10.0.0.2 -t 3 2>&1) || { echo "$out" | diag_klog; fail "iperf3 tcp local->peer"; }
	echo "$out" | grep -E "sender|receiver" | diag_klog
	peer_iperf_server || fail "iperf3 server"
	out=$(iperf3 -c 10.0.0.2 -t 3 -R 2>&1) || { echo "$out" | diag_klog; fail "iperf3 tcp peer->local"; }
	echo "$out" | grep -E "sender|receiver" | diag_klog
}

# iperf3 UDP at a modest rate both ways: the sending NIC counted the datagrams,
# the receiving NIC every frame sent (lib.sh frames_check); iperf3's loss (the
# receiving socket's) is a diagnostic.
t_smoke_udp() {
	l=$(nic_name 0) p=$(peer_if)
	for dir in tx rx; do
		r=
		[ $dir = rx ] && r=-R
		peer_iperf_server || fail "iperf3 server"
		frames_begin "$l" "$p" || fail "NIC counters"
		# shellcheck disable=SC2086
		iperf3 -c 10.0.0.2 -u -b 20M -t 3 $r >"$STATE/smoke.udp" 2>&1 ||
			{ diag_klog <"$STATE/smoke.udp"; fail "iperf3 udp $dir"; }
		sent=$(iperf_udp_total "$STATE/smoke.udp" sender)
		diag "udp $dir: ${sent:-?} datagrams sent, iperf3 lost $(iperf_udp_loss "$STATE/smoke.udp")"
		[ -n "$sent" ] && [ "$sent" -gt 0 ] || fail "no UDP sender summary"
		frames_check $dir "$sent" || fail "udp $dir: $FRAMES_ERR"
	done
}

t_smoke_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case smoke_up t_smoke_up
run_case irq_mode t_smoke_irq_mode
run_case icmp t_smoke_icmp
run_case tcp t_smoke_tcp
run_case udp t_smoke_udp
run_case unload t_smoke_down
