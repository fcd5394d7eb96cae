# shellcheck shell=sh
# "allocfail" suite (issue 14 item 5): allocation failures on the datapath and
# in the commands that allocate rings. Uses the kernel's fault injection
# (debugfs fail_function, fail_page_alloc, failslab; /proc/<pid>/make-it-fail);
# not part of `make check`. Run it with
#   MODULE=$PWD/rust-igb.ko TESTS=allocfail KERNEL_ARGS=rigb.expect_irq=MsiX \
#       TIMEOUT=1500 scripts/guest-run.sh
# or, for the C igb under the same injection, without MODULE (DRIVER=igb).
# NIC 0 runs $DRIVER (here, 10.0.0.1), NIC 1 the C igb (netns peer,
# 10.0.0.2), each pinned with driver_override (datapath.sh's helpers).
#
#   setup          fault-injection files present (else SKIP), verbose off (an
#                  injected failure is not a warning), topology up
#   datapath       (a) for AF_SECS seconds, under a checksummed nc transfer each
#                  way (AF_MIB MiB from /dev/urandom) and iperf3 --bidir:
#                  fail_function on page_pool_alloc_netmems (the RX page pool)
#                  and, where the driver has them, the error-injectable shims
#                  rust_igb_build_rx_skb / rust_igb_napi_copy_skb (RX skbs) and
#                  rust_igb_skb_map_head / _frag (TX DMA mappings), each call
#                  failing with AF_FN_PCT %; fail_page_alloc on every atomic
#                  page allocation (min-order 0) with AF_PAGE_PCT %; failslab on
#                  skbuff_head_cache with AF_SLAB_PCT % if that cache can be
#                  singled out (not merged). Then injection off. Passes if each
#                  transfer either arrived complete with the same sha256 or
#                  ended with an error (never a clean exit with other bytes);
#                  the rx_queue_N_alloc_failed sum rose, and (rust_igb) the
#                  rtnl rx_dropped rose at least as much and tx_dropped rose;
#                  afterwards no further alloc_failed, 3/3 pings and every RX
#                  queue receives 1 MiB of a flow steered to it (rx_queue_check):
#                  no ring starved.
#   open, rings, channels, mtu
#                  (b) `ip link set up` (from down), `ethtool -G rx 512 tx 512`
#                  (from 256), `ethtool -L combined <max>` (from 1), `ip link
#                  set mtu 9000` (from 1500), run in a subshell with
#                  make-it-fail and task-filter, so only that command's
#                  process-context allocations can fail, one failure each
#                  time (times 1), placed with `space`:
#                    pool: fail_function page_pool_alloc_netmems: the first
#                          call, the middle one, the last one (rust_igb only;
#                          no task filter, see af_arm);
#                    page: fail_page_alloc, GFP_KERNEL included, min-order 0:
#                          AF_POINTS points spread over the command's page
#                          allocations and each of the last AF_TAIL;
#                    slab: failslab, GFP_KERNEL included: AF_POINTS points
#                          spread over the command's slab bytes, and the last.
#                  A first run with the budget (`space`) out of reach counts the
#                  command's allocations (it must succeed: the command without
#                  injection works). Every run must leave the interface as it
#                  was (up/down, ring sizes, channels, MTU, and the hardware's
#                  RLPML, SRRCTL, RDLEN, TDLEN, RXDCTL 0-3) or wholly as asked
#                  (then it is undone): never a mix. A failed command normally
#                  leaves it as it was; one whose change was applied but whose
#                  netlink answer could not be allocated reports an error with
#                  the change made (counted, not a failure of the driver).
#                  Early points fail the exec of the command itself. After the
#                  sweep: the command without injection succeeds, 3/3 pings,
#                  every RX queue receives (rx_queue_check).
#   unload_clean   rmmod both drivers; dma-debug error_count unchanged, no
#                  mapping of the NICs left (datapath.sh's check)
#   kmemleak       the harness's two-scan kmemleak check, drivers unloaded
#   kernel_log_clean  no kernel-log line matching kernel-log-bad.txt
#
# Knobs: environment variable, else kernel parameter, else default.
#   AF_PEER      rigb.af_peer      driver of NIC 1 (default igb)
#   AF_SECS      rigb.af_secs      injection window of the datapath case (6)
#   AF_MIB       rigb.af_mib       checksummed payload per direction, MiB (32)
#   AF_FN_PCT    rigb.af_fn_pct    fail_function probability, % (5)
#   AF_PAGE_PCT  rigb.af_page_pct  fail_page_alloc probability, atomic only (2)
#   AF_SLAB_PCT  rigb.af_slab_pct  failslab probability on skbuff_head_cache (5)
#   AF_POINTS    rigb.af_points    spread points per sweep (20)
#   AF_TAIL      rigb.af_tail      last page allocations tried one by one (4)
#   AF_CASE_SECS rigb.af_case_secs sweep time per command; points left are
#                                  skipped after it (300)
#   AF_CASES     rigb.af_cases     comma list of the cases datapath, rings,
#                                  channels, mtu, open to run (all); setup,
#                                  unload_clean, kmemleak and kernel_log_clean
#                                  always run
# A command still running 30 s after its start is reported with its kernel
# stack (and sysrq-w's blocked tasks on the console) and killed. Each run
# leaves a line "MODE@SPACE: exit, fired, time: output" on the KTAP channel.

