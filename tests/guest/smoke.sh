# shellcheck shell=sh
# "smoke" suite: the quickest datapath check (load, peer namespace, ping both
# ways, a short iperf3), for iterating on the driver. Sourced by /init.

t_smoke_up() {
	module_loaded || load_driver || fail "loading $DRIVER failed"
	wait_for 30 nics_ready || nics_diag_fail "NICs did not appear"
	peer_setup || fail "peer namespace"
	l=$(nic_name 0); p=$(peer_if)
	ip addr add 10.0.0.1/24 dev "$l" && ip link set "$l" up
	in_peer ip addr add 10.0.0.2/24 dev "$p" && in_peer ip link set "$p" up && in_peer ip link set lo up
	wait_for 30 link_up "$l" || fail "no link"
	wait_for 30 in_peer cat /sys/class/net/"$p"/carrier || fail "no peer link"
}

t_smoke_ping() {
	ping -c 5 -W 2 10.0.0.2 || { ip -s link show "$(nic_name 0)" | diag_klog; fail "ping local->peer"; }
	in_peer ping -c 5 -W 2 10.0.0.1 || fail "ping peer->local"
	ip -s link show "$(nic_name 0)" | diag_klog
}

t_smoke_iperf() {
	in_peer iperf3 -s -1 -D || fail "iperf3 server"
	sleep 1
	iperf3 -c 10.0.0.2 -t 3 | tail -4 | diag_klog || fail "iperf3"
}

run_case smoke_up t_smoke_up
run_case smoke_ping t_smoke_ping
run_case smoke_iperf t_smoke_iperf
unload_driver
