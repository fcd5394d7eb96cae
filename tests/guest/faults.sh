# shellcheck shell=sh
# "faults" suite: faults from outside the driver, provoked from the host
# through QEMU's monitor (lib.sh host_qmp; guest-run.sh turns the host control
# channel on for this suite) while TCP runs both ways. Sourced by /init after
# lib.sh. Not part of `make check`; run it with
#
#   QEMU_LOCK=... MODULE=$PWD/rust-igb.ko TESTS=faults TOPOLOGY=pcie TIMEOUT=900 \
#       scripts/guest-run.sh
#
# NIC 0 runs $DRIVER in this namespace (10.0.0.1), NIC 1 the peer driver (the
# C igb by default) in namespace "peer" (10.0.0.2), cabled through QEMU's hub:
# QEMU netdev n0 is NIC 0's end of the cable, device nic0 (on root port rp0
# with TOPOLOGY=pcie) the NIC itself.
#
# Traffic across each fault: two checksummed TCP streams (busybox nc), one
# each way, of paced random data (16 KiB every 0.1 s, copied to a file on the
# sending side until the case stops it), plus iperf3 --bidir as background
# load. A stream either completes with the receiver holding exactly what was
# sent (length and sha256), or (device removed) fails with an error and holds
# a prefix of it: never different bytes.
#
#   setup          NIC 0 on $DRIVER, NIC 1 on FL_PEER_DRIVER (driver_override),
#                  addresses, carrier both ends; the host channel answers query-status
#   link_flap      FLAPS x QMP set_link n0 off/on under the traffic. Each cycle: the
#                  carrier drops within FL_DOWN_CS of `off` and returns within
#                  FL_UP_CS of `on` (and on average within FL_MEAN_CS, resp. 0.5 s +
#                  FL_MEAN_CS); once the stack saw the carrier go (operstate
#                  down) NIC 0 transmits nothing for FL_HOLD s (its queues are
#                  stopped); after `on` a ping is answered within 5 s (they run
#                  again). After the cycles: both streams complete intact; the
#                  driver logged FLAPS "NIC Link is Down" and as many "Up", and no
#                  "Detected Tx Unit Hang", "Reset adapter" or TX timeout; the
#                  counters agree: what NIC 0 sent minus what the peer received
#                  is between 0 and the frames NIC 0 sent while its cable was
#                  pulled (counted each cycle from `off` until its queues
#                  stopped) plus FL_SLACK (background frames the receiver's
#                  filters drop), and the same for the peer's frames to NIC 0
#                  (the peer's link stays up: everything it sends from `off` to
#                  carrier back is lost); then 100 pings each way with the
#                  counters exact up to FL_SLACK (lib.sh frames_check)
#   aer            (TOPOLOGY=pcie) PCIe AER errors under the traffic (QEMU
#                  pcie_aer_inject_error). QEMU's igb model has no writable error-
#                  reporting enables in its Device Control register (it does not call
#                  pcie_cap_deverr_init), so an error injected into the NIC is logged
#                  in the NIC and never signalled; the uncorrectable ones are
#                  therefore injected into NIC 0's root port (rp0, SERR# enabled on
#                  it first, which QEMU needs to forward the message), and the AER
#                  core recovers every device below the port, which is what the
#                  driver sees when a port reports an error on the NIC's link. A
#                  correctable one (BAD_TLP into the NIC; QEMU never signals those)
#                  leaves the traffic going; an uncorrectable non-fatal one
#                  (COMP_TIME) reaches the driver's error_detected in the normal
#                  state ("can recover"), recovery succeeds, traffic goes on; a fatal
#                  one (MALF_TLP) freezes the link: error_detected asks for a slot
#                  reset, the port resets its secondary bus (the NIC with it),
#                  slot_reset and resume bring the interface back, recovery succeeds
#                  and traffic flows; both streams complete intact across the
#                  three; RX queue 0 receives after
#   unplug         (TOPOLOGY=pcie) QMP device_del nic0 under the traffic: QEMU
#                  presses the slot's attention button, pciehp unbinds the driver
#                  (orderly: the device still answers) and powers the slot off,
#                  QEMU removes the NIC. The interface goes within 30 s; the
#                  stream into NIC 0's peer holds a prefix of what was sent;
#                  rmmod is clean; device_add puts the NIC back, $DRIVER binds it
#                  and passes traffic (5/5 pings, 2 s of iperf3)
#   surprise       (TOPOLOGY=pcie) surprise removal: the guest writes "power off"
#                  (with the hot-plug interrupt off) into the root port's Slot
#                  Control behind pciehp's back, and QEMU unplugs the NIC at
#                  once, under the driver; then Slot Control as it was, and
#                  pciehp sees the card gone (Presence Detect Changed) and
#                  removes the device, marked disconnected (its surprise-removal
#                  path). (Without the interrupt trick pciehp finds the slot
#                  "already disabled" and leaves the dead device bound.) The
#                  driver must log "PCIe link lost" (it recognises the dead
#                  device), not try to stop its queues or reset it ("queues did
#                  not stop", "reset failed": waits that run into their
#                  timeouts), and the interface go within FL_GONE_SECS; then as unplug: streams, rmmod, device_add,
#                  traffic. (QEMU reads an absent device's registers as 0, not
#                  all-ones as real hardware: the driver notices the removal
#                  from the PCI core's disconnected state; its all-ones test is
#                  covered by KUnit.)
#   unload         rmmod, the namespace goes
#   kernel_log_clean  no kernel-log line matching kernel-log-bad.txt since setup
#                  (after kernel-log-known.awk: pciehp's own lockdep report on the
#                  first hot-unplug, which also turns lockdep off: the removal
#                  cases run last)
#
# Knobs (environment variable, else kernel parameter rigb.<lowercase name>,
# e.g. KERNEL_ARGS="rigb.flaps=20", else default):
#   FLAPS           link off/on cycles (default 50: ~3.7 s each under TCG with the
#                   traffic, so 100, the issue's number, take ~6 min alone)
#   FL_HOLD         seconds the link stays off after the queues stopped, and the
#                   window in which NIC 0 must transmit nothing (default 0.5)
#   FL_DOWN_CS      carrier-off deadline after `off`, centiseconds (default 200:
#                   the watchdog period, 1 s, plus 1 s for TCG scheduling; the
#                   link interrupt normally makes it much faster)
#   FL_UP_CS        carrier-on deadline after `on`, centiseconds (default 300: QEMU
#                   completes autonegotiation 0.5 s after `on`, then as above)
#   FL_MEAN_CS      the mean of those latencies, centiseconds (default 30; for the
#                   carrier-on latency, on top of QEMU's 0.5 s autonegotiation): the
#                   link-change interrupt, not the watchdog's 1 s poll, must move the
#                   carrier (polling alone gives a mean of ~0.5 s)
#   FL_SLACK        background frames allowed per direction (default 10)
#   FL_GONE_SECS    surprise removal: seconds until the interface is gone (default 15)
#   FL_PEER_DRIVER  driver of NIC 1 (default igb, the C driver)