af_karg() { sed -n "s/.*rigb\.$1=\([^ ]*\).*/\1/p" /proc/cmdline; }
: "${AF_PEER:=$(af_karg af_peer)}" "${AF_PEER:=igb}"
PEER_DRIVER=$AF_PEER
DP_LIB_ONLY=1
# shellcheck source=tests/guest/datapath.sh
. "$TESTDIR/datapath.sh"
: "${AF_SECS:=$(af_karg af_secs)}" "${AF_SECS:=6}"
: "${AF_MIB:=$(af_karg af_mib)}" "${AF_MIB:=32}"
: "${AF_FN_PCT:=$(af_karg af_fn_pct)}" "${AF_FN_PCT:=5}"
: "${AF_PAGE_PCT:=$(af_karg af_page_pct)}" "${AF_PAGE_PCT:=2}"
: "${AF_SLAB_PCT:=$(af_karg af_slab_pct)}" "${AF_SLAB_PCT:=5}"
: "${AF_POINTS:=$(af_karg af_points)}" "${AF_POINTS:=20}"
: "${AF_TAIL:=$(af_karg af_tail)}" "${AF_TAIL:=4}"
: "${AF_CASE_SECS:=$(af_karg af_case_secs)}" "${AF_CASE_SECS:=300}"
: "${AF_CASES:=$(af_karg af_cases)}" "${AF_CASES:=all}"

DBG=/sys/kernel/debug
FF=$DBG/fail_function FPA=$DBG/fail_page_alloc FS=$DBG/failslab
SKB_CACHE=/sys/kernel/slab/skbuff_head_cache/failslab

# ---- fault injection -------------------------------------------------------
af_w() { printf '%s\n' "$2" >"$1" 2>/dev/null; } # FILE VALUE
# af_off: every injection off, the filters back to their defaults.
af_off() {
	for _d in $FF $FPA $FS; do
		af_w "$_d/probability" 0
		af_w "$_d/task-filter" N
		af_w "$_d/space" 0
		af_w "$_d/interval" 1
		af_w "$_d/times" 1
	done
	af_w "$FF/inject" ""
	af_w "$FPA/ignore-gfp-wait" Y
	af_w "$FPA/min-order" 1
	af_w "$FS/ignore-gfp-wait" Y
	af_w "$FS/cache-filter" N
	[ -e "$SKB_CACHE" ] && af_w "$SKB_CACHE" 0
	:
}
af_injectable() { awk -v f="$1" '$1 == f { ok = 1 } END { exit !ok }' "$FF/injectable"; }
# af_fn_add FUNC: add FUNC to fail_function's list (mapping shims: -ENOMEM).
af_fn_add() {
	af_injectable "$1" || return 1
	af_w "$FF/inject" "$1" || return 1
	if [ "$(awk -v f="$1" '$1 == f { print $NF }' "$FF/injectable")" = ERRNO ]; then
		af_w "$FF/$1/retval" "$(printf %#x -12)"
	fi
}
# af_arm MODE SPACE: one failure (times 1, probability 100) of MODE in the
# tasks marked make-it-fail, after SPACE units (calls / pages / bytes).
# fail_function (pool) without the task filter: its kprobe handler runs from
# the int3 trap, in NMI context on x86 (in_task() is false, so a task-filtered
# fail_function never fires here); page pool allocations outside the command
# (RX refills of frames over 256 bytes) do not happen while it runs.
af_arm() {
	case $1 in
	pool) _d=$FF _tf=N; af_w "$FF/inject" "" && af_fn_add page_pool_alloc_netmems || return 1 ;;
	page) _d=$FPA _tf=Y; af_w "$FPA/ignore-gfp-wait" N && af_w "$FPA/min-order" 0 || return 1 ;;
	slab) _d=$FS _tf=Y; af_w "$FS/ignore-gfp-wait" N && af_w "$FS/cache-filter" N || return 1 ;;
	esac
	af_w "$_d/task-filter" $_tf && af_w "$_d/interval" 1 && af_w "$_d/times" 1 &&
		af_w "$_d/space" "$2" && af_w "$_d/probability" 100
}
af_dir() { case $1 in pool) echo "$FF" ;; page) echo "$FPA" ;; slab) echo "$FS" ;; esac; }

