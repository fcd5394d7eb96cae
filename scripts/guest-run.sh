#!/usr/bin/env bash
# Boot the rust_igb test kernel in QEMU (TCG; two igb NICs at 00:03.0 and
# 00:05.0 cabled through a QEMU hub), run guest suites (tests/guest/<suite>.sh)
# and summarise their KTAP results.
#
#   [VAR=value...] scripts/guest-run.sh [VAR=value...]
#
# Settings (environment variables or VAR=value arguments):
#   KDIR        test kernel build dir (default: `scripts/build-kernel.sh debug`,
#               which prints the cached build, building it first if needed)
#   MODULE      out-of-tree driver module to test (rust_igb.ko); empty (default):
#               DRIVER is the in-tree module of that name
#   DRIVER      PCI driver under test (default: rust_igb with MODULE, else igb)
#   TESTS       comma list of suites (default: foundation; show if INTERACTIVE=1)
#   TIMEOUT     seconds before QEMU is killed (default 1200)
#   LOG         console log file (default $RUST_IGB_CACHE/logs/<date>-<DRIVER>.log);
#               the KTAP channel (guest ttyS1) is saved to $LOG.ktap
#   QUIET=1     don't stream the console; print the KTAP lines and the summary
#   INTERACTIVE=1  `make run`: run the show suite (load the driver, print its NICs)
#   GUEST_SHELL=1  open a guest shell on the console after the suites
#   CYCLES      reload/rebind cycles in the foundation suite (default 20)
#   MACS        the NICs' MACs (default 52:54:00:12:34:56,52:54:00:12:34:57)
#   KERNEL_ARGS extra kernel parameters; QEMU_ARGS extra QEMU arguments
#   TOPOLOGY    pci (default): i440fx, the NICs at 00:03.0 and 00:05.0 of the
#               root bus; pcie: q35, each NIC behind its own hot-plug capable
#               pcie-root-port (rp0 at 00:03.0, rp1 at 00:05.0; native PCIe
#               hot-plug, ACPI PCI hot-plug off), so the NICs are 0000:01:00.0
#               and 0000:02:00.0 (passed to the guest as rigb.pci=) and QMP
#               device_del/device_add of "nic0"/"nic1" work (suite faults)
#   HOST_CONTROL  1: a host control channel for the suites (default: 1 when TESTS
#               has the faults or soak suite, else 0): QEMU gets a QMP socket and a third
#               serial port (guest /dev/ttyS2) on a unix socket, and
#               scripts/qmp-relay.py runs QMP commands the guest writes there
#               (lib.sh host_qmp; rigb.hostctl=1 tells the guest); QEMU's netdevs
#               are n0/n1, the NIC devices nic0/nic1. The relay's log is $LOG.relay
#   EXTRA_INITRD  a gzip'd cpio appended to the initramfs (e.g. scripts/bench.sh's perf)
#   PYTHON      1: append python3.11 with the kernel's YNL library (`ynl --family
#               netdev ...`; scripts/mkinitramfs.sh --python, about 7 MB); default
#               1 when TESTS has the netlink or kselftest suite, else 0
#   (TESTS with the kselftest suite also appends the kernel's NIC selftests with
#   their tools, scripts/mkinitramfs.sh --kselftest, about 7 MB, and makes the
#   default TIMEOUT 2400)
#
# The summary ends with a line "N passed, N failed". Exit status 0 only if
# cases ran and none failed, the guest finished within TIMEOUT, and the console
# log has no line matching tests/guest/kernel-log-bad.txt (minus kernel-log-ok.txt,
# and after tests/guest/kernel-log-known.awk drops known kernel reports).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
log() { printf '[guest-run] %s\n' "$*" >&2; }
die() { printf '[guest-run] ERROR: %s\n' "$*" >&2; exit 2; }

for a; do
	case $a in [A-Z]*=*) export "${a?}" ;; *) die "unknown argument '$a' (use VAR=value)" ;; esac
