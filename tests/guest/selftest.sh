# shellcheck shell=sh
# "selftest" suite: ethtool -t of $DRIVER in the interrupt mode of the run
# (make check runs it under MSI-X in the ethtool suite and here under INTx):
#   up         both NICs on $DRIVER, NIC 1 in namespace "peer", carrier, pings
#   online     ethtool -t online: PASS
#   offline    ethtool -t offline: PASS, all five results 0 (register, EEPROM,
#              interrupt, loopback, link), then carrier and 5/5 pings both ways
#   again      a second offline run (the first left the device usable), pings
#   down       namespace removed, driver unloaded
# Sourced by /init after lib.sh.

st_test() { # MODE: PASS and five zero results
	klog_mark "selftest $1"
	ethtool -t "$l" "$1" >"$STATE/st.t" 2>&1
	rc=$?
	diag "$1: $(tr '\n\t' '  ' <"$STATE/st.t" | tr -s ' ')"
	[ $rc = 0 ] && grep -q 'The test result is PASS' "$STATE/st.t" || {
		klog_since "selftest $1" | diag_klog
		fail "ethtool -t $1 did not pass"
	}
	[ "$(grep -cE '^(Register|Eeprom|Interrupt|Loopback|Link) test' "$STATE/st.t")" = 5 ] ||
		fail "not 5 results"
	grep -E '^(Register|Eeprom|Interrupt|Loopback|Link) test' "$STATE/st.t" | grep -vqE '[[:space:]]0$' &&
		fail "a nonzero result"
	return 0
}
st_pings() {
	wait_for 30 link_up "$l" || fail "no carrier after the test"
	wait_for 30 ping -c 1 -W 1 10.0.0.2 >/dev/null 2>&1 || fail "no ping answer within 30 s"
	ping -c 5 -i 0.2 -W 3 10.0.0.2 >/dev/null || fail "ping local->peer"
	in_peer ping -c 5 -i 0.2 -W 3 10.0.0.1 >/dev/null || fail "ping peer->local"
}

t_st_up() {
	module_loaded && { unload_driver || fail "rmmod"; }
	klog_mark "load $DRIVER"
	load_driver || fail "loading $DRIVER failed"
	wait_for 30 nics_ready || nics_diag_fail "NICs did not appear"
	peer_setup || fail "peer namespace"
	l=$(nic_name 0) p=$(peer_if)
	ip addr add 10.0.0.1/24 dev "$l" && ip link set "$l" up
	in_peer ip addr add 10.0.0.2/24 dev "$p" && in_peer ip link set "$p" up && in_peer ip link set lo up
	wait_for 30 link_up "$l" || fail "no link"
	diag "$(klog_since "load $DRIVER" | grep -m1 'using .* interrupts')"
	st_pings
}

l=$(nic_name 0)
t_st_online() { l=$(nic_name 0); st_test online; st_pings; }
t_st_offline() { l=$(nic_name 0); st_test offline; st_pings; }
t_st_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case up t_st_up
run_case online t_st_online
run_case offline t_st_offline
run_case again t_st_offline
run_case down t_st_down
