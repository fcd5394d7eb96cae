# shellcheck shell=sh
# "pm" suite: system sleep and Wake-on-LAN (issue 14 item 6). Both NICs run
# $DRIVER (pair_up: NIC 0 as 10.0.0.1 here, NIC 1 as 10.0.0.2 in namespace
# "peer"), so both go through the driver's suspend and resume. Sourced by /init
# after lib.sh; not part of `make check`. Run it with its host-side waker:
#   QEMU_LOCK=... KDIR=... MODULE=$PWD/rust-igb.ko DRIVER=rust_igb \
#     KERNEL_ARGS=rigb.expect_irq=MsiX scripts/pm-run.sh
# DRIVER=igb without MODULE runs the same cases on the C igb; the rust_igb-only
# checks (its log lines, its debugfs knob) then skip or are left out, as said
# per case. Plain `scripts/guest-run.sh TESTS=pm` runs it without the waker:
# the suspend-to-idle cases then skip.
#
# Wake-up sources. "mem" is ACPI S3: QEMU stops the guest, the RTC alarm
# (/sys/class/rtc/rtc0/wakealarm, rtc-cmos; busybox has no rtcwake) wakes it,
# and QEMU resets every device (the igb loses its PCI config space, which the
# PCI core restores) before the kernel resumes. "freeze" is suspend-to-idle:
# the kernel runs the same device `.suspend`/`.resume` callbacks but the VM
# keeps running, and there the RTC cannot wake it: with ACPI, rtc-cmos arms the
# ACPI RTC fixed event, which QEMU raises only while the VM is suspended (S3).
# scripts/pm-run.sh therefore presses the ACPI power button (QEMU monitor
# `system_powerdown`) 3 s after the guest's "rigb: sleep freeze" mark, a
# wake-up source of suspend-to-idle (no guest process acts on the key), and
# sends `system_wakeup` 40 s after "rigb: sleep mem" in case the RTC failed
# (the case reports how long S3 lasted). It passes rigb.pm_waker=1 and
# no_console_suspend (the console, which the waker follows, keeps printing).
#
# Cases:
#   up              the pair is cabled and passes traffic; the kernel offers
#                   "freeze" in /sys/power/state and has an RTC with wakealarm
#   wol_default     `ethtool <if>` shows "Supports Wake-on: d" / "Wake-on: d":
#                   QEMU's igb has no PME support in its PM capability, so
#                   neither the C igb nor rust_igb offers Wake-on-LAN (the C
#                   driver's device_can_wakeup test); `ethtool -s wol g` is
#                   refused
#   wol_set         rust_igb only (skips otherwise): with debugfs
#                   rust_igb-<pci>/wol_capable=1 (assume the platform can wake),
#                   "Supports Wake-on: pumbg", `wol g` / `wol pumbg` / `wol d`
#                   are stored and read back, `wol a` (ARP) and `wol s` are
#                   refused; leaves `wol g` set for the next case
#   freeze_traffic  PM_CYCLES (default 3) suspend-to-idle cycles, each woken by
#                   the host's power button press, while a TCP
#                   transfer (local -> peer, PM_CHUNKS one-MiB chunks one per
#                   PM_CHUNK_GAP seconds, so it spans the cycle) and a ping run:
#                   the sleep really happened (the kernel's "PM: suspend exit"),
#                   with rust_igb its suspend and resume ran on both NICs ("suspend
#                   (WUC .., WUFC ..)", "resume (WUS ..)" log lines) and on NIC 0
#                   the wake-up was programmed as set: WUC 0x00000002 (PME_En),
#                   WUFC 0x00000002 (MAG) read back from the device at suspend;
#                   after each resume the carrier comes back and pings pass; at
#                   the end the transfer completed with the same sha256 on both
#                   sides, or failed with an error (never silent corruption), and
#                   iperf3 TCP passes for 2 s; no kernel warning since the start
#   down_freeze     NIC 0 administratively down across a suspend-to-idle cycle:
#                   suspend and resume run (rust_igb: their log lines), the
#                   interface stays down after resume, and `ip link set up`
#                   afterwards brings it back and it passes traffic
#   mem_traffic     one "mem" (ACPI S3) cycle woken by the RTC after PM_WAKE_S
#                   (default 5) seconds, with a ping running: the driver's
#                   suspend/resume ran on both NICs, carrier, pings and 2 s of
#                   iperf3 TCP afterwards, no kernel warning (skips if the kernel
#                   offers no S3, or with PM_MEM=0)
#   rmmod           the module unloads cleanly after the cycles and bus mastering
#                   is off afterwards (skips if $DRIVER is not a loaded module)
#
# Knobs (kernel parameters rigb.pm_*=, or the environment):
#   PM_CYCLES    rigb.pm_cycles     suspend-to-idle cycles under traffic (3)
#   PM_WAKE_S    rigb.pm_wake_s     seconds until the RTC alarm (5)
#   PM_CHUNKS    rigb.pm_chunks     MiB in the TCP transfer across the cycles (24)
#   PM_CHUNK_GAP rigb.pm_chunk_gap  seconds between two chunks (1)
#   PM_MEM       rigb.pm_mem        1: try "mem" (S3) too (default 1)
#   PM_WAKER     rigb.pm_waker      1: the host wakes suspend-to-idle (set by
#                                   scripts/pm-run.sh; default 0: freeze cases skip)
#
#   shutdown_prep   loads the driver again, the pair up, NIC 0 with `wol g`
#                   (rust_igb), for the shutdown below
#
# Shutdown (`.shutdown`) cannot be a case: /init ends every run with `reboot -f`,
# which runs it for both NICs (running, after shutdown_prep); with rust_igb its
# "shutdown (WUC 0x00000002, WUFC 0x00000002)" (NIC 0) and "shutdown (WUC
# 0x00000000, WUFC 0x00000000)" (NIC 1) lines are on the console after the
# KTAP stream, and the host's log scan covers what follows them.

