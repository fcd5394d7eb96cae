# shellcheck shell=sh
# "pm" suite: system sleep and Wake-on-LAN (issue 14 item 6). Both NICs run
# $DRIVER (pair_up: NIC 0 as 10.0.0.1 here, NIC 1 as 10.0.0.2 in namespace
# "peer"), so both go through the driver's suspend and resume. Sourced by /init
# after lib.sh; run by `make check-faults` and `make check-all`, not `make check`.
# Run it with its host-side waker:
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
#   hibernate       PM_HIB_CYCLES (default 3) hibernation cycles under the
#                   transfer and ping of freeze_traffic, at the deepest test level
#                   of CONFIG_PM_DEBUG (`echo core >/sys/power/pm_test; echo disk
#                   >/sys/power/state`): the kernel freezes every device (the
#                   driver's `freeze`, then the PCI core's noirq phase), takes the
#                   CPUs and the system core down as for the image, waits
#                   PM_HIB_DELAY s, and brings them back through the `restore`
#                   callbacks (the path after an image is loaded: the PCI core puts
#                   the device in D0 and restores its configuration first). Nothing
#                   is written (the test kernel has no swap device). The kernel
#                   logged "hibernation debug: Waiting" (the core level was
#                   reached), with rust_igb both NICs logged their suspend and
#                   resume lines, carrier and pings after each cycle, the transfer
#                   intact and iperf3 after, no kernel warning. The `thaw` callback
#                   (after a real image is written) is the same function as
#                   `restore`
#   rmmod           the module unloads cleanly after the cycles and bus mastering
#                   is off afterwards (skips if $DRIVER is not a loaded module)
#
# Knobs (kernel parameters rigb.pm_*=, or the environment):
#   PM_CYCLES    rigb.pm_cycles     suspend-to-idle cycles under traffic (3)
#   PM_WAKE_S    rigb.pm_wake_s     seconds until the RTC alarm (5)
#   PM_CHUNKS    rigb.pm_chunks     MiB in the TCP transfer across the cycles (24)
#   PM_CHUNK_GAP rigb.pm_chunk_gap  seconds between two chunks (1)
#   PM_MEM       rigb.pm_mem        1: try "mem" (S3) too (default 1)
#   PM_HIB_CYCLES rigb.pm_hib_cycles hibernation test cycles (3)
#   PM_HIB_DELAY rigb.pm_hib_delay  seconds the hibernation test waits at its core level (1)
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
: "${PM_HIB_CYCLES:=$(karg rigb.pm_hib_cycles)}" "${PM_HIB_CYCLES:=3}"
: "${PM_HIB_DELAY:=$(karg rigb.pm_hib_delay)}" "${PM_HIB_DELAY:=1}"
PM_RTC=/sys/class/rtc/rtc0

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

pm_pings() { wait_for "$1" ping -c 1 -W 1 10.0.0.2 >/dev/null; }

# pm_back MARK CYCLE WHAT: after a sleep cycle begun at MARK, the driver's
# callbacks ran on both NICs (rust_igb), and NIC 0 has its carrier and pings.
pm_back() {
	pm_driver_ran "$1" || { klog_since "$1" | grep -i -e rust_igb -e igb | diag_klog; fail "cycle $2: the driver's $3 did not run on both NICs"; }
	wait_for 30 link_up "$(nic_name 0)" || fail "cycle $2: no carrier after the $3"
	pm_pings 20 || fail "cycle $2: no ping after the $3"
}

# pm_quiet MARK WHAT: no kernel warning since MARK.
pm_quiet() {
	bad=$(klog_since "$1" | klog_bad)
	[ -z "$bad" ] || { echo "$bad" | diag_klog; fail "kernel warnings during $2"; }
}

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

