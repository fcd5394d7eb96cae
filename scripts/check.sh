#!/usr/bin/env bash
# The guest part of `make check`: boot the test kernel with rust_igb once per
# interrupt mode and run the suites, then print one closing summary line
# "N passed, N failed" over all runs. Exit status nonzero on any failure.
#
#   scripts/check.sh KDIR MODULE [SUITES]
#
# SUITES (default: foundation,smoke,multiqueue,offload,datapath) run under MSI-X, then
# (unless SUITES was given) the control-plane suites (CONTROL_SUITES, default
# tuning,qdisc,reset,filters,ethtool,netlink,tunnel,kselftest) in a second MSI-X boot
# (kselftest: the kernel's own drivers/net selftests, tests/guest/kselftest.sh); the ethtool
# self-test also runs under INTx; the netlink suite (queues, NAPI instances and
# their IRQs, qstats through the kernel's ynl) runs in every interrupt mode;
# the smoke and multiqueue suites run again under MSI (module
# parameter int_mode=1) and legacy INTx (kernel parameter pci=nomsi). A third
# NIC (an e1000e at 00:07.0) is present for the refusal test. The datapath
# suite runs 1000 open/stop cycles, and once more with the peer NIC on the C
# igb as a control. The ethtool suite runs under MSI-X, its self-test part
# again under INTx (the selftest suite). With KASAN_KDIR and KASAN_MODULE
# set (make check does), datapath, reset and tuning run once more on the
# KASAN kernel (qemu/kernel-kasan.config).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
kdir=${1:?KDIR}
module=${2:?MODULE}
suites=${3:-foundation,smoke,multiqueue,offload,datapath}
control=${CONTROL_SUITES:-tuning,qdisc,reset,filters,ethtool,netlink,tunnel,kselftest}
third_nic="-netdev hubport,id=n2,hubid=1 -device e1000e,netdev=n2,addr=0x7"

pass=0 fail=0 status=0
# run NAME SUITES KERNEL_ARGS [TIMEOUT]: one boot. TIMEOUT (seconds, default
# guest-run.sh's 1200) leaves each boot at least 4 times its usual length on an
# idle host (Documentation/status.md): a busy host must not kill a good run.
run() {
	local name=$1 tests=$2 kargs=$3 timeout=${4:-1200} out
	echo "==== check: $name ($tests)"
	out=$(mktemp)
	KDIR=$kdir MODULE=$module DRIVER=rust_igb TESTS=$tests QUIET=1 TIMEOUT=$timeout \
		KERNEL_ARGS="$kargs" QEMU_ARGS="$third_nic" "$here/guest-run.sh" 2>&1 | tee "$out"
	local rc=${PIPESTATUS[0]}
	local line
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$out" | tail -1)
	rm -f "$out"
	if [ -n "$line" ]; then
		pass=$((pass + ${line%% passed*}))
		line=${line#*, }
		fail=$((fail + ${line%% failed*}))
	else
		fail=$((fail + 1))
	fi
	[ "$rc" = 0 ] || status=1
}

# (Usual lengths: MSI-X 8 min, control plane 10 min, peer-C datapath 4 min,
# MSI 1 min, INTx 1.5 min.)
run "MSI-X" "$suites" "rigb.expect_irq=MsiX rigb.cycles_openstop=1000" 2400
[ -n "${3:-}" ] || run "MSI-X control plane" "$control" "rigb.expect_irq=MsiX" 2400
run "control: peer NIC on the C igb" datapath "rigb.peer_driver=igb rigb.cycles_openstop=1000" 1200
run "MSI" smoke,multiqueue,netlink "rigb.modparams=int_mode=1 rigb.expect_irq=Msi"
run "INTx" smoke,multiqueue,selftest,netlink "pci=nomsi rigb.expect_irq=Intx"

# The KASAN kernel (make check passes KASAN_KDIR and KASAN_MODULE, the module
# built against it): datapath, reset and tuning again with every access of
# the driver checked and skbs of up to 45 fragments.
if [ -n "${KASAN_KDIR:-}" ] && [ -z "${3:-}" ]; then
	kdir=$KASAN_KDIR module=${KASAN_MODULE:?KASAN_MODULE}
	run "KASAN" datapath,reset,tuning "rigb.expect_irq=MsiX rigb.cycles_openstop=100" 2400
fi

echo "==== check: all runs"
echo "$pass passed, $fail failed"
[ $fail = 0 ] && exit $status
exit 1