# ---- interface state ---------------------------------------------------------
af_updown() { [ $(( $(cat "/sys/class/net/$A/flags") & 1 )) = 1 ] && echo up || echo down; }
# af_hw: what the hardware runs on, from the register dump (ethtool -d raw,
# the C igb's layout): RLPML, SRRCTL(0), RDLEN(0), TDLEN(0), RXDCTL(0..3).
# Settings that changed without the rings to match (a failure that did not
# put them back) show here: the settings alone would read as applied.
af_hw() {
	timeout 30 ethtool -d "$A" raw on >"$STATE/af.d" 2>/dev/null || { echo "hw ?"; return; }
	od -A n -v -t x4 "$STATE/af.d" | awk '{ for (i = 1; i <= NF; i++) w[n++] = $i }
		END { print "hw", w[34], w[121], w[137], w[219], w[149], w[150], w[151], w[152] }'
}
# af_state: everything a command may change, one line: up/down, ring sizes,
# channels, MTU as the kernel reports them, and the hardware's view (af_hw).
af_state() {
	_g=$(timeout 30 ethtool -g "$A" 2>/dev/null | awk '/^Current/ { c = 1 } c && $1 == "RX:" { r = $2 } c && $1 == "TX:" { t = $2 } END { print "rx " r " tx " t }')
	_l=$(timeout 30 ethtool -l "$A" 2>/dev/null | awk '/^Current/ { c = 1 } c && $1 == "Combined:" { print $2 }')
	echo "$(af_updown) $_g combined $_l mtu $(cat "/sys/class/net/$A/mtu") $(af_hw)"
}
af_qmax() { ethtool -l "$A" | awk '$1 == "Combined:" { print $2; exit }'; }
# af_cmd NAME: AF_CMD (the command under injection) and AF_UNDO (its inverse,
# also its precondition).
af_cmd() {
	case $1 in
	open) AF_CMD="ip link set dev $A up" AF_UNDO="ip link set dev $A down" ;;
	rings) AF_CMD="ethtool -G $A rx 512 tx 512" AF_UNDO="ethtool -G $A rx 256 tx 256" ;;
	channels) AF_CMD="ethtool -L $A combined $(af_qmax)" AF_UNDO="ethtool -L $A combined 1" ;;
	mtu) AF_CMD="ip link set dev $A mtu 9000" AF_UNDO="ip link set dev $A mtu 1500" ;;
	esac
}
af_err() { echo "$*" >>"$STATE/af.err"; diag "$*"; }

# af_run MODE SPACE: AF_CMD with one failure armed; sets AF_RC, AF_FIRED (1
# if the failure was injected), AF_LEFT (the budget left) and AF_OUT.
af_run() {
	af_arm "$1" "$2" || { af_off; return 1; }
	# shellcheck disable=SC2086 # the command is split into words on purpose
	(echo 1 >/proc/self/make-it-fail && exec $AF_CMD) >"$STATE/af.out" 2>&1 &
	_pid=$!
	if ! wait_for 30 bg_gone $_pid; then
		af_err "$1@$2: '$AF_CMD' still running after 30 s (state $(awk '{ print $3 }' /proc/$_pid/stat)," \
			"wchan $(cat /proc/$_pid/wchan 2>/dev/null)): $(tr '\n' ' ' </proc/$_pid/stack 2>/dev/null)"
		# The blocked tasks' stacks to the console (a hang is a failure anyway).
		echo w >/proc/sysrq-trigger 2>/dev/null
		kill -9 $_pid
	fi
	wait $_pid
	AF_RC=$?
	_d=$(af_dir "$1")
	AF_LEFT=$(cat "$_d/space") AF_FIRED=$(( 1 - $(cat "$_d/times") ))
	af_off
	AF_OUT=$(head -n 2 "$STATE/af.out" | tr '\n' ' ')
}