# pm_transfer_start: a checksummed TCP transfer local -> peer that spans the
# cycles to come (PM_CHUNKS one-MiB chunks, one per PM_CHUNK_GAP seconds) and a
# ping; their PIDs go to BG_PIDS, the sender's to PM_SPID, the receiver's to
# PM_RPID. The caller sets `trap bg_reap EXIT`.
pm_transfer_start() {
	PM_TX=$STATE/pm.payload PM_RX=$STATE/pm.received
	dd if=/dev/urandom of="$PM_TX" bs=1M count="$PM_CHUNKS" 2>/dev/null || fail "cannot create $PM_TX"
	rm -f "$PM_RX"
	hold=$STATE/pm.hold
	[ -p "$hold" ] || mkfifo "$hold" || fail "mkfifo $hold"
	# Receiver in the peer, sender here: the sender's input comes a MiB per
	# PM_CHUNK_GAP seconds, so the connection stays open across the cycles.
	# busybox nc half-closes at EOF on its stdin and exits when the socket
	# reads EOF: the receiver reads a FIFO that never ends nor delivers.
	bg_run -i "$hold" nsenter -F --net="$PEER_NETNS" timeout 600 nc -l -p 5400 >"$PM_RX"
	PM_RPID=${BG_PIDS##* }
	wait_for 20 peer_listening 5400 || fail "nc did not listen in peer"
	(
		i=0
		while [ "$i" -lt "$PM_CHUNKS" ]; do
			dd if="$PM_TX" bs=1M skip="$i" count=1 2>/dev/null
			sleep "$PM_CHUNK_GAP"
			i=$((i + 1))
		done
	) | timeout 600 nc 10.0.0.2 5400 >/dev/null 2>"$STATE/pm.nc-tx" &
	PM_SPID=$!
	BG_PIDS="$BG_PIDS $PM_SPID"
	bg_run ping -i 0.2 -W 1 10.0.0.2 >"$STATE/pm.ping"
}

# pm_transfer_check WHAT: the transfer pm_transfer_start began completed with
# the same sha256 on both sides, or failed with an error and the bytes received
# before it are those sent (never silent corruption or loss); then 2 s of iperf3
# TCP. Reaps the background processes.
pm_transfer_check() {
	# Let the transfer finish (at most the time its chunks take, plus slack).
	wait_for $(( PM_CHUNKS * PM_CHUNK_GAP + 120 )) bg_gone "$PM_SPID" || fail "the sending nc did not finish"
	wait "$PM_SPID"
	src=$?
	wait_for 60 bg_gone "$PM_RPID" || fail "the receiving nc did not finish"
	bg_forget "$PM_SPID"
	bg_reap
	sent=$(wc -c <"$PM_TX") got=$(wc -c <"$PM_RX")
	h0=$(sha256sum <"$PM_TX") h1=$(in_peer sha256sum <"$PM_RX")
	diag "transfer across $1: sender exit $src, sent $sent bytes, received $got; sha256 ${h0%% *} / ${h1%% *}"
	if [ "$src" = 0 ] && [ "$got" = "$sent" ]; then
		[ "${h0%% *}" = "${h1%% *}" ] || fail "payload corrupted: sha256 differs"
	elif [ "$src" = 0 ]; then
		# Fewer bytes with a clean exit is silent loss.
		fail "the transfer ended cleanly with $got of $sent bytes"
	else
		diag "the transfer failed with an error ($(cat "$STATE/pm.nc-tx")): allowed, not silent"
		cmp -s "$PM_RX" "$PM_TX" 2>/dev/null || head -c "$got" "$PM_TX" | cmp -s - "$PM_RX" ||
			fail "the bytes received before the error differ from those sent"
	fi
	diag "ping: $(tail -n 2 "$STATE/pm.ping" | tr '\n' ' ')"
	peer_iperf_server || fail "iperf3 server"
	iperf3 -c 10.0.0.2 -t 2 >"$STATE/pm.iperf" 2>&1 || fail "iperf3 after $1: $(tail -n 3 "$STATE/pm.iperf")"
}

t_pm_freeze_traffic() {
	pm_need_waker
	trap bg_reap EXIT
	klog_mark "pm traffic"
	pm_transfer_start
	c=1
	while [ "$c" -le "$PM_CYCLES" ]; do
		sleep 2
		mark="pm cycle $c"
		klog_mark "$mark"
		pm_sleep freeze || { klog_since "$mark" | tail -n 30 | diag_klog; fail "cycle $c: the sleep failed"; }
		pm_back "$mark" "$c" "suspend/resume"
		if pm_rust; then
			line=$(pm_suspend_line "$mark")
			diag "cycle $c: ${line#*] }"
			echo "$line" | grep -q "WUC 0x00000002, WUFC 0x00000002" ||
				fail "cycle $c: NIC 0 did not program WUC.PME_En / WUFC.MAG (wol g) at suspend"
		fi
		c=$((c + 1))
	done
	pm_transfer_check "$PM_CYCLES cycles"
	pm_quiet "pm traffic" "the cycles"
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
	bg_run ping -i 0.2 -W 1 10.0.0.2 >"$STATE/pm.ping"
	mark="pm mem"
	klog_mark "$mark"
	pm_sleep mem || { klog_since "$mark" | tail -n 30 | diag_klog; fail "the S3 sleep failed"; }
	bg_reap
	[ "$PM_SLEPT" -lt $(( (PM_WAKE_S + 15) * 100 )) ] ||
		diag "S3 lasted $(fmt_cs "$PM_SLEPT")s for a $PM_WAKE_S s RTC alarm: woken by the host's backstop, not the RTC?"
	pm_driver_ran "$mark" || fail "the driver's suspend/resume did not run on both NICs"
	wait_for 30 link_up "$l" || fail "no carrier after S3"
	pm_pings 30 || fail "no ping after S3"
	peer_iperf_server || fail "iperf3 server"
	iperf3 -c 10.0.0.2 -t 2 >"$STATE/pm.iperf" 2>&1 || fail "iperf3 after S3: $(tail -n 3 "$STATE/pm.iperf")"
	pm_quiet "$mark" "S3"
}

# pm_hib_restore: no hibernation test level left behind (the EXIT trap of the
# case below).
pm_hib_restore() {
	bg_reap
	echo none >/sys/power/pm_test 2>/dev/null
}

t_pm_hibernate() {
	[ -w /sys/power/pm_test ] || skip "no /sys/power/pm_test (CONFIG_PM_DEBUG)"
	grep -qw disk /sys/power/state || skip "no 'disk' in /sys/power/state (CONFIG_HIBERNATION): $(cat /sys/power/state)"
	trap pm_hib_restore EXIT
	delay=/sys/module/hibernate/parameters/pm_test_delay
	[ -w "$delay" ] && echo "$PM_HIB_DELAY" >"$delay"
	diag "/sys/power/disk: $(cat /sys/power/disk); pm_test: $(cat /sys/power/pm_test); delay $(cat "$delay" 2>/dev/null) s"
	klog_mark "pm hibernate"
	pm_transfer_start
	c=1
	while [ "$c" -le "$PM_HIB_CYCLES" ]; do
		sleep 2
		mark="pm hibernate $c"
		klog_mark "$mark"
		echo core >/sys/power/pm_test || fail "cannot set pm_test core"
		t0=$(now_cs)
		echo disk >/sys/power/state
		rc=$?
		t1=$(now_cs)
		echo none >/sys/power/pm_test
		[ "$rc" = 0 ] || { klog_since "$mark" | tail -n 30 | diag_klog; fail "cycle $c: echo disk >/sys/power/state failed"; }
		diag "cycle $c: back after $(fmt_cs $(( t1 - t0 )))s"
		klog_since "$mark" | grep -q "hibernation debug: Waiting" || {
			klog_since "$mark" | tail -n 30 | diag_klog
			fail "cycle $c: the kernel did not reach the core test point (no 'hibernation debug: Waiting' line)"
		}
		klog_since "$mark" | grep -q "Hibernation image restored successfully\|hibernation exit" ||
			fail "cycle $c: no 'hibernation exit' line"
		pm_back "$mark" "$c" "freeze/restore"
		c=$((c + 1))
	done
	pm_transfer_check "$PM_HIB_CYCLES hibernation cycles"
	pm_quiet "pm hibernate" "the hibernation cycles"
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
run_case hibernate t_pm_hibernate
run_case rmmod t_pm_rmmod
run_case shutdown_prep t_pm_shutdown_prep
