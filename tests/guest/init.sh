#!/bin/sh
# /init of the rust_igb test initramfs (installed by scripts/mkinitramfs.sh).
# Mounts the pseudo filesystems, reads rigb.* kernel parameters, runs the
# selected suites (/tests/<suite>.sh) as KTAP, checks kmemleak, powers off.
#
# Kernel parameters (all optional):
#   rigb.tests=foundation,show   comma list of suites (default foundation)
#   rigb.driver=rust_igb|igb     PCI driver under test (default igb)
#   rigb.macs=MAC0,MAC1          MACs QEMU gave the NICs at 00:03.0 and 00:05.0
#   rigb.cycles=N                reload/rebind cycles in the foundation suite (20)
#   rigb.shell=1                 start a shell on the console before powering off
#   rigb.modparams=a=1,b=2       module parameters for the driver under test
#   rigb.expect_irq=MsiX|Msi|Intx  interrupt mode the smoke suite expects
# KTAP goes to the console and to /dev/ttyS1 (QEMU's second serial port).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t debugfs debugfs /sys/kernel/debug
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
boot_cs=$(awk '{ printf "%d", $1 * 100 }' /proc/uptime)

TESTS=foundation DRIVER=igb MACS='' GUEST_SHELL=0 CYCLES=20 MODPARAMS='' EXPECT_IRQ=''
for arg in $(cat /proc/cmdline); do
	case $arg in
	rigb.tests=*) TESTS=${arg#*=} ;;
	rigb.driver=*) DRIVER=${arg#*=} ;;
	rigb.macs=*) MACS=${arg#*=} ;;
	rigb.shell=*) GUEST_SHELL=${arg#*=} ;;
	rigb.cycles=*) CYCLES=${arg#*=} ;;
	rigb.modparams=*) MODPARAMS=$(echo "${arg#*=}" | tr , ' ') ;;
	rigb.expect_irq=*) EXPECT_IRQ=${arg#*=} ;;
	esac
done
export TESTS DRIVER MACS CYCLES MODPARAMS EXPECT_IRQ

exec 3>/dev/ttyS1 || exec 3>/dev/null
. /tests/lib.sh
ip link set lo up

kmemleak_check() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || skip "kernel has no kmemleak"
	echo scan 2>/dev/null >$f || skip "kmemleak is disabled"
	sleep 5
	echo scan >$f
	cat $f >"$STATE/kmemleak"
	[ -s "$STATE/kmemleak" ] || return 0
	cat "$STATE/kmemleak"
	fail "kmemleak: $(grep -c '^unreferenced object' "$STATE/kmemleak") unreferenced objects"
}

ktap_begin
diag "rigb: kernel $(uname -r), driver $DRIVER, tests $TESTS, /init at $(fmt_cs "$boot_cs")s"
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