: "${PM_CYCLES:=$(karg rigb.pm_cycles)}" "${PM_CYCLES:=3}"
: "${PM_WAKE_S:=$(karg rigb.pm_wake_s)}" "${PM_WAKE_S:=5}"
: "${PM_CHUNKS:=$(karg rigb.pm_chunks)}" "${PM_CHUNKS:=24}"
: "${PM_CHUNK_GAP:=$(karg rigb.pm_chunk_gap)}" "${PM_CHUNK_GAP:=1}"
: "${PM_MEM:=$(karg rigb.pm_mem)}" "${PM_MEM:=1}"
: "${PM_WAKER:=$(karg rigb.pm_waker)}" "${PM_WAKER:=0}"
PM_RTC=/sys/class/rtc/rtc0
PM_NETNS=/run/netns/peer

pm_rust() { [ "$DRIVER" = rust_igb ]; }
pm_knob() { echo "/sys/kernel/debug/rust_igb-$(nic_pci 0)/wol_capable"; }
pm_wake_on() { ethtool "$1" | sed -n "s/^[[:space:]]*$2: *//p"; } # IF "Supports Wake-on"|"Wake-on"

# pm_sleep STATE: sleep in STATE (freeze|mem) until the RTC alarm PM_WAKE_S s
# from now; fails if the write fails or the kernel did not log a completed
# suspend.
pm_sleep() {
	echo enabled >"$PM_RTC/device/power/wakeup" 2>/dev/null
	echo 0 >"$PM_RTC/wakealarm" && echo "+$PM_WAKE_S" >"$PM_RTC/wakealarm" || {
		diag "cannot set the RTC alarm"
		return 1
	}
	klog_mark "sleep $1"
	_t0=$(now_cs)
	echo "$1" >/sys/power/state || { diag "echo $1 >/sys/power/state failed"; return 1; }
	PM_SLEPT=$(( $(now_cs) - _t0 ))
	diag "$1: back after $(fmt_cs $PM_SLEPT)s (boot clock, which counts the sleep)"
	klog_since "sleep $1" | grep -q "PM: suspend exit" || { diag "no 'PM: suspend exit' in the log"; return 1; }
}