# af_try MODE SPACE: one run, judged against AF_OLD / AF_NEW; undoes a
# success. Counts into AF_N_*.
af_try() {
	af_run "$1" "$2" || { af_err "$1@$2: cannot arm the injection"; return; }
	_st=$(af_state)
	echo "$1@$2: exit $AF_RC, fired $AF_FIRED, $(fmt_cs $(( $(now_cs) - AF_T0 )))s: $AF_OUT" | diag_klog
	AF_N_RUNS=$((AF_N_RUNS + 1))
	[ "$AF_FIRED" = 1 ] || AF_N_MISSED=$((AF_N_MISSED + 1))
	# A failed page pool allocation of the new rings (rust_igb: the only
	# page pool user) must fail the command.
	if [ "$1" = pool ] && [ "$AF_FIRED" = 1 ] && [ "$AF_RC" = 0 ]; then
		af_err "$1@$2: the page pool allocation failed and the command succeeded"
	fi
	if [ "$AF_RC" = 0 ]; then
		AF_N_OK=$((AF_N_OK + 1))
		[ "$_st" = "$AF_NEW" ] || af_err "$1@$2: succeeded but the state is '$_st', not '$AF_NEW'"
		timeout 30 $AF_UNDO >/dev/null 2>&1 || af_err "$1@$2: undo '$AF_UNDO' failed"
		_st=$(af_state)
		[ "$_st" = "$AF_OLD" ] || af_err "$1@$2: after the undo the state is '$_st', not '$AF_OLD'"
	else
		if [ "$AF_RC" -gt 128 ]; then
			AF_N_KILLED=$((AF_N_KILLED + 1))
		else
			AF_N_FAILED=$((AF_N_FAILED + 1))
			echo "$AF_OUT" >>"$STATE/af.msgs"
		fi
		if [ "$_st" = "$AF_NEW" ]; then
			# Applied, but the answer was lost (the netlink ACK or reply
			# could not be allocated): whole, so undone like a success.
			AF_N_LOST=$((AF_N_LOST + 1))
			timeout 30 $AF_UNDO >/dev/null 2>&1 || af_err "$1@$2: undo '$AF_UNDO' failed"
		elif [ "$_st" != "$AF_OLD" ]; then
			af_err "$1@$2: failed (exit $AF_RC: $AF_OUT) and left '$_st', neither '$AF_OLD' nor '$AF_NEW'"
		fi
	fi
}

# af_count MODE BIG: the command's allocations (units of MODE) from a run
# whose budget is out of reach; the run must succeed. Sets AF_COUNT.
af_count() {
	af_run "$1" "$2" || { af_err "$1: cannot arm the injection"; return 1; }
	AF_COUNT=$(( $2 - AF_LEFT ))
	if [ "$AF_RC" != 0 ] || [ "$AF_FIRED" = 1 ]; then
		af_err "$1: '$AF_CMD' without a failure: exit $AF_RC, fired $AF_FIRED: $AF_OUT"
		return 1
	fi
	_st=$(af_state)
	[ "$_st" = "$AF_NEW" ] || af_err "$1: '$AF_CMD' left '$_st', not '$AF_NEW'"
	$AF_UNDO >/dev/null 2>&1 || { af_err "$1: undo failed"; return 1; }
}

# af_points N [TAIL]: AF_POINTS points spread over 0..N-1, then the last
# TAIL (default AF_TAIL) one by one.
af_points() {
	awk -v n="$1" -v p="$AF_POINTS" -v t="${2:-$AF_TAIL}" 'BEGIN {
		if (n <= 0) exit
		for (i = 0; i < p; i++) { v = int(i * n / p); if (!(v in s)) { s[v] = 1; print v } }
		for (v = n - t; v < n; v++) if (v >= 0 && !(v in s)) { s[v] = 1; print v } }'
}

