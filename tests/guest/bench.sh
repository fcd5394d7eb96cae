# shellcheck shell=sh
# Benchmark suite (`make bench`, not part of `make check`): the C igb against
# rust_igb on the same two NICs, in one boot, alternating between the drivers.
# Sourced by /init (after lib.sh); run on the bench kernel (qemu/kernel-bench.config)
# by scripts/bench.sh, which also summarises the results (scripts/bench-report.py).
#
#   NIC 0 (00:03.0, "local")  this namespace          10.0.0.1/24
#   NIC 1 (00:05.0, "peer")   network namespace peer   10.0.0.2/24
#
# Both NICs are bound to the driver under test: every transfer runs through the
# driver's transmit path on one NIC and its receive path on the other. "tx"
# means the local NIC sends (iperf3 client here), "rx" the peer sends (-R).
#
# For each repetition r = 1..BENCH_REPS, for each driver (the order reversed
# every other repetition, igb rust_igb / rust_igb igb / ..., to cancel drift),
# one case bench.rR_DRIVER: load the driver, build the topology, measure,
# tear down and unload. Each measurement is printed as a KTAP diagnostic
#   # bench: rep=R driver=D metric=M value=V unit=U
# (on the console and the KTAP channel) for the host to parse. Metrics:
#   tcp1_tx, tcp1_rx  iperf3 TCP, 1 stream, BENCH_TIME s: receiver Mbit/s
#   tcp4_tx, tcp4_rx  iperf3 TCP, 4 streams (-P 4): receiver Mbit/s (sum)
#   tcp8_tx, tcp8_rx  with 4 or more vCPUs (scripts/bench.sh BENCH_CPUS=4): iperf3
#                     TCP, 8 streams (-P 8), receiver Mbit/s: the multi-queue path,
#                     4 queue pairs with RSS spreading the flows
#   rxq_used          (diagnostic, with tcp8) RX queues of the receiving NIC that
#                     carried at least 1/16 of tcp8_tx's frames
#   udp64_pps         iperf3 UDP, 64-byte payloads (106-byte frames), unlimited
#                     rate (-b 0), local -> peer: datagrams received per second
#   rtt_us            median ICMP echo round trip local -> peer over BENCH_PINGS
#                     pings 10 ms apart, microseconds
#   cpu_s_per_gb      guest CPU seconds (all CPUs; /proc/stat user+nice+system+
#                     irq+softirq+steal, both ends and iperf3 included) per GB
#                     (10^9 bytes) received by the data-receiving NIC, over the
#                     four TCP transfers together
#   irqs_per_mb       (diagnostic, no target) MSI/MSI-X interrupts (all of them are
#                     the two NICs') per MB received over the same four transfers
# A case fails if the driver does not come up or a measurement gives no
# (or a zero) result.
#
# Knobs: environment variable, else kernel parameter (KERNEL_ARGS="rigb.x=..."),
# else default.
#   BENCH_REPS     rigb.bench_reps     repetitions (default 5)
#   BENCH_TIME     rigb.bench_time     seconds per iperf3 run (default 5)
#   BENCH_PINGS    rigb.bench_pings    pings for rtt_us (default 200)
#   BENCH_DRIVERS  rigb.bench_drivers  comma list of drivers (default igb,rust_igb);
#                  an out-of-tree one is /lib/modules/<name>.ko, else modprobe <name>
#   BENCH_PIN      rigb.bench_pin      1 (default): each end gets its own vCPUs, as
#                  if on its own host: every interrupt of NIC 0 and the local
#                  programs (iperf3 client, ping) on CPU 0, every interrupt of
#                  NIC 1 and the peer's iperf3 server on CPU 1, for both drivers
#                  alike; with 4 vCPUs, CPUs 0-1 and 2-3, queue N's interrupts on
#                  the half's CPU N mod 2. 0: leave placement to the drivers and the scheduler
#                  (then whether the receiving queue's interrupt shares the
#                  sender's CPU is a lottery of the flow hash, worth up to 2x in
#                  the small-packet rate; Documentation/benchmark.md).
#   BENCH_PROFILE  rigb.bench_profile  1 (default): after the measured repetitions,
#                  one profiling pass per driver (cases bench.profile_DRIVER), if
#                  perf is in the initramfs (scripts/bench.sh adds the host's): perf
#                  record -a -e cpu-clock during a tcp1_tx and a udp64 run, the
#                  top symbols printed as "# perf: DRIVER WORKLOAD PCT SYMBOL [MODULE]"
#                  and the share per module as "# perf-mod: ...". Not part of the figures.