# pm_driver_ran MARK: with rust_igb, both NICs logged suspend and resume after
# MARK. Prints NIC 0's suspend line.
pm_driver_ran() {
	pm_rust || return 0
	for _pci in $PCI_ADDRS; do
		klog_since "$1" | grep "$_pci" | grep -q ": suspend (WUC" || { diag "$_pci: no suspend line"; return 1; }
		klog_since "$1" | grep "$_pci" | grep -q ": resume (WUS" || { diag "$_pci: no resume line"; return 1; }
	done
}
pm_suspend_line() { klog_since "$1" | grep "$(nic_pci 0)" | grep ": suspend (WUC" | tail -n1; }

pm_bg() { # [-i FILE] CMD...: in the background, stdin /dev/null (or FILE opened
	# read-write); PID appended to PM_BG
	_in=/dev/null
	if [ "$1" = -i ]; then _in=$2; shift 2; fi
	"$@" <>"$_in" &
	PM_BG="$PM_BG $!"
}
pm_reap() {
	for _p in $PM_BG; do kill "$_p" 2>/dev/null; done
	PM_BG=
}
pm_gone() { [ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
pm_pings() { wait_for "$1" ping -c 1 -W 1 10.0.0.2 >/dev/null; }

t_pm_up() {
	pair_up || fail "$PAIR_ERR"
	pm_pings 20 || fail "no ping across the pair"
	grep -qw freeze /sys/power/state || fail "no 'freeze' in /sys/power/state: $(cat /sys/power/state)"
	[ -w "$PM_RTC/wakealarm" ] || fail "no $PM_RTC/wakealarm"
	diag "/sys/power/state: $(cat /sys/power/state); mem_sleep: $(cat /sys/power/mem_sleep 2>/dev/null)"
}

t_pm_wol_default() {
	l=$(nic_name 0)
	s=$(pm_wake_on "$l" "Supports Wake-on") w=$(pm_wake_on "$l" "Wake-on")
	diag "$l: Supports Wake-on: $s, Wake-on: $w"
	[ "$s" = d ] && [ "$w" = d ] || fail "expected no Wake-on-LAN on QEMU's igb (no PME), got '$s' / '$w'"
	ethtool -s "$l" wol g 2>/dev/null && fail "ethtool -s wol g accepted without Wake-on-LAN support"
	return 0
}

t_pm_wol_set() {
	pm_rust || skip "debugfs wol_capable is rust_igb's"
	l=$(nic_name 0) knob=$(pm_knob)
	[ -w "$knob" ] || fail "no $knob"
	echo 1 >"$knob" || fail "write $knob"
	s=$(pm_wake_on "$l" "Supports Wake-on") w=$(pm_wake_on "$l" "Wake-on")
	diag "with wol_capable=1: Supports Wake-on: $s, Wake-on: $w"
	[ "$s" = pumbg ] || fail "Supports Wake-on: '$s', expected pumbg"
	[ "$w" = d ] || fail "Wake-on '$w' before any setting, expected d (the default follows the platform)"
	for opts in pumbg d g; do
		ethtool -s "$l" wol $opts || fail "ethtool -s wol $opts"
		w=$(pm_wake_on "$l" "Wake-on")
		[ "$w" = "$opts" ] || fail "wol $opts read back as '$w'"
	done
	ethtool -s "$l" wol a 2>/dev/null && fail "wol a (ARP) accepted"
	ethtool -s "$l" wol s 2>/dev/null && fail "wol s (SecureOn) accepted"
	[ "$(pm_wake_on "$l" "Wake-on")" = g ] || fail "a refused setting changed Wake-on"
}

pm_need_waker() {
	[ "$PM_WAKER" = 1 ] || skip "no host waker (scripts/pm-run.sh): the RTC cannot wake suspend-to-idle under QEMU with ACPI"
}

t_pm_freeze_traffic() {
	pm_need_waker
	trap pm_reap EXIT
	l=$(nic_name 0)
	klog_mark "pm traffic"
	tx=$STATE/pm.payload rx=$STATE/pm.received
	dd if=/dev/urandom of="$tx" bs=1M count="$PM_CHUNKS" 2>/dev/null || fail "cannot create $tx"
	rm -f "$rx"
	hold=$STATE/pm.hold
	[ -p "$hold" ] || mkfifo "$hold" || fail "mkfifo $hold"
	# Receiver in the peer, sender here: the sender's input comes a MiB per
	# PM_CHUNK_GAP seconds, so the connection stays open across the cycles.
	# busybox nc half-closes at EOF on its stdin and exits when the socket
	# reads EOF: the receiver reads a FIFO that never ends nor delivers.
	pm_bg -i "$hold" nsenter -F --net="$PM_NETNS" timeout 600 nc -l -p 5400 >"$rx"
	rpid=${PM_BG##* }
	wait_for 20 peer_listening 5400 || fail "nc did not listen in peer"
	(
		i=0
		while [ "$i" -lt "$PM_CHUNKS" ]; do
			dd if="$tx" bs=1M skip="$i" count=1 2>/dev/null
			sleep "$PM_CHUNK_GAP"
			i=$((i + 1))
		done
	) | timeout 600 nc 10.0.0.2 5400 >/dev/null 2>"$STATE/pm.nc-tx" &
	spid=$!
	PM_BG="$PM_BG $spid"
	pm_bg ping -i 0.2 -W 1 10.0.0.2 >"$STATE/pm.ping"
	c=1
	while [ "$c" -le "$PM_CYCLES" ]; do
		sleep 2
		mark="pm cycle $c"
		klog_mark "$mark"
		pm_sleep freeze || { klog_since "$mark" | tail -n 30 | diag_klog; fail "cycle $c: the sleep failed"; }
		pm_driver_ran "$mark" || { klog_since "$mark" | grep -i -e rust_igb -e igb | diag_klog; fail "cycle $c: the driver's suspend/resume did not run on both NICs"; }
		if pm_rust; then
			line=$(pm_suspend_line "$mark")
			diag "cycle $c: ${line#*] }"
			echo "$line" | grep -q "WUC 0x00000002, WUFC 0x00000002" ||
				fail "cycle $c: NIC 0 did not program WUC.PME_En / WUFC.MAG (wol g) at suspend"
		fi
		wait_for 30 link_up "$l" || fail "cycle $c: no carrier after resume"
		pm_pings 20 || fail "cycle $c: no ping after resume"
		c=$((c + 1))
	done
	# Let the transfer finish (at most the time its chunks take, plus slack).
	wait_for $(( PM_CHUNKS * PM_CHUNK_GAP + 120 )) pm_gone "$spid" || fail "the sending nc did not finish"
	wait "$spid"
	src=$?
	wait_for 60 pm_gone "$rpid" || fail "the receiving nc did not finish"
	PM_BG=$(echo " $PM_BG " | sed "s/ $spid / /")
	pm_reap
	sent=$(wc -c <"$tx") got=$(wc -c <"$rx")
	h0=$(sha256sum <"$tx") h1=$(in_peer sha256sum <"$rx")
	diag "transfer across $PM_CYCLES cycles: sender exit $src, sent $sent bytes, received $got; sha256 ${h0%% *} / ${h1%% *}"
	if [ "$src" = 0 ] && [ "$got" = "$sent" ]; then
		[ "${h0%% *}" = "${h1%% *}" ] || fail "payload corrupted: sha256 differs"
	elif [ "$src" = 0 ]; then
		# Fewer bytes with a clean exit is silent loss.
		fail "the transfer ended cleanly with $got of $sent bytes"
	else
		diag "the transfer failed with an error ($(cat "$STATE/pm.nc-tx")): allowed, not silent"
		cmp -s "$rx" "$tx" 2>/dev/null || head -c "$got" "$tx" | cmp -s - "$rx" ||
			fail "the bytes received before the error differ from those sent"
	fi
	diag "ping: $(tail -n 2 "$STATE/pm.ping" | tr '\n' ' ')"
	peer_iperf_server || fail "iperf3 server"
	iperf3 -c 10.0.0.2 -t 2 >"$STATE/pm.iperf" 2>&1 || fail "iperf3 after the cycles: $(tail -n 3 "$STATE/pm.iperf")"
	bad=$(klog_since "pm traffic" | klog_bad)
	[ -z "$bad" ] || { echo "$bad" | diag_klog; fail "kernel warnings during the cycles"; }
}

t_pm_down_freeze() {
	pm_need_waker
	l=$(nic_name 0)
	ip link set "$l" down || fail "ip link set down"
	mark="pm down"
	klog_mark "$mark"
	pm_sleep freeze || fail "the sleep failed"
	pm_driver_ran "$mark" || fail "the driver's suspend/resume did not run"
	[ "$(cat "/sys/class/net/$l/operstate")" = down ] || fail "the interface came back up by itself"
	ip link set "$l" up || fail "ip link set up after resume"
	wait_for 30 link_up "$l" || fail "no carrier"
	pm_pings 20 || fail "no ping"
}

t_pm_mem_traffic() {
	[ "$PM_MEM" = 1 ] || skip "PM_MEM=$PM_MEM"
	grep -qw mem /sys/power/state || skip "no 'mem' in /sys/power/state"
	grep -qw deep /sys/power/mem_sleep 2>/dev/null || skip "mem_sleep has no 'deep' (S3): $(cat /sys/power/mem_sleep 2>/dev/null)"
	echo deep >/sys/power/mem_sleep || fail "mem_sleep deep"
	l=$(nic_name 0)
	pm_bg ping -i 0.2 -W 1 10.0.0.2 >"$STATE/pm.ping"
	mark="pm mem"
	klog_mark "$mark"
	pm_sleep mem || { klog_since "$mark" | tail -n 30 | diag_klog; fail "the S3 sleep failed"; }
	pm_reap
	[ "$PM_SLEPT" -lt $(( (PM_WAKE_S + 15) * 100 )) ] ||
		diag "S3 lasted $(fmt_cs "$PM_SLEPT")s for a $PM_WAKE_S s RTC alarm: woken by the host's backstop, not the RTC?"
	pm_driver_ran "$mark" || fail "the driver's suspend/resume did not run on both NICs"
	wait_for 30 link_up "$l" || fail "no carrier after S3"
	pm_pings 30 || fail "no ping after S3"
	peer_iperf_server || fail "iperf3 server"
	iperf3 -c 10.0.0.2 -t 2 >"$STATE/pm.iperf" 2>&1 || fail "iperf3 after S3: $(tail -n 3 "$STATE/pm.iperf")"
	bad=$(klog_since "$mark" | klog_bad)
	[ -z "$bad" ] || { echo "$bad" | diag_klog; fail "kernel warnings around S3"; }
}

t_pm_rmmod() {
	module_loaded || skip "$DRIVER is not a loaded module"
	peer_teardown
	unload_driver || fail "rmmod"
	for i in 0 1; do
		cmd=$(od -A n -t x2 -v -j 4 -N 2 "/sys/bus/pci/devices/$(nic_pci $i)/config" | tr -d ' ')
		[ $(( 0x$cmd & 4 )) = 0 ] || fail "nic$i: bus mastering on after rmmod (PCI_COMMAND 0x$cmd)"
	done
}

t_pm_shutdown_prep() {
	pair_up || fail "$PAIR_ERR"
	pm_pings 20 || fail "no ping across the pair"
	if pm_rust; then
		echo 1 >"$(pm_knob)" && ethtool -s "$(nic_name 0)" wol g || fail "wol g"
	fi
}

run_case up t_pm_up
run_case wol_default t_pm_wol_default
run_case wol_set t_pm_wol_set
run_case freeze_traffic t_pm_freeze_traffic
run_case down_freeze t_pm_down_freeze
run_case mem_traffic t_pm_mem_traffic
run_case rmmod t_pm_rmmod
run_case shutdown_prep t_pm_shutdown_prep