# af_traffic: 3/3 pings, then every RX queue receives a flow steered to it.
af_traffic() {
	wait_for 30 link_up "$A" || { af_err "no link"; return 1; }
	dp_reach local $PEER4 || { af_err "no ping answer within 30 s"; return 1; }
	ping -c 3 -W 3 $PEER4 >/dev/null || { af_err "pings lost"; return 1; }
	_q=0
	while [ $_q -lt "$(ls -d "/sys/class/net/$A/queues/rx-"* | wc -l)" ]; do
		rx_queue_check "$A" $_q $LOCAL4 $PEER4 44000 || { af_err "RX queue $_q does not receive"; return 1; }
		_q=$((_q + 1))
	done
}

# ---- cases -------------------------------------------------------------------
t_af_setup() {
	for _f in $FF/injectable $FPA/space $FS/space /proc/self/make-it-fail; do
		[ -e "$_f" ] || skip "no $_f (fault injection)"
	done
	af_injectable page_pool_alloc_netmems || skip "page_pool_alloc_netmems is not error-injectable"
	for _d in $FF $FPA $FS; do af_w "$_d/verbose" 0 || fail "$_d/verbose"; done
	af_off
	diag "knobs: AF_PEER=$AF_PEER AF_SECS=$AF_SECS AF_MIB=$AF_MIB AF_FN_PCT=$AF_FN_PCT" \
		"AF_PAGE_PCT=$AF_PAGE_PCT AF_SLAB_PCT=$AF_SLAB_PCT AF_POINTS=$AF_POINTS AF_TAIL=$AF_TAIL" \
		"AF_CASE_SECS=$AF_CASE_SECS AF_CASES=$AF_CASES"
	cat "$DMA_DBG/error_count" >"$STATE/dp.dma-errors0" 2>/dev/null || echo 0 >"$STATE/dp.dma-errors0"
	klog_mark "load $DRIVER (allocfail)"
	dp_bound || dp_load || nics_diag_fail "NIC 0 on $DRIVER and NIC 1 on $PEER_DRIVER: not bound"
	ip addr flush dev "$(nic_name 0)" scope global || fail "ip addr flush"
	dp_topo || fail "could not build the topology"
	diag "local $A on $DRIVER, peer $B on $PEER_DRIVER; $(af_state)"
	ethtool -S "$A" | grep -q "rx_queue_0_alloc_failed:" || fail "no rx_queue_0_alloc_failed in ethtool -S"
}

af_alloc_failed() { ethtool -S "$A" | awk '$1 ~ /^rx_queue_[0-9]+_alloc_failed:$/ { s += $2 } END { print s + 0 }'; }
af_sysstat() { cat "/sys/class/net/$A/statistics/$1"; }
# af_judge NAME SENDER_RC RECEIVER_RC SENT_FILE RECEIVED_FILE HASH_SENT HASH_RECEIVED
af_judge() {
	_sz0=$(wc -c <"$4") _sz1=$(wc -c <"$5")
	if [ "$2" = 0 ] && [ "$3" = 0 ]; then
		if [ "$_sz1" = "$_sz0" ] && [ "$6" = "$7" ]; then
			diag "$1: complete, $_sz1 bytes, sha256 ${7%% *}"
		else
			af_err "$1: both nc exited 0 but received $_sz1 of $_sz0 bytes, sha256 ${7%% *} / ${6%% *}"
		fi
	else
		diag "$1: ended with an error (sender exit $2, receiver exit $3) after $_sz1 of $_sz0 bytes"
	fi
}