: "${FLAPS:=$(karg rigb.flaps)}" "${FLAPS:=50}"
: "${FL_HOLD:=$(karg rigb.fl_hold)}" "${FL_HOLD:=0.5}"
: "${FL_DOWN_CS:=$(karg rigb.fl_down_cs)}" "${FL_DOWN_CS:=200}"
: "${FL_UP_CS:=$(karg rigb.fl_up_cs)}" "${FL_UP_CS:=300}"
: "${FL_MEAN_CS:=$(karg rigb.fl_mean_cs)}" "${FL_MEAN_CS:=30}"
: "${FL_SLACK:=$(karg rigb.fl_slack)}" "${FL_SLACK:=10}"
: "${FL_GONE_SECS:=$(karg rigb.fl_gone_secs)}" "${FL_GONE_SECS:=15}"
: "${FL_PEER_DRIVER:=$(karg rigb.fl_peer_driver)}" "${FL_PEER_DRIVER:=igb}"

LOCAL4=10.0.0.1 PEER4=10.0.0.2

# ---- background processes: bg_run, bg_wait, in_peer_bg (lib.sh) -------------------
# fl_reap: bg_reap, and any iperf3 or nc the cases started outside it.
fl_reap() {
	killall iperf3 nc 2>/dev/null
	bg_reap
}