done
MODULE=${MODULE:-}
DRIVER=${DRIVER:-$([ -n "$MODULE" ] && echo rust_igb || echo igb)}
INTERACTIVE=${INTERACTIVE:-0}
TESTS=${TESTS:-$([ "$INTERACTIVE" = 1 ] && echo show || echo foundation)}
QUIET=${QUIET:-0}
GUEST_SHELL=${GUEST_SHELL:-0}
CYCLES=${CYCLES:-20}
MACS=${MACS:-52:54:00:12:34:56,52:54:00:12:34:57}
TOPOLOGY=${TOPOLOGY:-pci}
case ",$TESTS," in *,faults,* | *,soak,*) HOST_CONTROL=${HOST_CONTROL:-1} ;; esac
case ",$TESTS," in *,kselftest,*) TIMEOUT=${TIMEOUT:-2400} ;; esac
HOST_CONTROL=${HOST_CONTROL:-0}
TIMEOUT=${TIMEOUT:-1200}
KDIR=${KDIR:-$("$here/build-kernel.sh" debug)}
LOG=${LOG:-$RUST_IGB_CACHE/logs/$(date +%Y%m%d-%H%M%S)-$DRIVER.log}
guest=$top/tests/guest

bzimage=$KDIR/arch/x86/boot/bzImage
[ -f "$bzimage" ] || die "no $bzimage (KDIR=$KDIR)"
[ -z "$MODULE" ] || [ -f "$MODULE" ] || die "MODULE=$MODULE does not exist"
for s in ${TESTS//,/ }; do [ -f "$guest/$s.sh" ] || die "no suite $guest/$s.sh"; done
IFS=, read -r mac0 mac1 <<<"$MACS"
[ -n "$mac1" ] || die "MACS needs two MACs"
read -ra qemu_extra <<<"${QEMU_ARGS:-}"

# The base initramfs is cached by a hash of its inputs; the module is appended.
cache=$RUST_IGB_CACHE/initramfs
mkdir -p "$cache" "$(dirname "$LOG")"
base=$cache/base-$("$here/mkinitramfs.sh" --key "$KDIR").cpio.gz
if [ ! -f "$base" ]; then
	log "building $base"
	"$here/mkinitramfs.sh" "$base" "$KDIR"
	ls -t "$cache"/base-*.cpio.gz | tail -n +4 | xargs -r rm -f
fi
tmp=$(mktemp -d)
relay=
# (The relay may have exited already: its kill must not fail the run.)
trap '[ -z "$relay" ] || kill "$relay" 2>/dev/null || true; rm -rf "$tmp"' EXIT
# A private link (or copy): another run may prune the cached file while this
# one waits for the QEMU lock.
ln -f "$base" "$tmp/base.cpio.gz" 2>/dev/null || cp "$base" "$tmp/base.cpio.gz"
initrd=$tmp/base.cpio.gz
if [ -n "$MODULE" ]; then
	"$here/mkinitramfs.sh" --overlay "$tmp/overlay.cpio.gz" "$MODULE:/lib/modules/$DRIVER.ko"
	cat "$base" "$tmp/overlay.cpio.gz" >"$tmp/initrd"
	initrd=$tmp/initrd
fi

# overlay KIND: append the cached overlay image `mkinitramfs.sh --KIND` builds
# (keyed by `--KIND-key`, the two newest kept) to the initramfs.
overlay() {
	local img
	img=$cache/$1-$("$here/mkinitramfs.sh" "--$1-key" "$ksrc").cpio.gz
	if [ ! -f "$img" ]; then
		log "building $img"
		"$here/mkinitramfs.sh" "--$1" "$img" "$ksrc"
		ls -t "$cache/$1"-*.cpio.gz | tail -n +3 | xargs -r rm -f
	fi
	cat "$initrd" "$img" >"$tmp/initrd.$1"
	initrd=$tmp/initrd.$1
}
# Python with the kernel's YNL library (mkinitramfs.sh --python), for the suites
# that talk netlink through `ynl`; then, for suite kselftest, the kernel's NIC
# selftests after it.
case ",$TESTS," in *,netlink,* | *,kselftest,* | *,tunnel,*) PYTHON=${PYTHON:-1} ;; esac
if [ "${PYTHON:-0}" = 1 ]; then
	ksrc=$(cat "$RUST_IGB_CACHE/ksrc" 2>/dev/null) || die "no kernel source; run scripts/setup.sh"
	overlay python
fi
case ",$TESTS," in
*,kselftest,*)
	[ "${PYTHON:-0}" = 1 ] || die "the kselftest suite needs PYTHON=1"
	overlay kselftest
	;;
esac