: "${BENCH_REPS:=$(karg rigb.bench_reps)}" "${BENCH_REPS:=5}"
: "${BENCH_TIME:=$(karg rigb.bench_time)}" "${BENCH_TIME:=5}"
: "${BENCH_PINGS:=$(karg rigb.bench_pings)}" "${BENCH_PINGS:=200}"
: "${BENCH_DRIVERS:=$(karg rigb.bench_drivers)}" "${BENCH_DRIVERS:=igb,rust_igb}"

: "${BENCH_PROFILE:=$(karg rigb.bench_profile)}" "${BENCH_PROFILE:=1}"
: "${BENCH_PIN:=$(karg rigb.bench_pin)}" "${BENCH_PIN:=1}"

B_LOCAL4=10.0.0.1 B_PEER4=10.0.0.2
B_NETNS=/run/netns/peer
B_PORT=5201

# ---- topology ------------------------------------------------------------------
b_peer_up() {
	# shellcheck disable=SC2016
	in_peer sh -c '[ "$(cat /sys/class/net/$1/carrier)" = 1 ] &&
		[ "$(cat /sys/class/net/$1/operstate)" = up ]' sh "$B" 2>/dev/null
}
b_peer_answers() { ping -c 1 -W 1 $B_PEER4 >/dev/null 2>&1; }
# b_up: load $DRIVER, bind both NICs, NIC 1 into netns peer, addresses, carrier.
b_up() {
	module_loaded || load_driver || fail "loading $DRIVER failed"
	for _i in 0 1; do
		nic_driver "$_i" >/dev/null || nic_pci "$_i" >/sys/bus/pci/drivers_probe 2>/dev/null
	done
	wait_for 30 nics_bound || nics_diag_fail "NICs not bound to $DRIVER within 30 s"
	[ -e "$B_NETNS" ] || ip netns add peer || fail "ip netns add peer failed"
	in_peer ip link set lo up || fail "peer: lo up failed"
	ip link set dev "$(nic_name 1)" netns peer || fail "moving NIC 1 to netns peer failed"
	wait_for 10 ns_has_peer_if || fail "NIC 1 not visible in netns peer"
	A=$(nic_name 0) B=$(ns_peer_if)
	ip addr replace "$B_LOCAL4/24" dev "$A" && ip link set dev "$A" up || fail "local $A: address/up failed"
	in_peer ip addr replace "$B_PEER4/24" dev "$B" && in_peer ip link set dev "$B" up ||
		fail "peer $B: address/up failed"
	wait_for 30 link_up "$A" || fail "local $A: no carrier within 30 s"
	wait_for 30 b_peer_up || fail "peer $B: no carrier within 30 s"
	wait_for 30 b_peer_answers || fail "$B_PEER4 does not answer pings"
	b_pin
}
# b_pin: BENCH_PIN placement (see the header): the CPUs split in two halves,
# the first for NIC 0 and the local programs, the second for NIC 1 and the peer's
# (with 2 CPUs: CPU 0 and CPU 1). Within a half, queue N's interrupts go to its
# CPU N modulo the half's size, an interrupt without a queue number (the "other"
# vector, MSI, INTx) to the half's first. B_RUN_LOCAL/B_RUN_PEER prefix the local
# and peer programs.
B_RUN_LOCAL="" B_RUN_PEER=""
b_pin() {
	[ "$BENCH_PIN" = 1 ] || return 0
	_ncpu=$(grep -c ^processor /proc/cpuinfo)
	[ "$_ncpu" -ge 2 ] || return 0
	_half=$(( _ncpu / 2 ))
	B_RUN_LOCAL="taskset -c 0-$(( _half - 1 ))" B_RUN_PEER="taskset -c $_half-$(( 2 * _half - 1 ))"
	for _i in 0 1; do
		awk -v p="$(nic_pci "$_i")" 'index($0, p) { sub(":", "", $1); q = $NF; sub(/.*-/, "", q); print $1, (q ~ /^[0-9]+$/) ? q : 0 }' \
			/proc/interrupts >"$STATE/bench.irqs"
		while read -r _irq _q; do
			_cpu=$(( _i * _half + _q % _half ))
			echo "$_cpu" >"/proc/irq/$_irq/smp_affinity_list" ||
				fail "pinning IRQ $_irq of NIC $_i (queue $_q) to CPU $_cpu failed"
		done <"$STATE/bench.irqs"
	done
}
# b_down: namespace gone (NIC 1 returns), driver unloaded, NICs unbound.
b_down() {
	ip netns del peer 2>/dev/null
	module_loaded && unload_driver
	wait_for 30 nics_gone
}

