# shellcheck shell=sh
# Instruction-count suite (`make insncount`, not part of `make check`): fixed
# workloads through the C igb and rust_igb in one boot, with phase marks for
# the insncount TCG plugin (scripts/insncount/). Run by scripts/insncount.sh,
# which boots QEMU with the plugin, 3 vCPUs and `nokaslr`, packs the guest
# helper insnmark into the initramfs and reports the counts per packet
# (scripts/insncount-report.py). See Documentation/benchmark.md.
#
# Topology as in the bench suite (its helpers are sourced from bench.sh):
# NIC 0 here (10.0.0.1), NIC 1 in netns peer (10.0.0.2), both bound to the
# driver under test. Placement (three vCPUs, one per path):
#   CPU 0  every interrupt of NIC 0 (the sender's completions, and what it receives)
#   CPU 1  every interrupt of NIC 1 and the peer's programs (the receiver)
#   CPU 2  the local programs (ping, iperf3 client, insnmark): the sender's
#          transmits from process context
#
# Per driver (case insncount.DRIVER): load, build the topology, hand the
# module's /proc/kallsyms lines to the plugin (mark "syms DRIVER"), then for
# each workload W: mark "start DRIVER W", run W, mark "stop DRIVER W", and
# print the NICs' packet counters over the phase as
#   # insncount: driver=D workload=W local_tx=N local_rx=N peer_tx=N peer_rx=N
# Workloads:
#   udp   INSN_UDP datagrams of 64 bytes at INSN_UDP_RATE, local -> peer
#         (iperf3 -u -l 64 -k N -b RATE); the host learns from it which of the
#         module's blocks are transmit (CPU 2), completion (CPU 0) and receive (CPU 1)
#   ping  INSN_PINGS ICMP echoes local -> peer, 10 ms apart
#   tcp   INSN_TCP bytes over one TCP stream, local -> peer (iperf3 -n)
#
# Knobs: environment variable, else kernel parameter rigb.<lower-case name>, else default.
#   INSN_DRIVERS   rigb.insn_drivers   igb,rust_igb
#   INSN_PINGS     rigb.insn_pings     1000
#   INSN_UDP       rigb.insn_udp       20000
#   INSN_UDP_RATE  rigb.insn_udp_rate  5M   (bit/s of payload; below the guest's limit)
#   INSN_TCP       rigb.insn_tcp       20M  (iperf3 -n syntax)

: "${INSN_DRIVERS:=$(karg rigb.insn_drivers)}" "${INSN_DRIVERS:=igb,rust_igb}"
: "${INSN_PINGS:=$(karg rigb.insn_pings)}" "${INSN_PINGS:=1000}"
: "${INSN_UDP:=$(karg rigb.insn_udp)}" "${INSN_UDP:=20000}"
: "${INSN_UDP_RATE:=$(karg rigb.insn_udp_rate)}" "${INSN_UDP_RATE:=5M}"
: "${INSN_TCP:=$(karg rigb.insn_tcp)}" "${INSN_TCP:=20M}"

# The bench suite's topology helpers (b_up, b_down, ns_peer_if, ...), pinned.
BENCH_LIB=1 BENCH_PIN=1 BENCH_PROFILE=0 BENCH_DRIVERS=$INSN_DRIVERS
# shellcheck source=bench.sh
. "$TESTDIR/bench.sh"

ic_mark() { # LABEL [FILE]
	taskset -c 2 insnmark "$@" || fail "insnmark $1 failed"
}
ic_counters() { # "local_tx local_rx peer_tx peer_rx"
	echo "$(cat "/sys/class/net/$A/statistics/tx_packets") $(cat "/sys/class/net/$A/statistics/rx_packets")" \
		"$(in_peer cat "/sys/class/net/$B/statistics/tx_packets") $(in_peer cat "/sys/class/net/$B/statistics/rx_packets")"
}
# ic_phase WORKLOAD CMD...: CMD between the start and stop marks, counters around it.
ic_phase() {
	_w=$1
	shift
	_c0=$(ic_counters)
	ic_mark "start $DRIVER $_w"
	"$@"
	_rc=$?
	ic_mark "stop $DRIVER $_w"
	_c1=$(ic_counters)
	[ "$_rc" = 0 ] || fail "$_w: exit $_rc"
	# shellcheck disable=SC2086
	diag "insncount: driver=$DRIVER workload=$_w $(echo $_c0 $_c1 | awk '{
		printf "local_tx=%d local_rx=%d peer_tx=%d peer_rx=%d", $5 - $1, $6 - $2, $7 - $3, $8 - $4 }')"
}