fl_on() { [ "$(nic_driver "$1" 2>/dev/null)" = "$2" ]; }
fl_bound() { fl_on 0 "$DRIVER" && fl_on 1 "$FL_PEER_DRIVER" && [ -n "$(nic_name 0)" ]; }
# fl_bind I DRV: bind NIC I to DRV (driver_override, unbinding another driver).
fl_bind() {
	_pci=$(nic_pci "$1")
	echo "$2" >"/sys/bus/pci/devices/$_pci/driver_override" || return 1
	_cur=$(nic_driver "$1") && [ "$_cur" != "$2" ] && { echo "$_pci" >"/sys/bus/pci/drivers/$_cur/unbind" || return 1; }
	nic_driver "$1" >/dev/null || echo "$_pci" >/sys/bus/pci/drivers_probe 2>/dev/null
	return 0
}
fl_modules() {
	module_loaded || load_driver || return 1
	lsmod | grep -q "^$(echo "$FL_PEER_DRIVER" | tr - _) " || modprobe "$FL_PEER_DRIVER" || return 1
}
fl_peer_link_up() { in_peer sh -c "[ \"\$(cat /sys/class/net/$1/carrier)\" = 1 ]" 2>/dev/null; }
# fl_topo: (re)build the topology, idempotent; sets A (local) and B (peer ifname).
fl_topo() {
	# A case that failed half-way may have left the cable pulled.
	fl_link_on >/dev/null
	fl_modules || { diag "loading $DRIVER / $FL_PEER_DRIVER failed"; return 1; }
	fl_bind 0 "$DRIVER" && fl_bind 1 "$FL_PEER_DRIVER" || { diag "binding failed"; return 1; }
	wait_for 30 fl_bound || { nic_diag 0; nic_diag 1; diag "NICs not bound"; return 1; }
	[ -e "$PEER_NETNS" ] || ip netns add peer || return 1
	in_peer ip link set lo up || return 1
	_b=$(nic_name 1)
	if [ -n "$_b" ]; then ip link set dev "$_b" netns peer || return 1; fi
	wait_for 10 ns_has_peer_if || return 1
	A=$(nic_name 0) B=$(ns_peer_if)
	ip addr replace "$LOCAL4/24" dev "$A" && ip link set dev "$A" up || return 1
	in_peer ip addr replace "$PEER4/24" dev "$B" && in_peer ip link set dev "$B" up || return 1
	wait_for 30 link_up "$A" || { diag "local $A: no carrier within 30 s"; return 1; }
	wait_for 30 fl_peer_link_up "$B" || { diag "peer $B: no carrier within 30 s"; return 1; }
	wait_for 20 ping -c 1 -W 1 $PEER4 >/dev/null || { diag "no ping answer"; return 1; }
}
fl_link_on() { host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": true}}'; }
fl_ready() {
	A=$(nic_name 0) B=$(ns_peer_if)
	if [ -n "$A" ] && [ -n "$B" ] && fl_bound && link_up "$A" && ping -c 1 -W 2 $PEER4 >/dev/null; then
		return 0
	fi
	diag "topology not ready (local=${A:-none} peer=${B:-none}); rebuilding it"
	fl_topo || fail "could not build the topology"
}

# ---- counters ------------------------------------------------------------------
fl_stat() { cat "/sys/class/net/$A/statistics/$1"; }            # local counter
fl_pstat() { in_peer cat "/sys/class/net/$B/statistics/$1"; }   # peer counter
fl_carrier() { [ "$(cat "/sys/class/net/$A/carrier" 2>/dev/null)" = "$1" ]; }
fl_operstate() { [ "$(cat "/sys/class/net/$A/operstate" 2>/dev/null)" = "$1" ]; }
# fl_poll_cs CS CMD...: poll CMD every 50 ms for up to CS centiseconds;
# FL_TOOK: the centiseconds it took.
fl_poll_cs() {
	_t0=$(now_cs) _lim=$1
	shift
	until "$@"; do
		FL_TOOK=$(( $(now_cs) - _t0 ))
		[ "$FL_TOOK" -lt "$_lim" ] || return 1
		sleep 0.05
	done
	FL_TOOK=$(( $(now_cs) - _t0 ))
}

# ---- traffic -------------------------------------------------------------------
# A stream: paced random data until $STATE/fl.stop exists, a copy of what was
# sent in $STATE/fl.snd.DIR, what arrived in $STATE/fl.rcv.DIR. tx: NIC 0
# sends (to the peer, port 5310); rx: the peer sends (port 5311).
# shellcheck disable=SC2016
FL_GEN='while [ ! -e "$1" ]; do dd if=/dev/urandom bs=16k count=1 2>/dev/null; sleep 0.1; done |
	tee "$2" | nc -w 30 "$3" "$4"'
fl_listening() { # local|peer PORT
	if [ "$1" = peer ]; then in_peer netstat -ltn; else netstat -ltn; fi 2>/dev/null | grep -q ":$2 .*LISTEN"
}
fl_streams_start() {
	rm -f "$STATE/fl.stop" "$STATE"/fl.snd.* "$STATE"/fl.rcv.*
	[ -p "$STATE/fl.hold" ] || mkfifo "$STATE/fl.hold" || fail "mkfifo"
	in_peer_bg -i "$STATE/fl.hold" nc -l -p 5310 >"$STATE/fl.rcv.tx" 2>/dev/null
	FL_RCV_TX=$!
	bg_run -i "$STATE/fl.hold" nc -l -p 5311 >"$STATE/fl.rcv.rx" 2>/dev/null
	FL_RCV_RX=$!
	wait_for 20 fl_listening peer 5310 && wait_for 20 fl_listening local 5311 || fail "nc did not listen"
	bg_run sh -c "$FL_GEN" sh "$STATE/fl.stop" "$STATE/fl.snd.tx" $PEER4 5310
	FL_SND_TX=$!
	in_peer_bg sh -c "$FL_GEN" sh "$STATE/fl.stop" "$STATE/fl.snd.rx" $LOCAL4 5311
	FL_SND_RX=$!
	# iperf3 --bidir as load, as long as the case needs it (killed at the end).
	in_peer_bg iperf3 -s -p 5201 >"$STATE/fl.iperf-srv" 2>&1
	wait_for 20 fl_listening peer 5201 || fail "iperf3 server did not listen"
	bg_run iperf3 -c $PEER4 -p 5201 --bidir -t 3600 -f m >"$STATE/fl.iperf" 2>&1
	FL_IPERF=$!
	_p0=$(fl_stat tx_packets)
	wait_for 20 sh -c "[ \$(cat /sys/class/net/$A/statistics/tx_packets) -ge $(( _p0 + 500 )) ]" ||
		fail "no traffic: $(tr '\n' ' ' <"$STATE/fl.iperf")"
}
# fl_stream_check DIR SECS complete|prefix: wait up to SECS for the stream's
# receiver; complete: it got exactly what was sent; prefix: what it got is a
# prefix of what was sent (a stream cut by a removal).
fl_stream_check() {
	if [ "$1" = tx ]; then _r=$FL_RCV_TX _s=$FL_SND_TX; else _r=$FL_RCV_RX _s=$FL_SND_RX; fi
	bg_wait "$_s" "$2"
	_src=$?
	bg_wait "$_r" "$2"
	_sent=$(wc -c <"$STATE/fl.snd.$1") _got=$(wc -c <"$STATE/fl.rcv.$1")
	_hs=$(head -c "$_got" "$STATE/fl.snd.$1" | sha256sum) _hr=$(sha256sum <"$STATE/fl.rcv.$1")
	diag "stream $1: sent $_sent bytes (nc exit $_src), received $_got"
	[ "${_hs%% *}" = "${_hr%% *}" ] || fail "stream $1: the $_got bytes received differ from the first $_got sent"
	[ "$3" = prefix ] && return 0
	[ "$_src" = 0 ] || fail "stream $1: the sender failed (exit $_src)"
	[ "$_got" = "$_sent" ] || fail "stream $1: received $_got of $_sent bytes"
	[ "$_sent" -gt 0 ] || fail "stream $1: nothing sent"
}
fl_iperf_stop() {
	kill "$FL_IPERF" 2>/dev/null
	bg_wait "$FL_IPERF" 10
	killall iperf3 2>/dev/null
	diag "iperf3 --bidir: $(grep -E 'SUM|sender|receiver' "$STATE/fl.iperf" | tail -n 2 | tr -s ' ' | tr '\n' ' ')"
}

# ---- cases -----------------------------------------------------------------------
t_fl_setup() {
	diag "knobs: FLAPS=$FLAPS FL_HOLD=$FL_HOLD FL_DOWN_CS=$FL_DOWN_CS FL_UP_CS=$FL_UP_CS FL_MEAN_CS=$FL_MEAN_CS" \
		"FL_SLACK=$FL_SLACK FL_GONE_SECS=$FL_GONE_SECS FL_PEER_DRIVER=$FL_PEER_DRIVER; NICs $PCI_ADDRS"
	[ "$HOSTCTL" = 1 ] || fail "no host control channel (guest-run.sh HOST_CONTROL=1)"
	_r=$(host_qmp '{"execute": "query-status"}') || fail "host channel: query-status: $_r"
	diag "host: query-status -> $_r"
	klog_mark "faults setup"
	fl_topo || fail "could not build the topology"
	diag "local $A on $DRIVER <-> peer $B on $FL_PEER_DRIVER"
}

t_fl_link_flap() {
	fl_ready
	trap 'fl_reap; fl_link_on >/dev/null' EXIT
	# The counters before any traffic: read while frames fly, the local and
	# the peer's snapshot would be taken moments apart and disagree by what
	# crossed in between (FLAPS=2 failed that way).
	tx0=$(fl_stat tx_packets) rx0=$(fl_stat rx_packets)
	ptx0=$(fl_pstat tx_packets) prx0=$(fl_pstat rx_packets)
	fl_streams_start
	klog_mark "link flaps"
	lost_tx=0 lost_rx=0 max_down=0 max_up=0 sum_down=0 sum_up=0 _t=$(now_cs)
	i=1
	while [ "$i" -le "$FLAPS" ]; do
		_a=$(fl_stat tx_packets) _pa=$(fl_pstat tx_packets)
		_r=$(host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": false}}') ||
			fail "cycle $i: set_link off: $_r"
		fl_poll_cs "$FL_DOWN_CS" fl_carrier 0 ||
			fail "cycle $i: carrier still on $(fmt_cs "$FL_TOOK") s after set_link off"
		sum_down=$(( sum_down + FL_TOOK ))
		[ "$FL_TOOK" -le "$max_down" ] || max_down=$FL_TOOK
		fl_poll_cs 300 fl_operstate down || fail "cycle $i: operstate $(cat "/sys/class/net/$A/operstate"), not down"
		sleep 0.3
		_b=$(fl_stat tx_packets)
		sleep "$FL_HOLD"
		_c=$(fl_stat tx_packets)
		[ "$_c" = "$_b" ] || fail "cycle $i: NIC 0 transmitted $(( _c - _b )) frames with the carrier off"
		lost_tx=$(( lost_tx + _c - _a ))
		_r=$(host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": true}}') ||
			fail "cycle $i: set_link on: $_r"
		fl_poll_cs "$FL_UP_CS" fl_carrier 1 ||
			fail "cycle $i: no carrier $(fmt_cs "$FL_TOOK") s after set_link on"
		sum_up=$(( sum_up + FL_TOOK ))
		[ "$FL_TOOK" -le "$max_up" ] || max_up=$FL_TOOK
		_pb=$(fl_pstat tx_packets)
		lost_rx=$(( lost_rx + _pb - _pa ))
		wait_for 5 ping -c 1 -W 1 $PEER4 >/dev/null || fail "cycle $i: no ping answer within 5 s of the carrier"
		i=$(( i + 1 ))
	done
	_t=$(( $(now_cs) - _t ))
	diag "$FLAPS cycles in $(fmt_cs "$_t") s; carrier off after set_link off: max $(fmt_cs "$max_down") s," \
		"mean $(fmt_cs $(( sum_down / FLAPS ))) s; on after set_link on: max $(fmt_cs "$max_up") s," \
		"mean $(fmt_cs $(( sum_up / FLAPS ))) s"
	[ $(( sum_down / FLAPS )) -le "$FL_MEAN_CS" ] ||
		fail "the carrier followed the link loss after $(fmt_cs $(( sum_down / FLAPS ))) s on average: polled, not interrupt-driven"
	[ $(( sum_up / FLAPS )) -le $(( 50 + FL_MEAN_CS )) ] ||
		fail "the carrier followed the link after $(fmt_cs $(( sum_up / FLAPS ))) s on average: polled, not interrupt-driven"
	# The streams end (their senders stop), then the load.
	touch "$STATE/fl.stop"
	fl_stream_check tx 180 complete
	fl_stream_check rx 180 complete
	fl_iperf_stop
	link_quiet # the two NICs' counters are read moments apart
	sleep 1
	dtx=$(( $(fl_stat tx_packets) - tx0 )) drx=$(( $(fl_stat rx_packets) - rx0 ))
	dptx=$(( $(fl_pstat tx_packets) - ptx0 )) dprx=$(( $(fl_pstat rx_packets) - prx0 ))
	diag "frames over the cycles: NIC 0 sent $dtx, the peer received $dprx (lost $(( dtx - dprx ))," \
		"at most $lost_tx sent with the cable pulled); the peer sent $dptx, NIC 0 received $drx" \
		"(lost $(( dptx - drx )), at most $lost_rx sent with the cable pulled)"
	[ "$dprx" -le "$dtx" ] || fail "the peer received $dprx frames, NIC 0 sent only $dtx"
	[ "$drx" -le "$dptx" ] || fail "NIC 0 received $drx frames, the peer sent only $dptx"
	[ $(( dtx - dprx )) -le $(( lost_tx + FL_SLACK )) ] ||
		fail "$(( dtx - dprx )) frames of NIC 0 lost, more than the $lost_tx sent with the cable pulled + $FL_SLACK"
	[ $(( dptx - drx )) -le $(( lost_rx + FL_SLACK )) ] ||
		fail "$(( dptx - drx )) frames of the peer lost, more than the $lost_rx sent with the cable pulled + $FL_SLACK"
	# The kernel log: each flap seen, no hang or reset.
	klog_since "link flaps" >"$STATE/fl.klog"
	_dn=$(grep -c "$A: NIC Link is Down" "$STATE/fl.klog") _up=$(grep -c "$A: NIC Link is Up" "$STATE/fl.klog")
	diag "driver: $_dn x NIC Link is Down, $_up x NIC Link is Up"
	# (The stack's "transmit queue N timed out", the driver's "TX queue N timed
	# out"; not the clocksource watchdog's "read timed out" under TCG.)
	if grep -E "Detected Tx Unit Hang|Reset adapter|queue [0-9]+ timed out|reset failed" "$STATE/fl.klog" >"$STATE/fl.bad"; then
		diag_klog <"$STATE/fl.bad"
		fail "a TX hang, timeout or reset was reported during the flaps"
	fi
	[ "$_dn" = "$FLAPS" ] && [ "$_up" = "$FLAPS" ] || fail "expected $FLAPS link-down and link-up messages"
	# Settled: 100 pings each way, the counters exact up to the slack.
	frames_begin "$A" "$B" || fail "counters"
	ping -c 100 -i 0.02 -W 2 -q $PEER4 >"$STATE/fl.ping" 2>&1
	grep -q ' 100 packets received' "$STATE/fl.ping" || fail "pings after the cycles: $(tail -n 2 "$STATE/fl.ping" | tr '\n' ' ')"
	frames_check tx 100 "$FL_SLACK" || fail "after the cycles, NIC 0 -> peer: $FRAMES_ERR"
	frames_check rx 100 "$FL_SLACK" || fail "after the cycles, peer -> NIC 0: $FRAMES_ERR"
}

# fl_slot_of I: the pciehp slot directory of NIC I's port (empty if none).
fl_slot_of() {
	_addr=$(nic_pci "$1")
	for _s in /sys/bus/pci/slots/*; do
		[ "$(cat "$_s/address" 2>/dev/null)" = "${_addr%.*}" ] && { echo "$_s"; return 0; }
	done
	return 1
}
fl_nic0_gone() { [ ! -e "/sys/bus/pci/devices/$(nic_pci 0)" ] && [ -z "$(nic_name 0)" ]; }
fl_iface_gone() { [ ! -e "/sys/class/net/$1" ]; }
# fl_replug: device_add NIC 0 again (QEMU may still be deleting it: retried),
# bind it to $DRIVER and rebuild the topology; 5/5 pings and 2 s of iperf3.
fl_replug() {
	_mac=$(nic_mac 0)
	_add="{\"execute\": \"device_add\", \"arguments\": {\"driver\": \"igb\", \"id\": \"nic0\", \"bus\": \"rp0\", \"netdev\": \"n0\", \"mac\": \"$_mac\"}}"
	wait_for 30 host_qmp "$_add" >"$STATE/fl.add" || fail "device_add: $(cat "$STATE/fl.add")"
	wait_for 30 test -e "/sys/bus/pci/devices/$(nic_pci 0)" || fail "NIC 0 did not come back on the bus"
	load_driver 2>/dev/null || module_loaded || fail "reloading $DRIVER"
	fl_topo || fail "no topology after device_add"
	ping -c 5 -i 0.2 -W 2 $PEER4 >"$STATE/fl.ping" 2>&1 && grep -q ' 5 packets received' "$STATE/fl.ping" ||
		fail "pings after device_add: $(tail -n 2 "$STATE/fl.ping" | tr '\n' ' ')"
	in_peer_bg iperf3 -s -1 -p 5201 >/dev/null 2>&1
	wait_for 20 fl_listening peer 5201 || fail "iperf3 server"
	iperf3 -c $PEER4 -p 5201 -t 2 -f m >"$STATE/fl.iperf2" 2>&1 || fail "iperf3 after device_add: $(tail -n 2 "$STATE/fl.iperf2" | tr '\n' ' ')"
	diag "after device_add: $A on $(nic_driver 0), $(grep receiver "$STATE/fl.iperf2" | tr -s ' ')"
}
# fl_after_removal: the streams were cut: what arrived is a prefix of what
# was sent; the load goes; rmmod is clean.
fl_after_removal() {
	touch "$STATE/fl.stop"
	fl_stream_check tx 2 prefix
	fl_stream_check rx 2 prefix
	fl_iperf_stop
	fl_reap
	unload_driver || fail "rmmod $(module_name) after the removal"
}

# fl_aer DEVICE SEVERITY NAME: inject AER error NAME (QEMU's names carry
# their class: BAD_TLP is correctable, COMP_TIME uncorrectable non-fatal,
# MALF_TLP fatal by the default severity) into QEMU device DEVICE (nic0, rp0),
# with QEMU's HMP pcie_aer_inject_error through QMP human-monitor-command
# (which answers errors as text).
fl_aer() {
	host_qmp "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": \"pcie_aer_inject_error $1 $3\"}}" >"$STATE/fl.aer" &&
		! grep -qi error "$STATE/fl.aer" || fail "injecting $2 $3 into $1: $(cat "$STATE/fl.aer")"
}
fl_klog_has() { klog_since "$1" | grep -qE "$2"; }
fl_cfg_dword() { od -A n -t u4 -j "$2" -N 4 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
# fl_aer_cap DEV: offset of DEV's AER extended capability (decimal).
fl_aer_cap() {
	_o=256
	while [ "$_o" -ge 256 ]; do
		_d=$(fl_cfg_dword "$1" "$_o") || return 1
		[ $(( _d & 0xffff )) = 1 ] && { echo "$_o"; return 0; }
		_o=$(( _d >> 20 ))
	done
	return 1
}
# fl_devctl DEV: the PCIe Device Control register of DEV.
fl_devctl() { echo $(( $(fl_cfg_dword "$1" $(( $(fl_pcie_cap "$1") + 8 ))) & 0xffff )); }
# fl_aer_state: the registers that say where an error message stopped.
fl_aer_state() {
	_n=$(nic_pci 0) _pa=$(fl_aer_cap "$_port") _na=$(fl_aer_cap "$_n")
	printf 'NIC COMMAND %#x DEVCTL %#x UNCOR_STATUS %#x; port COMMAND %#x DEVCTL %#x BRIDGE_CONTROL %#x ROOT_COMMAND %#x ROOT_STATUS %#x' \
		$(( $(fl_cfg_dword "$_n" 4) & 0xffff )) "$(fl_devctl "$_n")" "$(fl_cfg_dword "$_n" $(( _na + 4 )))" \
		$(( $(fl_cfg_dword "$_port" 4) & 0xffff )) "$(fl_devctl "$_port")" $(( $(fl_cfg_dword "$_port" 60) >> 16 )) \
		"$(fl_cfg_dword "$_port" $(( _pa + 44 )))" "$(fl_cfg_dword "$_port" $(( _pa + 48 )))"
}
# fl_serr_on DEV: set SERR# Enable (bit 8 of the Command register) of DEV.
# QEMU forwards an uncorrectable error message only from functions with it
# set (pcie_aer_msg_alldev: the device and its root port), as firmware would
# leave it; Linux does not set it. QEMU forwards no correctable message at
# all (the same test), so a correctable error never reaches the AER core.
fl_serr_on() {
	_c=$(od -A n -t u2 -j 4 -N 2 "/sys/bus/pci/devices/$1/config" | tr -d ' ')
	_c=$(( _c | 0x100 ))
	fl_sltctl "$1" 4 $(( _c & 0xff )) $(( _c >> 8 ))
}
fl_traffic_ok() { link_up "$A" && ping -c 1 -W 1 $PEER4 >/dev/null; }

t_fl_aer() {
	fl_slot_of 0 >/dev/null || skip "NIC 0 is not behind a PCIe root port (TOPOLOGY=pcie)"
	fl_ready
	dmesg | grep -q "AER: enabled with IRQ" || skip "no AER service on the root ports"
	trap fl_reap EXIT
	fl_streams_start
	_port=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$(nic_pci 0)")")")
	# Both enables QEMU checks on the port: SERR# (set here; Linux leaves it
	# off) and the Device Control reporting enables (set by the AER core when
	# it owns AER natively; without them nothing can be signalled).
	[ $(( $(fl_devctl "$_port") & 0x6 )) = 6 ] || skip "the AER core did not enable error reporting on $_port ($(fl_aer_state))"
	fl_serr_on "$_port" || fail "setting SERR# Enable on $_port"
	# Correctable, into the NIC: QEMU records it there and signals nothing
	# (see fl_serr_on); the interface must simply go on.
	klog_mark "aer correctable"
	fl_aer nic0 correctable BAD_TLP
	sleep 1
	fl_traffic_ok || fail "no traffic after a correctable error"
	# Uncorrectable non-fatal (completion timeout, COMP_TIME) reported by the
	# port: the driver says it can recover without a reset
	# (igb_io_error_detected, pci_channel_io_normal).
	klog_mark "aer nonfatal"
	diag "before: $(fl_aer_state)"
	fl_aer rp0 non-fatal COMP_TIME
	wait_for 30 fl_klog_has "aer nonfatal" "AER: device recovery (successful|failed)" ||
		fail "no end of recovery after a non-fatal error ($(fl_aer_state))"
	klog_since "aer nonfatal" | grep -E "AER|$DRIVER|error" | head -20 | diag_klog
	fl_klog_has "aer nonfatal" "Non-correctable non-fatal error reported" || fail "error_detected(normal) was not called"
	fl_klog_has "aer nonfatal" "AER: device recovery successful" || fail "recovery from a non-fatal error failed"
	wait_for 10 fl_traffic_ok || fail "no traffic after a non-fatal error"
	# Fatal (malformed TLP): frozen, the port reset, the driver's slot_reset
	# and resume bring the interface back on new rings.
	klog_mark "aer fatal"
	_t0=$(now_cs)
	fl_aer rp0 fatal MALF_TLP
	wait_for 60 fl_klog_has "aer fatal" "AER: device recovery (successful|failed)" ||
		fail "no end of recovery after a fatal error"
	klog_since "aer fatal" | grep -E "AER|$DRIVER|error|Link" | head -30 | diag_klog
	# The driver's own account (rust_igb's messages; the C igb logs none
	# here): the outcome below is judged the same for both.
	if [ "$DRIVER" = rust_igb ]; then
		fl_klog_has "aer fatal" "requesting a slot reset" || fail "error_detected(frozen) did not ask for a reset"
		fl_klog_has "aer fatal" "recovered from a PCIe error" || fail "the driver's resume did not bring the interface back"
	fi
	fl_klog_has "aer fatal" "AER: device recovery successful" || fail "recovery from a fatal error failed"
	wait_for 30 fl_traffic_ok || fail "no traffic after the fatal error's recovery"
	diag "fatal error: traffic again $(fmt_cs $(( $(now_cs) - _t0 ))) s after the injection"
	# The streams cross all three: TCP carries them over the outage.
	touch "$STATE/fl.stop"
	fl_stream_check tx 60 complete
	fl_stream_check rx 60 complete
	fl_iperf_stop
	fl_reap
	rx_queue_check "$A" 0 $LOCAL4 $PEER4 45000 || fail "RX queue 0 after the recovery"
}

t_fl_unplug() {
	fl_slot_of 0 >/dev/null || skip "NIC 0 is not in a hot-plug slot (TOPOLOGY=pcie)"
	fl_ready
	trap fl_reap EXIT
	fl_streams_start
	klog_mark "unplug"
	_t0=$(now_cs) _if=$A
	_r=$(host_qmp '{"execute": "device_del", "arguments": {"id": "nic0"}}') || fail "device_del: $_r"
	wait_for 30 fl_iface_gone "$_if" || fail "$_if still there 30 s after device_del"
	diag "$_if gone $(fmt_cs $(( $(now_cs) - _t0 ))) s after device_del"
	wait_for 30 fl_nic0_gone || fail "NIC 0 still on the bus 30 s after device_del"
	klog_since "unplug" | grep -E "pciehp: |$DRIVER |PCIe link lost" | diag_klog
	fl_after_removal
	fl_replug
}

# fl_pcie_cap DEV: offset of DEV's PCI Express capability (decimal).
fl_cfg_byte() { od -A n -t u1 -j "$2" -N 1 "/sys/bus/pci/devices/$1/config" | tr -d ' '; }
fl_pcie_cap() {
	_o=$(fl_cfg_byte "$1" 52)
	while [ -n "$_o" ] && [ "$_o" != 0 ]; do
		[ "$(fl_cfg_byte "$1" "$_o")" = 16 ] && { echo "$_o"; return 0; }
		_o=$(fl_cfg_byte "$1" $(( _o + 1 )))
	done
	return 1
}

# fl_sltctl PORT OFFSET LOW HIGH: one 2-byte config write (QEMU acts on the
# write that turns the power off, as a whole).
fl_sltctl() {
	# shellcheck disable=SC2059
	printf "\\$(printf %03o "$3")\\$(printf %03o "$4")" |
		dd of="/sys/bus/pci/devices/$1/config" bs=2 seek=$(( $2 / 2 )) count=1 conv=notrunc 2>/dev/null
}

t_fl_surprise() {
	fl_slot_of 0 >/dev/null || skip "NIC 0 is not in a hot-plug slot (TOPOLOGY=pcie)"
	fl_ready
	trap fl_reap EXIT
	_port=$(basename "$(dirname "$(readlink -f "/sys/bus/pci/devices/$(nic_pci 0)")")")
	_cap=$(fl_pcie_cap "$_port") || fail "no PCIe capability on $_port"
	_off=$(( _cap + 24 )) # Slot Control
	_lo=$(fl_cfg_byte "$_port" "$_off") _hi=$(fl_cfg_byte "$_port" $(( _off + 1 )))
	# Power Indicator off (bits 9:8 = 11), Power Controller off (bit 10), and
	# the hot-plug interrupt (bit 5) off so that pciehp does not see the slot
	# "already disabled" (it would leave the device in place); then Slot
	# Control as it was: power on, and the interrupt reports the card gone.
	_nhi=$(( (_hi & 0xf8) | 0x07 )) _nlo=$(( _lo & 0xdf ))
	diag "root port $_port: Slot Control at $_off = $(printf '%02x%02x' "$_hi" "$_lo"), writing" \
		"$(printf '%02x%02x' "$_nhi" "$_nlo") then $(printf '%02x%02x' "$_hi" "$_lo")"
	fl_streams_start
	klog_mark "surprise removal"
	_t0=$(now_cs) _if=$A
	fl_sltctl "$_port" "$_off" "$_nlo" "$_nhi" && fl_sltctl "$_port" "$_off" "$_lo" "$_hi" ||
		fail "writing $_port's Slot Control"
	wait_for "$FL_GONE_SECS" fl_iface_gone "$_if" || fail "$_if still there $FL_GONE_SECS s after the removal"
	diag "$_if gone $(fmt_cs $(( $(now_cs) - _t0 ))) s after the slot lost power"
	wait_for 30 fl_nic0_gone || fail "NIC 0 still on the bus 30 s after the removal"
	klog_since "surprise removal" >"$STATE/fl.klog"
	grep -E "pciehp: |$DRIVER |PCIe link lost" "$STATE/fl.klog" | diag_klog
	grep -q "PCIe link lost" "$STATE/fl.klog" || fail "the driver did not recognise the removal (no \"PCIe link lost\")"
	! grep -qE "reset failed|queues did not stop|Hardware Error" "$STATE/fl.klog" ||
		fail "the driver waited on (or tried to reset) the dead device"
	fl_after_removal
	fl_replug
}

t_fl_log() {
	klog_since "faults setup" | awk -f "$TESTDIR/kernel-log-known.awk" | klog_bad >"$STATE/fl.bad"
	[ -s "$STATE/fl.bad" ] || return 0
	diag_klog <"$STATE/fl.bad"
	fail "$(wc -l <"$STATE/fl.bad") bad kernel-log lines"
}

t_fl_down() {
	ip netns del peer 2>/dev/null
	fl_reap
	module_loaded && { unload_driver || fail "rmmod"; }
	return 0
}

run_case setup t_fl_setup
run_case link_flap t_fl_link_flap
run_case aer t_fl_aer
run_case unplug t_fl_unplug
run_case surprise t_fl_surprise
run_case unload t_fl_down
run_case kernel_log_clean t_fl_log