# ---- measurements ----------------------------------------------------------------
b_report() { # METRIC VALUE UNIT
	diag "bench: rep=$REP driver=$DRIVER metric=$1 value=$2 unit=$3"
}
# CPU jiffies (USER_HZ) spent busy, all CPUs.
b_busy() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat; }
b_rx_bytes() { # local|peer
	if [ "$1" = peer ]; then
		in_peer cat "/sys/class/net/$B/statistics/rx_bytes"
	else
		cat "/sys/class/net/$A/statistics/rx_bytes"
	fi
}
# MSI/MSI-X interrupts so far, all CPUs (the NICs are the guest's only MSI users).
b_irqs() {
	awk -v n="$(grep -c ^processor /proc/cpuinfo)" '/MSI/ { for (i = 2; i <= n + 1; i++) s += $i } END { print s + 0 }' /proc/interrupts
}
b_listening() { in_peer netstat -ltn 2>/dev/null | grep -q ":$B_PORT .*LISTEN"; }
# b_iperf OUT ARGS...: iperf3 client here against a one-off server in the peer.
b_iperf() {
	_out=$1
	shift
	# shellcheck disable=SC2086 # B_RUN_PEER/B_RUN_LOCAL are command prefixes
	nsenter -F --net="$B_NETNS" $B_RUN_PEER timeout $(( BENCH_TIME + 60 )) iperf3 -s -1 -p $B_PORT \
		>"$STATE/bench.srv" 2>&1 </dev/null &
	_srv=$!
	wait_for 20 b_listening || { kill $_srv 2>/dev/null; fail "iperf3 server did not listen"; }
	# shellcheck disable=SC2086
	$B_RUN_LOCAL timeout $(( BENCH_TIME + 30 )) iperf3 -c $B_PEER4 -p $B_PORT --connect-timeout 10000 \
		-t "$BENCH_TIME" "$@" >"$_out" 2>&1
	_rc=$?
	# The one-off server exits after the test; kill it if the client failed.
	[ "$_rc" = 0 ] || kill $_srv 2>/dev/null
	wait $_srv 2>/dev/null
	[ "$_rc" = 0 ] || fail "iperf3 $* exit $_rc: $(tail -n 3 "$_out" | tr '\n' ' ')"
}
# Field before UNIT on the last line ending in "receiver".
b_rate() { awk -v u="$2" '/receiver *$/ { for (i = 1; i < NF; i++) if ($(i + 1) == u) r = $i } END { print r }' "$1"; }
b_positive() { awk -v v="$1" 'BEGIN { exit !(v + 0 > 0) }'; }

# b_tcp NAME STREAMS tx|rx: throughput; adds to the CPU and byte totals.
b_tcp() {
	_rx_nic=peer _r=
	[ "$3" = rx ] && _rx_nic=local _r=-R
	_b0=$(b_rx_bytes $_rx_nic) _i0=$(b_irqs) _c0=$(b_busy)
	# shellcheck disable=SC2086
	b_iperf "$STATE/bench.tcp" -P "$2" -f m $_r
	_c1=$(b_busy) _i1=$(b_irqs) _b1=$(b_rx_bytes $_rx_nic)
	_mb=$(b_rate "$STATE/bench.tcp" Mbits/sec)
	b_positive "$_mb" || fail "$1: no throughput: $(tail -n 4 "$STATE/bench.tcp" | tr '\n' ' ')"
	b_report "$1" "$_mb" Mbit/s
	CPU_J=$(( CPU_J + _c1 - _c0 )) BYTES=$(( BYTES + _b1 - _b0 )) IRQS=$(( IRQS + _i1 - _i0 ))
}

