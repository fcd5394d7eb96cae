# shellcheck shell=sh
# "probefault" suite: probe failing at every allocation it makes. NIC 0 is
# unbound, then bound again with the kernel's fault injection failing the
# K-th allocation of the binding task (/proc/self/fail-nth, as syzkaller
# does; failslab and fail_page_alloc count, GFP_KERNEL included), for K = 1,
# 2, ... until a bind goes through without the fault firing. After every
# failed probe the device must be disabled for bus mastering (PCI_COMMAND
# bit 2 clear: igb_probe's unwinding ends with pci_disable_device), and at
# the end nothing may have leaked or warned (the kmemleak case and the
# kernel-log scans). Then the NIC is bound normally and must work.
# Not part of `make check` (a few minutes under TCG); run it with
#   TESTS=foundation,probefault scripts/guest-run.sh
# PF_MAX (rigb.pf_max) caps K (default 1000).
: "${PF_MAX:=$(sed -n 's/.*rigb\.pf_max=\([0-9]*\).*/\1/p' /proc/cmdline)}" "${PF_MAX:=1000}"

PF_DBG=/sys/kernel/debug
pf_pci() { nic_pci 0; }
pf_bound() { [ -e "/sys/bus/pci/devices/$(pf_pci)/driver" ]; }
pf_busmaster() { # prints PCI_COMMAND's bus-master bit
	c=$(od -A n -t x2 -v -j 4 -N 2 "/sys/bus/pci/devices/$(pf_pci)/config" | tr -d ' ')
	echo $(( (0x$c >> 2) & 1 ))
}

t_pf_setup() {
	[ -e /proc/self/fail-nth ] || skip "no /proc/self/fail-nth (CONFIG_FAULT_INJECTION_DEBUG_FS)"
	[ -d $PF_DBG/failslab ] || skip "no failslab"
	module_loaded || load_driver || fail "loading $DRIVER failed"
	wait_for 30 nics_ready || nics_diag_fail "NICs not bound to $DRIVER"
	# Count sleeping allocations too, and stay quiet: a dump of each
	# injected failure would look like a warning to the log scans.
	for f in failslab fail_page_alloc; do
		[ -d $PF_DBG/$f ] || continue
		echo N >$PF_DBG/$f/ignore-gfp-wait
		echo 0 >$PF_DBG/$f/verbose
	done
	echo "$(pf_pci)" >"/sys/bus/pci/drivers/$DRIVER/unbind" || fail "unbind"
	! pf_bound || fail "still bound after unbind"
}

# One bind with the K-th allocation of the binding task failing; only shell
# builtins run in that task (no fork, no pipe), so every allocation counted
# is one of the bind. Returns 0 if the fault fired.
pf_try() {
	(
		echo "$1" >/proc/self/fail-nth
		echo "$2" >"/sys/bus/pci/drivers/$DRIVER/bind"
		read -r left </proc/self/fail-nth
		echo 0 >/proc/self/fail-nth
		[ "$left" = 0 ]
	) 2>/dev/null
}

t_pf_sweep() {
	k=0 failed=0 survived=0
	klog_mark "probe faults"
	pci=$(pf_pci)
	while [ $k -lt "$PF_MAX" ]; do
		k=$((k + 1))
		if pf_try $k "$pci"; then fired=1; else fired=0; fi
		if pf_bound; then
			bound=1
			[ "$fired" = 0 ] && break
			# The failure was tolerated (or hit after probe): let go again.
			survived=$((survived + 1))
			echo "$(pf_pci)" >"/sys/bus/pci/drivers/$DRIVER/unbind" || fail "K=$k: unbind"
		else
			bound=0
			failed=$((failed + 1))
		fi
		[ "$(pf_busmaster)" = 0 ] || fail "K=$k: bus mastering on after the driver let go"
	done
	n=$(klog_since "probe faults" | grep -c "probe with driver $DRIVER failed")
	diag "$k allocations; $failed binds failed (${n} probe failures logged), $survived survived the fault"
	[ "$fired" = 0 ] && [ "$bound" = 1 ] || fail "still failing at K=$PF_MAX (raise rigb.pf_max)"
	[ "$n" -gt 0 ] || fail "no probe failure was provoked"
}

t_pf_works() {
	pf_bound || { pf_pci >"/sys/bus/pci/drivers/$DRIVER/bind" || fail "bind"; }
	wait_for 30 nics_ready || nics_diag_fail "NIC 0 did not come back"
	l=$(nic_name 0)
	ip link set "$l" up || fail "ip link set $l up"
	wait_for 30 link_up "$l" || fail "$l: no link"
	ip link set "$l" down
}

t_pf_log() {
	klog_since "suite $SUITE" | klog_bad >"$STATE/bad"
	[ -s "$STATE/bad" ] || return 0
	diag_klog <"$STATE/bad"
	fail "$(wc -l <"$STATE/bad") bad kernel-log lines since the suite started"
}

run_case setup t_pf_setup
run_case sweep t_pf_sweep
run_case works_after t_pf_works
run_case kernel_log_clean t_pf_log