if [ -n "${EXTRA_INITRD:-}" ]; then
	[ -f "$EXTRA_INITRD" ] || die "EXTRA_INITRD=$EXTRA_INITRD does not exist"
	cat "$initrd" "$EXTRA_INITRD" >"$tmp/initrd+"
	initrd=$tmp/initrd+
fi

ktap=$LOG.ktap
: >"$ktap"
# Host starvation is not a driver bug: TCG on a shared host can stall a vCPU
# for tens of seconds, which would print RCU stall (default 21 s), soft-lockup
# (2 x watchdog_thresh = 20 s) and hung-task (120 s) reports that fail the log
# scan. Their thresholds are raised to 120 s, 120 s and 600 s; a real hang
# still ends in a report (or the TIMEOUT) long before a run would end.
cmdline="console=ttyS0 panic=-1 log_buf_len=4M printk.devkmsg=on"
cmdline+=" rcupdate.rcu_cpu_stall_timeout=120 watchdog_thresh=60 sysctl.kernel.hung_task_timeout_secs=600"
cmdline+=" rigb.tests=$TESTS rigb.driver=$DRIVER"
cmdline+=" rigb.macs=$MACS rigb.cycles=$CYCLES rigb.shell=$GUEST_SHELL"
case $TOPOLOGY in
pci)
	machine=(-netdev "hubport,id=n0,hubid=0" -device "igb,id=nic0,netdev=n0,addr=0x3,mac=$mac0"
		-netdev "hubport,id=n1,hubid=0" -device "igb,id=nic1,netdev=n1,addr=0x5,mac=$mac1")
	;;
pcie)
	# ACPI PCI hot-plug (q35's default) would take the root ports' slots away
	# from pciehp; the guest must see native PCIe hot-plug.
	machine=(-machine q35 -global ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off
		-device pcie-root-port,id=rp0,bus=pcie.0,addr=0x3,chassis=1,slot=1
		-device pcie-root-port,id=rp1,bus=pcie.0,addr=0x5,chassis=2,slot=2
		-netdev "hubport,id=n0,hubid=0" -device "igb,id=nic0,netdev=n0,bus=rp0,mac=$mac0"
		-netdev "hubport,id=n1,hubid=0" -device "igb,id=nic1,netdev=n1,bus=rp1,mac=$mac1")
	cmdline+=" rigb.pci=0000:01:00.0,0000:02:00.0"
	;;
*) die "TOPOLOGY=$TOPOLOGY: use pci or pcie" ;;
esac
hostctl=()
if [ "$HOST_CONTROL" = 1 ]; then
	hostctl=(-qmp "unix:$tmp/qmp.sock,server=on,wait=off"
		-chardev "socket,id=hostctl,path=$tmp/ctl.sock,server=on,wait=off"
		-serial chardev:hostctl)
	cmdline+=" rigb.hostctl=1"
fi
cmdline+=" ${KERNEL_ARGS:-}"
qemu=(qemu-system-x86_64 -accel tcg -m 2G -smp 2 -nographic -no-reboot
	-kernel "$bzimage" -initrd "$initrd" -append "$cmdline"
	-serial mon:stdio -serial "file:$ktap" "${hostctl[@]}"
	"${machine[@]}" "${qemu_extra[@]}")
stdin=/dev/null
[ "$GUEST_SHELL" = 1 ] && stdin=/dev/tty
log "DRIVER=$DRIVER TESTS=$TESTS MODULE=${MODULE:-none} KDIR=$KDIR TOPOLOGY=$TOPOLOGY HOST_CONTROL=$HOST_CONTROL"
log "console log: $LOG"
start=$(date +%s)
set +e
# One guest at a time on this machine (TCG on 2 cores: two guests would each
# run at half speed and time-sensitive cases would suffer). QEMU_LOCK=none
# disables the lock.
lock=${QEMU_LOCK:-$RUST_IGB_CACHE/qemu.lock}
locker=()
[ "$lock" != none ] && locker=(flock "$lock")
if [ "$HOST_CONTROL" = 1 ]; then
	# It waits for QEMU's sockets (created once QEMU has the lock) and exits
	# when QEMU closes them.
	python3 "$here/qmp-relay.py" "$tmp/qmp.sock" "$tmp/ctl.sock" 2>"$LOG.relay" &
	relay=$!
