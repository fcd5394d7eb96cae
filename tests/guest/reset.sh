# shellcheck shell=sh
# "reset" suite: recovery from a hung transmitter. The driver's debugfs
# fault injection (rust_igb-<pci>/tx_stall) withholds TX tail writes: with
# 1, the watchdog's hang detection must report "Detected Tx Unit Hang" and
# reset; with 2 (hang detection off), the stack's TX timeout must fire and
# ndo_tx_timeout's reset task recover the interface. Traffic flows again
# after each. Sourced by /init after lib.sh (MSI-X run of `make check`).
#
# The stack reports a TX timeout with a "NETDEV WATCHDOG" line, which the log
# scan treats as a failure; this suite renames the interface to rigbstall0
# first, and kernel-log-ok.txt accepts the line for that name only.

rs_knob() { echo "/sys/kernel/debug/rust_igb-$(nic_pci 0)/tx_stall"; }
# rs_reset_since MARK: the driver reported a reset after klog mark MARK.
rs_reset_since() { klog_since "$1" | grep -q "Reset adapter"; }

t_rs_up() {
	pair_up || fail "$PAIR_ERR"
	[ -w "$(rs_knob)" ] || fail "no fault-injection knob $(rs_knob)"
}

t_rs_hang() {
	l=$(nic_name 0)
	klog_mark "hang injection"
	echo 1 >"$(rs_knob)" || fail "write tx_stall"
	ping -c 2 -W 1 10.0.0.2 >/dev/null && diag "ping answered while stalled?"
	wait_for 20 rs_reset_since "hang injection" || {
		klog_since "hang injection" | tail -20 | diag_klog
		fail "no reset within 20 s of the stall"
	}
	klog_since "hang injection" | grep -E "Tx Unit Hang|Reset adapter" | diag_klog
	klog_since "hang injection" | grep -q "Detected Tx Unit Hang" || fail "the hang was not reported"
	[ "$(cat "$(rs_knob)")" = 0 ] || fail "the reset did not clear the stall"
	wait_for 30 link_up "$l" || fail "no link after the reset"
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no traffic after the reset"
	in_peer iperf3 -s -D -1 >/dev/null; sleep 1
	iperf3 -c 10.0.0.2 -t 2 >/dev/null 2>&1 || fail "iperf3 after the reset"
}

t_rs_timeout() {
	l=$(nic_name 0)
	ip link set "$l" down && ip link set "$l" name rigbstall0 && ip addr flush dev rigbstall0 &&
		ip addr add 10.0.0.1/24 dev rigbstall0 && ip link set rigbstall0 up || fail "rename to rigbstall0"
	wait_for 30 link_up rigbstall0 || fail "no link after the rename"
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no traffic before the injection"
	klog_mark "timeout injection"
	echo 2 >"$(rs_knob)" || fail "write tx_stall"
	# Fill the ring so the stack stops the queue; its watchdog fires 5 s later.
	in_peer iperf3 -s -D -1 >/dev/null; sleep 1
	iperf3 -c 10.0.0.2 -u -b 20M -t 2 >/dev/null 2>&1
	wait_for 30 rs_reset_since "timeout injection" || {
		klog_since "timeout injection" | tail -20 | diag_klog
		fail "no reset within 30 s"
	}
	klog_since "timeout injection" | grep -E "timed out|Reset adapter" | diag_klog
	klog_since "timeout injection" | grep -q "TX queue [0-9]* timed out, resetting" ||
		fail "ndo_tx_timeout was not called"
	wait_for 30 link_up rigbstall0 || fail "no link after the reset"
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no traffic after the reset"
	in_peer pkill iperf3 || true
}

t_rs_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case reset_up t_rs_up
run_case hang_detected t_rs_hang
run_case tx_timeout t_rs_timeout
run_case unload t_rs_down