# b_rxq_packets local|peer: "N PACKETS" per RX queue of that end's NIC
# (`rx_queue_N_packets` of ethtool -S, the same name in both drivers).
b_rxq_packets() {
	if [ "$1" = peer ]; then
		in_peer ethtool -S "$B"
	else
		ethtool -S "$A"
	fi | sed -n 's/^ *rx_queue_\([0-9]*\)_packets: *\([0-9]*\)$/\1 \2/p'
}
# b_tcp8: 8 TCP streams each way (with 4 or more CPUs: 4 queue pairs, RSS
# spreading the flows), and how many of the receiving NIC's RX queues carried at
# least 1/16 of the transmit run's frames (diagnostic: where RSS put 8 flows).
# Not in the CPU/byte totals of cpu_s_per_gb, which stay those of the four
# transfers above.
b_tcp8() {
	_cj=$CPU_J _by=$BYTES _iq=$IRQS
	b_rxq_packets peer >"$STATE/bench.rxq0"
	b_tcp tcp8_tx 8 tx
	b_rxq_packets peer >"$STATE/bench.rxq1"
	_used=$(awk 'NR == FNR { a[$1] = $2; next } { d[$1] = $2 - a[$1]; t += d[$1] } END { for (q in d) if (t > 0 && d[q] * 16 >= t) n++; print n + 0 }' \
		"$STATE/bench.rxq0" "$STATE/bench.rxq1")
	diag "tcp8_tx: frames per peer RX queue: $(awk 'NR == FNR { a[$1] = $2; next } { printf "%s:%d ", $1, $2 - a[$1] }' "$STATE/bench.rxq0" "$STATE/bench.rxq1")"
	b_report rxq_used "$_used" queues
	b_tcp tcp8_rx 8 rx
	CPU_J=$_cj BYTES=$_by IRQS=$_iq
}

b_udp() {
	b_iperf "$STATE/bench.udp" -u -l 64 -b 0 -f k
	_lt=$(awk '/receiver *$/ { for (i = 1; i <= NF; i++) if ($i ~ /^-?[0-9]+\/[0-9]+$/) r = $i } END { print r }' "$STATE/bench.udp")
	[ -n "$_lt" ] || fail "udp64: no receiver summary: $(tail -n 4 "$STATE/bench.udp" | tr '\n' ' ')"
	_pps=$(awk -v lt="$_lt" -v t="$BENCH_TIME" 'BEGIN { split(lt, a, "/"); printf "%.0f", (a[2] - a[1]) / t }')
	b_positive "$_pps" || fail "udp64: nothing received ($_lt lost/total)"
	diag "udp64: lost/total $_lt"
	b_report udp64_pps "$_pps" pkt/s
}