fi
"${locker[@]}" timeout --foreground -k 10 "$TIMEOUT" "${qemu[@]}" <"$stdin" 2>&1 | sed -u 's/\r$//' |
	if [ "$QUIET" = 1 ]; then cat >"$LOG"; else tee "$LOG"; fi
qemu_rc=${PIPESTATUS[0]}
set -e
elapsed=$(( $(date +%s) - start ))

# ---- results ------------------------------------------------------------------
src=$ktap
[ -s "$src" ] || src=$LOG # no second serial port: the console has the KTAP lines too
tr -d '\r' <"$src" >"$tmp/ktap"
[ "$QUIET" = 1 ] && grep -E '^(KTAP |1\.\.|ok |not ok |# )' "$tmp/ktap"
gpass=$(grep -E '^ok [0-9]+ ' "$tmp/ktap" | grep -vc ' # SKIP') || true
gskip=$(grep -E '^ok [0-9]+ .* # SKIP' -c "$tmp/ktap") || true
gfail=$(grep -E '^not ok [0-9]+ ' -c "$tmp/ktap") || true
n=$(( gpass + gskip + gfail ))
totals=$(grep -m1 '^# totals: ' "$tmp/ktap") || true
last_case=$(grep -o 'rigb: case [^ ]*' "$LOG" | tail -n1 | cut -d' ' -f3) || true

hpass=0 hfail=0
host_case() { # NAME STATUS [DIAG...]
	local name=$1 st=$2
	shift 2
	n=$(( n + 1 ))
	if [ "$st" = 0 ]; then hpass=$(( hpass + 1 )); echo "ok $n host.$name"; return; fi
	hfail=$(( hfail + 1 ))
	printf '    # %s\n' "$@"
	echo "not ok $n host.$name"
}

echo "==== $DRIVER: $TESTS"
# Failed and skipped cases, each failure with the diagnostics printed before it.
awk '/^# / && !/^# totals:/ { d[nd++] = $0; next }
	/^not ok [0-9]+ / { for (i = 0; i < nd; i++) print "    " d[i]; print }
	/^ok [0-9]+ .* # SKIP/ { print }
	/^(not )?ok [0-9]+ / { nd = 0 }' "$tmp/ktap"

why=
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	why="timeout after ${TIMEOUT}s (last case: ${last_case:-none})"
elif [ -z "$totals" ]; then
	why="guest did not finish: no totals line (last case: ${last_case:-none}; QEMU exit $qemu_rc)"
elif [ "$totals" != "# totals: pass $gpass fail $gfail skip $gskip" ]; then
	why="KTAP stream damaged: guest '$totals', host counted pass $gpass fail $gfail skip $gskip"
elif [ $(( gpass + gfail + gskip )) = 0 ]; then
	why="no test executed"
fi
if [ -n "$why" ]; then host_case completed 1 "$why"; else host_case completed 0; fi

grep -v -e '^#' -e '^$' "$guest/kernel-log-bad.txt" >"$tmp/bad.re"
grep -v -e '^#' -e '^$' "$guest/kernel-log-ok.txt" >"$tmp/ok.re" || true
# Known kernel reports that are not the driver's (kernel-log-known.awk) are
# replaced by a line naming them first.
awk -f "$guest/kernel-log-known.awk" "$LOG" >"$tmp/log"
grep -n -E -f "$tmp/bad.re" "$tmp/log" | grep -v -E -f "$tmp/ok.re" >"$tmp/bad" || true
if [ -s "$tmp/bad" ]; then
	mapfile -t bad < <(head -n 20 "$tmp/bad" | sed "s|^|$(basename "$LOG"):|")
	host_case kernel_log 1 "$(wc -l <"$tmp/bad") console lines match tests/guest/kernel-log-bad.txt:" "${bad[@]}"
else
	host_case kernel_log 0
fi

boot=$(sed -n 's|^# rigb: .*/init at \([0-9.]*\)s$|\1|p' "$tmp/ktap" | head -n1)
echo "==== boot to /init ${boot:-?} s (guest clock), run ${elapsed} s; skipped $gskip"
echo "==== console: $LOG  KTAP: $ktap"
echo "$(( gpass + hpass )) passed, $(( gfail + hfail )) failed"
[ $(( gfail + hfail )) = 0 ]