ic_ping() {
	$B_RUN_LOCAL ping -q -c "$INSN_PINGS" -i 0.01 -W 5 $B_PEER4 >"$STATE/ic.ping" 2>&1
	_rc=$?
	diag "ping: $(grep -E 'transmitted|round-trip' "$STATE/ic.ping" | tr '\n' ' ')"
	return $_rc
}
# ic_iperf ARGS...: iperf3 client (CPU 2) against a one-off server in the peer (CPU 1).
ic_iperf() {
	# shellcheck disable=SC2086
	nsenter -F --net="$B_NETNS" $B_RUN_PEER timeout 300 iperf3 -s -1 -p $B_PORT \
		>"$STATE/ic.srv" 2>&1 </dev/null &
	_srv=$!
	wait_for 20 b_listening || { kill $_srv 2>/dev/null; echo "iperf3 server did not listen"; return 1; }
	# shellcheck disable=SC2086
	$B_RUN_LOCAL timeout 240 iperf3 -c $B_PEER4 -p $B_PORT --connect-timeout 10000 "$@" >"$STATE/ic.iperf" 2>&1
	_rc=$?
	[ "$_rc" = 0 ] || kill $_srv 2>/dev/null
	wait $_srv 2>/dev/null
	diag "iperf3 $*: $(grep -E 'receiver *$' "$STATE/ic.iperf" | tail -n 1 | tr -s ' ')"
	[ "$_rc" = 0 ] || diag "iperf3 exit $_rc: $(tail -n 3 "$STATE/ic.iperf" | tr '\n' ' ')"
	return $_rc
}

ic_run() { # DRIVER
	DRIVER=$1
	trap b_down EXIT
	klog_mark "insncount: load $DRIVER"
	b_up
	[ "$(grep -c ^processor /proc/cpuinfo)" -ge 3 ] || fail "needs 3 vCPUs (QEMU -smp 3)"
	B_RUN_LOCAL="taskset -c 2"
	diag "insncount: $DRIVER: local $A, peer $B; irqs $(awk -v a="$(nic_pci 0)" -v b="$(nic_pci 1)" \
		'index($0, a) || index($0, b) { printf "%s%s", s, $NF; s = " " }' /proc/interrupts)"
	grep '\[' /proc/kallsyms >"$STATE/ic.syms"
	ic_mark "syms $DRIVER" "$STATE/ic.syms"
	ic_phase udp ic_iperf -u -l 64 -b "$INSN_UDP_RATE" -k "$INSN_UDP"
	ic_phase ping ic_ping
	ic_phase tcp ic_iperf -n "$INSN_TCP"
	trap - EXIT
	b_down || fail "$DRIVER: unload failed or NICs still present"
}

diag "insncount: drivers=$INSN_DRIVERS pings=$INSN_PINGS udp=$INSN_UDP rate=$INSN_UDP_RATE tcp=$INSN_TCP kernel=$(uname -r) cpus=$(grep -c ^processor /proc/cpuinfo)"
command -v insnmark >/dev/null || fail "no insnmark in the initramfs (scripts/insncount.sh adds it)"
for _d in $(echo "$INSN_DRIVERS" | tr , ' '); do
	DRIVER=$_d
	module_loaded && unload_driver
done
for _d in $(echo "$INSN_DRIVERS" | tr , ' '); do
	run_case "$_d" ic_run "$_d"
done