b_rtt() {
	# shellcheck disable=SC2086
	$B_RUN_LOCAL ping -c "$BENCH_PINGS" -i 0.01 -W 5 $B_PEER4 >"$STATE/bench.ping" 2>&1
	sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' "$STATE/bench.ping" | sort -n >"$STATE/bench.rtt"
	_n=$(wc -l <"$STATE/bench.rtt")
	[ "$_n" -ge $(( BENCH_PINGS / 2 )) ] || fail "rtt: only $_n of $BENCH_PINGS pings answered"
	_med=$(awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f", m * 1000 }' "$STATE/bench.rtt")
	diag "rtt: $_n answered; $(grep round-trip "$STATE/bench.ping")"
	b_report rtt_us "$_med" us
}

# ---- one repetition of one driver --------------------------------------------------
b_run() { # DRIVER
	DRIVER=$1
	trap b_down EXIT
	klog_mark "bench rep $REP: load $DRIVER"
	b_up
	diag "rep $REP, $DRIVER: local $A, peer $B"
	CPU_J=0 BYTES=0 IRQS=0
	b_tcp tcp1_tx 1 tx
	b_tcp tcp1_rx 1 rx
	b_tcp tcp4_tx 4 tx
	b_tcp tcp4_rx 4 rx
	[ "$BYTES" -gt 0 ] || fail "no bytes counted by the receiving NICs"
	b_report cpu_s_per_gb "$(awk -v j="$CPU_J" -v b="$BYTES" 'BEGIN { printf "%.2f", j / 100 / (b / 1e9) }')" s/GB
	b_report irqs_per_mb "$(awk -v i="$IRQS" -v b="$BYTES" 'BEGIN { printf "%.1f", i / (b / 1e6) }')" irq/MB
	diag "cpu: $CPU_J jiffies, $IRQS interrupts for $BYTES bytes"
	if [ "$(grep -c ^processor /proc/cpuinfo)" -ge 4 ]; then
		b_tcp8
	fi
	b_udp
	b_rtt
	trap - EXIT
	b_down || fail "$DRIVER: unload failed or NICs still present"
}

# ---- profiling pass (not part of the figures) ------------------------------------
# b_perf WORKLOAD CMD...: perf record -a (software cpu-clock: TCG has no PMU;
# samples land where interrupts are enabled again) while CMD runs, then print the
# top symbols and the share per module (b_perf_symbols).
b_perf() {
	_w=$1
	shift
	perf record -q -a -e cpu-clock -F 499 -o "$STATE/perf.data" >"$STATE/perf.rec" 2>&1 &
	PERF_PID=$!
	sleep 1
	"$@"
	_rc=$?
	b_perf_stop
	[ "$_rc" = 0 ] || return "$_rc"
	b_perf_symbols "$_w" >"$STATE/perf.top"
	[ -s "$STATE/perf.top" ] || fail "no perf samples: $(tr '\n' ' ' <"$STATE/perf.rec")"
	while IFS= read -r _l; do diag "$_l"; done <"$STATE/perf.top"
}
# b_perf_symbols WORKLOAD: resolve the sampled IPs against /proc/kallsyms (perf
# 6.1 misplaces the modules of a 7.3 kernel, so it is not asked to) and print
#   perf: DRIVER WORKLOAD PCT SYMBOL [MODULE]   the top 25 symbols
#   perf-mod: DRIVER WORKLOAD PCT MODULE         the share of the kernel, each module, user space
# Kernel addresses are 16 hex digits, so sorting them as text sorts them by value:
# symbols (tag 0) and samples (tag 1) are merged by one sort, and each sample
# goes to the symbol before it.
b_perf_symbols() {
	perf script -i "$STATE/perf.data" -F ip 2>/dev/null | awk '{ print $1 }' >"$STATE/perf.ips"
	{
		awk '$2 ~ /^[tT]$/ { print $1, 0, $3, ($4 == "" ? "[kernel]" : $4) }' /proc/kallsyms
		awk 'length($1) == 16 && $1 ~ /^ffff/ { print $1, 1 }' "$STATE/perf.ips"
	} | sort >"$STATE/perf.merged"
	awk -v d="$DRIVER" -v w="$1" -v all="$(wc -l <"$STATE/perf.ips")" '
		$2 == 0 { sym = $3 " " $4; mod = $4; next }
		{ n[sym]++; m[mod]++; k++ }
		END {
			if (all == 0) exit
			for (s in n) printf "perf: %s %s %.2f%% %s\n", d, w, 100 * n[s] / all, s
			for (s in m) printf "perf-mod: %s %s %.2f%% %s\n", d, w, 100 * m[s] / all, s
			printf "perf-mod: %s %s %.2f%% %s\n", d, w, 100 * (all - k) / all, "(user)"
			printf "perf-samples: %s %s %d\n", d, w, all
		}' "$STATE/perf.merged" | sort -t ' ' -k4 -rn >"$STATE/perf.all"
	grep '^perf: ' "$STATE/perf.all" | head -n 25
	grep -v '^perf: ' "$STATE/perf.all"
}
b_perf_stop() {
	[ -n "${PERF_PID:-}" ] || return 0
	kill -INT "$PERF_PID"
	wait "$PERF_PID"
	PERF_PID=
}
b_profile() { # DRIVER
	DRIVER=$1 REP=profile
	command -v perf >/dev/null || skip "no perf in the initramfs"
	trap 'b_perf_stop; b_down' EXIT
	b_up
	CPU_J=0 BYTES=0 IRQS=0
	b_perf tcp1_tx b_tcp tcp1_tx 1 tx
	b_perf udp64 b_udp
	trap - EXIT
	b_down || fail "$DRIVER: unload failed or NICs still present"
}

# tests/guest/insncount.sh sources this file for the topology and measurement
# helpers above (BENCH_LIB=1): no cases of its own then.
[ "${BENCH_LIB:-0}" = 1 ] && return 0

diag "bench: reps=$BENCH_REPS time=$BENCH_TIME pings=$BENCH_PINGS drivers=$BENCH_DRIVERS pin=$BENCH_PIN kernel=$(uname -r)"
diag "bench: cpus=$(grep -c ^processor /proc/cpuinfo)"
# The driver under test may be bound from the boot (in-tree igb is a module, not
# autoloaded here, but be sure): start from unbound NICs.
for _d in $(echo "$BENCH_DRIVERS" | tr , ' '); do
	DRIVER=$_d
	module_loaded && unload_driver
done
REP=1
while [ "$REP" -le "$BENCH_REPS" ]; do
	_order=$(echo "$BENCH_DRIVERS" | tr , ' ')
	# Reverse the order on even repetitions.
	# shellcheck disable=SC2086
	[ $(( REP % 2 )) = 0 ] && _order=$(printf '%s\n' $_order | awk '{ l[NR] = $0 } END { for (i = NR; i > 0; i--) printf "%s ", l[i] }')
	for _d in $_order; do
		run_case "r${REP}_$_d" b_run "$_d"
	done
	REP=$(( REP + 1 ))
done
if [ "$BENCH_PROFILE" = 1 ]; then
	for _d in $(echo "$BENCH_DRIVERS" | tr , ' '); do
		run_case "profile_$_d" b_profile "$_d"
	done
fi