t_af_datapath() {
	dp_ready
	trap 'af_off; bg_reap' EXIT
	rm -f "$STATE/af.err"
	_tx=$STATE/af.payload _hold=$STATE/af.hold
	dd if=/dev/urandom of="$_tx" bs=1M count="$AF_MIB" 2>/dev/null || fail "cannot create $_tx"
	[ -p "$_hold" ] || mkfifo "$_hold" || fail "mkfifo"
	rm -f "$STATE/af.rx-local" "$STATE/af.rx-peer"
	bg_run -i "$_hold" timeout 300 nc -l -p 5301 >"$STATE/af.rx-local" 2>"$STATE/af.nc-rl"
	_rl=$!
	in_peer_bg -i "$_hold" timeout 300 nc -l -p 5300 >"$STATE/af.rx-peer" 2>"$STATE/af.nc-rp"
	_rp=$!
	wait_for 20 dp_listening local 5301 || fail "nc did not listen here"
	wait_for 20 dp_listening peer 5300 || fail "nc did not listen in peer"
	dp_bidir_load "$AF_SECS"
	af0=$(af_alloc_failed) drop0=$(af_sysstat rx_dropped) txd0=$(af_sysstat tx_dropped)
	# Arm everything for the window.
	_fns=
	for _f in page_pool_alloc_netmems rust_igb_build_rx_skb rust_igb_napi_copy_skb \
		rust_igb_skb_map_head rust_igb_skb_map_frag; do
		af_fn_add $_f && _fns="$_fns $_f"
	done
	af_w $FF/times -1 && af_w $FF/probability "$AF_FN_PCT" || fail "arming fail_function"
	af_w $FPA/min-order 0 && af_w $FPA/times -1 && af_w $FPA/probability "$AF_PAGE_PCT" || fail "arming fail_page_alloc"
	_slab="not armed (skbuff_head_cache merged or absent)"
	if [ -e "$SKB_CACHE" ] && af_w "$SKB_CACHE" 1; then
		af_w $FS/cache-filter Y && af_w $FS/times -1 && af_w $FS/probability "$AF_SLAB_PCT" &&
			_slab="$AF_SLAB_PCT % on skbuff_head_cache"
	fi
	diag "injecting for $AF_SECS s: fail_function $AF_FN_PCT % on$_fns; fail_page_alloc $AF_PAGE_PCT %" \
		"(atomic, order >= 0); failslab $_slab"
	klog_mark "allocfail injection on"
	in_peer_bg -i "$_tx" timeout 300 nc -w 10 $LOCAL4 5301 >/dev/null 2>"$STATE/af.nc-sp"
	_sp=$!
	bg_run -i "$_tx" timeout 300 nc -w 10 $PEER4 5300 >/dev/null 2>"$STATE/af.nc-sl"
	_sl=$!
	sleep "$AF_SECS"
	af_off
	klog_mark "allocfail injection off"
	af1=$(af_alloc_failed) drop1=$(af_sysstat rx_dropped) txd1=$(af_sysstat tx_dropped)
	diag "during the window: alloc_failed +$((af1 - af0)), rx_dropped +$((drop1 - drop0)), tx_dropped +$((txd1 - txd0))"
	bg_wait "$_sp" 240; _sprc=$?
	bg_wait "$_sl" 240; _slrc=$?
	bg_wait "$_rl" 30; _rlrc=$?
	bg_wait "$_rp" 30; _rprc=$?
	bg_wait "$CLI" 120 >/dev/null 2>&1
	bg_wait "$SRV" 15 >/dev/null 2>&1
	grep -E "sender|receiver|error" "$STATE/dp.iperf-load" | diag_klog
	_h=$(sha256sum <"$_tx")
	af_judge "peer -> local (RX)" $_sprc $_rlrc "$_tx" "$STATE/af.rx-local" "$_h" "$(sha256sum <"$STATE/af.rx-local")"
	af_judge "local -> peer (TX)" $_slrc $_rprc "$_tx" "$STATE/af.rx-peer" "$_h" "$(in_peer sha256sum <"$STATE/af.rx-peer")"
	rm -f "$STATE/af.rx-local" "$STATE/af.rx-peer"
	[ "$af1" -gt "$af0" ] || af_err "rx_queue_N_alloc_failed did not move"
	if [ "$DRIVER" = rust_igb ]; then
		[ $((drop1 - drop0)) -ge $((af1 - af0)) ] ||
			af_err "rtnl rx_dropped +$((drop1 - drop0)) < alloc_failed +$((af1 - af0))"
		[ "$txd1" -gt "$txd0" ] || af_err "tx_dropped did not move (TX mapping failures)"
	fi
	af_traffic
	af2=$(af_alloc_failed)
	diag "after the window: alloc_failed +$((af2 - af1)); $(ethtool -S "$A" | grep -E 'alloc_failed|_drops|rx_missed' | tr -s ' \n' ' ')"
	[ "$af2" = "$af1" ] || af_err "alloc_failed moved by $((af2 - af1)) with injection off"
	[ ! -s "$STATE/af.err" ] || fail "$(wc -l <"$STATE/af.err") problem(s)"
}

