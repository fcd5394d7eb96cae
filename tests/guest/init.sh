#!/bin/sh
# /init of the rust_igb test initramfs (installed by scripts/mkinitramfs.sh).
# Mounts the pseudo filesystems, reads rigb.* kernel parameters, runs the
# selected suites (/tests/<suite>.sh) as KTAP, checks kmemleak (objects in two
# consecutive reports fail), powers off.
#
# Kernel parameters (all optional):
#   rigb.tests=foundation,show   comma list of suites (default foundation)
#   rigb.driver=rust_igb|igb     PCI driver under test (default igb)
#   rigb.macs=MAC0,MAC1          MACs QEMU gave the NICs at 00:03.0 and 00:05.0
#   rigb.cycles=N                reload/rebind cycles in the foundation suite (20)
#   rigb.shell=1                 start a shell on the console before powering off
#   rigb.modparams=a=1,b=2       module parameters for the driver under test
#   rigb.expect_irq=MsiX|Msi|Intx  interrupt mode the smoke suite expects
#   rigb.pci=ADDR0,ADDR1         the NICs' PCI addresses (TOPOLOGY=pcie: behind root ports)
#   rigb.hostctl=1               the host control channel is on /dev/ttyS2 (lib.sh host_qmp)
# KTAP goes to the console and to /dev/ttyS1 (QEMU's second serial port).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
boot_cs=$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)

TESTS=foundation DRIVER=igb MACS='' GUEST_SHELL=0 CYCLES=20 MODPARAMS='' EXPECT_IRQ='' HOSTCTL=0
for arg in $(cat /proc/cmdline); do
	case $arg in
	rigb.tests=*) TESTS=${arg#*=} ;;
	rigb.driver=*) DRIVER=${arg#*=} ;;
	rigb.macs=*) MACS=${arg#*=} ;;
	rigb.shell=*) GUEST_SHELL=${arg#*=} ;;
	rigb.cycles=*) CYCLES=${arg#*=} ;;
	rigb.modparams=*) MODPARAMS=$(echo "${arg#*=}" | tr , ' ') ;;
	rigb.expect_irq=*) EXPECT_IRQ=${arg#*=} ;;
	rigb.pci=*) PCI_ADDRS=$(echo "${arg#*=}" | tr , ' ') && export PCI_ADDRS ;;
	rigb.hostctl=*) HOSTCTL=${arg#*=} ;;
	esac
done
export TESTS DRIVER MACS CYCLES MODPARAMS EXPECT_IRQ HOSTCTL

exec 3>/dev/ttyS1 || exec 3>/dev/null
. /tests/lib.sh
ip link set lo up

# kmemleak: scan twice 5 s apart (an object younger than 5 s is never
# reported); if that reports objects, scan once more 5 s later and fail only
# for objects still listed (by address): a leak stays unreferenced, while an
# object the first report caught in passing (freed, or referenced again by the
# next scan) drops out of the list. The kernel's "N new suspected memory
# leaks" line is therefore allowed by kernel-log-ok.txt; the report of a leak
# (printed below) still fails the host's log scan.
kmemleak_objs() { awk '/^unreferenced object / { print $3 }' "$1"; }
kmemleak_check() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || skip "kernel has no kmemleak"
	echo scan 2>/dev/null >$f || skip "kmemleak is disabled"
	sleep 5
	echo scan >$f
	cat $f >"$STATE/kmemleak"
	[ -s "$STATE/kmemleak" ] || return 0
	sleep 5
	echo scan >$f
	cat $f >"$STATE/kmemleak2"
	kmemleak_objs "$STATE/kmemleak" >"$STATE/kmemleak.1"
	kmemleak_objs "$STATE/kmemleak2" >"$STATE/kmemleak.2"
	awk 'NR == FNR { one[$1] = 1; next } $1 in one' "$STATE/kmemleak.1" "$STATE/kmemleak.2" >"$STATE/kmemleak.both"
	n1=$(wc -l <"$STATE/kmemleak.1") n=$(wc -l <"$STATE/kmemleak.both")
	if [ "$n" = 0 ]; then
		diag "kmemleak: $n1 objects in the first report, none still listed 5 s later (transient)"
		return 0
	fi
	# The report of the objects listed both times.
	awk 'NR == FNR { keep[$1] = 1; next }
		/^unreferenced object / { p = ($3 in keep) } p' "$STATE/kmemleak.both" "$STATE/kmemleak2"
	fail "kmemleak: $n unreferenced objects in consecutive reports ($n1 in the first)"
}

ktap_begin
diag "rigb: kernel $(uname -r), driver $DRIVER, tests $TESTS, /init at $(fmt_cs "$boot_cs")s"
diag "stall reports after: RCU $(cat /sys/module/rcupdate/parameters/rcu_cpu_stall_timeout 2>/dev/null)s," \
	"soft lockup 2 x $(cat /proc/sys/kernel/watchdog_thresh 2>/dev/null)s," \
	"hung task $(cat /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null)s"
for SUITE in $(echo "$TESTS" | tr , ' '); do
	export SUITE
	klog_mark "suite $SUITE"
	if [ -f "$TESTDIR/$SUITE.sh" ]; then
		# shellcheck source=/dev/null
		(. "$TESTDIR/$SUITE.sh")
	else
		run_case suite fail "no such suite: $TESTDIR/$SUITE.sh"
	fi
done
SUITE=harness
run_case kmemleak kmemleak_check
ktap_end

if [ "$GUEST_SHELL" = 1 ]; then
	echo "rigb: shell; exit it to power off"
	setsid cttyhack /bin/sh -l
fi
exec 3>&-
sleep 1
reboot -f