# t_af_cmd NAME: case (b) for one command.
t_af_cmd() {
	dp_ready
	trap af_off EXIT
	rm -f "$STATE/af.err" "$STATE/af.msgs"
	af_cmd "$1"
	$AF_UNDO >/dev/null 2>&1 || fail "precondition '$AF_UNDO' failed"
	AF_OLD=$(af_state)
	AF_N_RUNS=0 AF_N_OK=0 AF_N_FAILED=0 AF_N_KILLED=0 AF_N_MISSED=0 AF_N_LOST=0
	klog_mark "allocfail $1"
	# What the command does without a failure (it must work).
	$AF_CMD >"$STATE/af.out" 2>&1 || fail "'$AF_CMD' without injection: $(tr '\n' ' ' <"$STATE/af.out")"
	AF_NEW=$(af_state)
	$AF_UNDO >/dev/null 2>&1 || fail "'$AF_UNDO' failed"
	[ "$(af_state)" = "$AF_OLD" ] || fail "'$AF_UNDO' did not restore '$AF_OLD'"
	diag "'$AF_CMD': '$AF_OLD' -> '$AF_NEW'"
	AF_T0=$(now_cs)
	for _m in pool page slab; do
		case $_m in
		pool) _big=1000000 ;;
		page) _big=1000000 ;;
		slab) _big=1000000000 ;;
		esac
		af_count $_m $_big || continue
		_n=$AF_COUNT
		if [ "$_n" = 0 ]; then
			diag "$_m: the command makes no such allocation (driver $DRIVER)"
			continue
		fi
		_r0=$AF_N_RUNS _f0=$AF_N_FAILED
		if [ $_m = pool ]; then
			_pts=$(printf '%s\n' 0 $((_n / 2)) $((_n - 1)) | sort -un)
		elif [ $_m = slab ]; then
			_pts=$(af_points "$_n" 1)
		else
			_pts=$(af_points "$_n")
		fi
		for _s in $_pts; do
			if [ $(( $(now_cs) - AF_T0 )) -gt $(( AF_CASE_SECS * 100 )) ]; then
				diag "$_m: AF_CASE_SECS ($AF_CASE_SECS s) spent, the remaining points skipped"
				break
			fi
			af_try $_m "$_s"
		done
		diag "$_m: $_n units; $((AF_N_RUNS - _r0)) runs, $((AF_N_FAILED - _f0)) failed cleanly"
	done
	diag "$1: $AF_N_RUNS runs in $(fmt_cs $(( $(now_cs) - AF_T0 )))s: $AF_N_OK succeeded, $AF_N_FAILED failed with an error," \
		"$AF_N_KILLED killed (exec), $AF_N_MISSED without the failure firing;" \
		"$AF_N_LOST of the failed ones had applied the change whole (their answer was lost)"
	[ ! -s "$STATE/af.msgs" ] || sort "$STATE/af.msgs" | uniq -c | sort -rn | head -n 6 | diag_klog
	klog_since "allocfail $1" | grep -E "rust_igb|igb " | sort | uniq -c | sort -rn | head -n 8 | diag_klog
	[ "$AF_N_FAILED" -gt 0 ] || af_err "no run failed with an error: the injection did not reach the command"
	# The previous settings still work...
	if [ "$1" != open ]; then af_traffic || true; fi
	# ... and the command without injection succeeds and works.
	$AF_CMD >"$STATE/af.out" 2>&1 || af_err "'$AF_CMD' after the sweep: $(tr '\n' ' ' <"$STATE/af.out")"
	[ "$(af_state)" = "$AF_NEW" ] || af_err "after '$AF_CMD': '$(af_state)', not '$AF_NEW'"
	af_traffic || true
	# Leave the interface up with the defaults for the next case.
	[ "$1" = open ] || $AF_UNDO >/dev/null 2>&1 || af_err "'$AF_UNDO' failed"
	[ "$1" != channels ] || $AF_CMD >/dev/null 2>&1 || af_err "'$AF_CMD' failed"
	wait_for 30 link_up "$A" || af_err "no link at the end"
	[ ! -s "$STATE/af.err" ] || fail "$(wc -l <"$STATE/af.err") problem(s)"
}

t_af_kmemleak() { kmemleak_check; }

# af_case NAME FUNCTION [ARGS]: run_case unless AF_CASES leaves NAME out.
af_case() {
	case ",$AF_CASES," in
	,all,|*,"$1",*) run_case "$@" ;;
	esac
}
run_case setup t_af_setup
af_case datapath t_af_datapath
af_case rings t_af_cmd rings
af_case channels t_af_cmd channels
af_case mtu t_af_cmd mtu
af_case open t_af_cmd open
run_case unload_clean t_unload_clean
run_case kmemleak t_af_kmemleak
run_case kernel_log_clean t_kernel_log_clean
