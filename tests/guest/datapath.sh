# shellcheck shell=sh
# Datapath suite: traffic between the two NICs, cabled back to back through
# QEMU's hub. Sourced by /init (after lib.sh). All traffic stays in the guest:
#
#   NIC 0 (00:03.0, "local")  this namespace        10.0.0.1/24  fd00::1/64
#   NIC 1 (00:05.0, "peer")   network namespace peer 10.0.0.2/24  fd00::2/64
#
# "tx" cases: the local NIC transmits (peer receives); "rx" cases: the reverse.
#   topology           drivers bound, NIC 1 moved to netns peer, addresses, carrier both ends
#   ping4, ping6       5 pings each way, all answered (IPv6: nodad addresses, and
#                      no tentative link-local left before pinging)
#   tcp_bulk_tx/_rx    iperf3 TCP for DP_TCP_SECS; nonzero throughput (printed, Mbit/s)
#   tcp_integrity_tx/_rx  DP_FILE_MIB MiB from /dev/urandom over busybox nc: bytes
#                      received == bytes sent and same sha256
#   udp_min_tx/_rx     iperf3 UDP, 18-byte payloads (60-byte frames) at DP_UDP_RATE_MIN
#   udp_mtu_tx/_rx     iperf3 UDP, 1472-byte payloads (1514-byte frames) at DP_UDP_RATE_MTU
#                      UDP: iperf3 ends in time; the sending NIC's tx_packets grew by at
#                      least the datagrams sent, the receiving NIC's rx_packets by as many
#                      as the sender's tx_packets (up to DP_SLACK fewer: background frames
#                      its filters drop), no rx_missed_errors / rx_queue_N_drops; iperf3's
#                      loss (the receiving socket's, host-speed dependent) is only printed;
#                      then 3/3 pings
#   netconsole         netconsole (netpoll: the stack calls ndo_start_xmit with interrupts
#                      off, and polls NAPI itself if the queue is stopped) on the local NIC,
#                      target the peer's address and MAC; once netconsole's start-up
#                      lines are through, DP_NETCONSOLE_MSGS kernel-log lines -> as many
#                      UDP datagrams (up to DP_SLACK more) counted by the peer (Udp
#                      NoPorts: no socket listens; busybox nc has no UDP), then 3/3 pings
#   netconsole_under_load  the same while iperf3 --bidir runs on the NIC: at least 90 %
#                      of the datagrams arrive, iperf3 keeps moving data, then 3/3 pings
#   ifdown_under_load  ip link set down/up of the local NIC during bidirectional iperf3;
#                      carrier and 1/1 ping within 30 s, then (the load over) 5/5 (iperf3's
#                      fate is a diagnostic)
#   rmmod_under_load   rmmod $DRIVER's module during bidirectional iperf3: it unloads, its
#                      netdevs and PCI driver go; reload, rebuild the topology, 5/5 pings
#                      (skipped if $DRIVER is not a loaded module)
#   open_stop_cycles   1 + CYCLES_OPENSTOP x (ip link set down; up) of the local NIC (the
#                      first timed alone, the rest one ip -batch); statistics do not go
#                      backwards; 5/5 IPv4 pings and an IPv6 ping after
#   counters           from a quiet link (no program or TCP connection left by earlier
#                      cases, counters still: dp_quiet), 100 pings of 1000 bytes
#                      (1042-byte frames): the rx/tx packet and byte deltas on both NICs
#                      are 100 frames of 1042 bytes plus at most DP_SLACK small (<= 256
#                      bytes) background frames (ARP, ND, MLD), and one side's tx agrees
#                      with the other's rx
#   tx_frags           1000 pktgen skbs with net.core.max_skb_frags (MAX_SKB_FRAGS) page
#                      fragments each: pktgen counts no error, no local tx_dropped, the
#                      peer's UDP layer receives all (NoPorts)
#   unload_clean       unload the driver(s) (the DMA-API debug code checks for leaked
#                      mappings at unbind): netdevs gone, dma-debug error_count unchanged
#                      since topology, no mapping left for either NIC in dma-debug's dump
#   kernel_log_clean   no kernel-log line matching kernel-log-bad.txt since the suite began
# The harness's final kmemleak scan runs after this suite, with the driver unloaded.
#
# Knobs: environment variable, else kernel parameter (KERNEL_ARGS="rigb.x=..." on the
# host), else default.
#   PEER_DRIVER      rigb.peer_driver      driver of NIC 1 (default: $DRIVER). Setting it
#                    (even to $DRIVER) selects the control variant: each NIC is pinned
#                    to its driver with driver_override, e.g. the local NIC on rust_igb
#                    and the peer on the C igb:
#                      MODULE=rust-igb.ko TESTS=datapath KERNEL_ARGS=rigb.peer_driver=igb \
#                          scripts/guest-run.sh
#                    A PEER_DRIVER other than $DRIVER is loaded with modprobe (or insmod
#                    /lib/modules/$PEER_DRIVER.ko if that exists) and unloaded at the end.
#   CYCLES_OPENSTOP  rigb.cycles_openstop  open/stop cycles (default 100: under TCG one
#                                          cycle of the C igb takes ~1 s, 1000 took 988 s;
#                                          100 keep the suite at ~4 minutes)
#   DP_TCP_SECS      rigb.dp_tcp_secs      iperf3 TCP seconds per direction (default 5)
#   DP_FILE_MIB      rigb.dp_file_mib      integrity payload in MiB (default 8)
#   DP_UDP_SECS      rigb.dp_udp_secs      seconds per UDP flood (default 3)
#   DP_UDP_RATE_MIN  rigb.dp_udp_rate_min  iperf3 -b for 60-byte frames (default 300K:
#                                          ~2100 frames/s of 18-byte payload)
#   DP_UDP_RATE_MTU  rigb.dp_udp_rate_mtu  iperf3 -b for 1514-byte frames (default 15M:
#                                          ~1270 frames/s)
#                    (iperf3 -b counts UDP payload bits. Under TCG the C igb guest sent
#                    at most ~2700 small / ~2100 large frames/s: the defaults stay below.)
#   DP_NETCONSOLE_MSGS rigb.dp_netconsole_msgs  kernel-log lines sent through netconsole
#                    (default 100)
#   DP_SLACK         rigb.dp_slack         background frames allowed per counter (default 10)
#
# Tool notes: busybox nc has no -q/-N; on stdin EOF it half-closes (shutdown SHUT_WR)
# and exits when the socket reads EOF. The receiving nc therefore reads its stdin from
# a FIFO opened read-write (never EOF, never data), or it would half-close at once and
# make the sender quit early. Background commands in the peer run through busybox
# `nsenter -F --net=/run/netns/peer` (not `ip netns exec`, a shell function here) so
# that $! is the command itself and can be killed.

# ---- knobs -----------------------------------------------------------------
: "${PEER_DRIVER:=$(karg rigb.peer_driver)}"
DP_PINNED=0
[ -z "$PEER_DRIVER" ] || DP_PINNED=1
: "${PEER_DRIVER:=$DRIVER}"
: "${CYCLES_OPENSTOP:=$(karg rigb.cycles_openstop)}" "${CYCLES_OPENSTOP:=100}"
: "${DP_TCP_SECS:=$(karg rigb.dp_tcp_secs)}" "${DP_TCP_SECS:=5}"
: "${DP_FILE_MIB:=$(karg rigb.dp_file_mib)}" "${DP_FILE_MIB:=8}"
: "${DP_UDP_SECS:=$(karg rigb.dp_udp_secs)}" "${DP_UDP_SECS:=3}"
: "${DP_UDP_RATE_MIN:=$(karg rigb.dp_udp_rate_min)}" "${DP_UDP_RATE_MIN:=300K}"
: "${DP_UDP_RATE_MTU:=$(karg rigb.dp_udp_rate_mtu)}" "${DP_UDP_RATE_MTU:=15M}"
: "${DP_SLACK:=$(karg rigb.dp_slack)}" "${DP_SLACK:=10}"
: "${DP_NETCONSOLE_MSGS:=$(karg rigb.dp_netconsole_msgs)}" "${DP_NETCONSOLE_MSGS:=100}"

LOCAL4=10.0.0.1 PEER4=10.0.0.2 LOCAL6=fd00::1 PEER6=fd00::2
IPERF_PORT=5201
DP_BGMAX=256 # largest background frame (ARP, ND, MLD) counted in the counters case
DMA_DBG=/sys/kernel/debug/dma-api

# ---- background processes: bg_run, bg_reap, bg_wait, in_peer_bg (lib.sh) ---------

# ---- NICs, drivers, topology -------------------------------------------------
dp_nic_on() { [ "$(nic_driver "$1" 2>/dev/null)" = "$2" ]; } # NIC I bound to DRIVER
dp_bound() { dp_nic_on 0 "$DRIVER" && dp_nic_on 1 "$PEER_DRIVER" && [ -n "$(nic_name 0)" ]; }
dp_peer_module_loaded() { lsmod | grep -q "^$(echo "$PEER_DRIVER" | tr - _) "; }
dp_load_peer() {
	[ "$PEER_DRIVER" != "$DRIVER" ] || return 0
	dp_peer_module_loaded && return 0
	if [ -f "/lib/modules/$PEER_DRIVER.ko" ]; then
		_deps=$(modinfo -F depends "/lib/modules/$PEER_DRIVER.ko" | tr , ' ')
		# shellcheck disable=SC2086
		[ -z "$_deps" ] || modprobe -a $_deps || return 1
		insmod "/lib/modules/$PEER_DRIVER.ko"
	else
		modprobe "$PEER_DRIVER"
	fi
}
# dp_load: load the driver(s) and bind NIC 0 to $DRIVER, NIC 1 to $PEER_DRIVER.
dp_load() {
	if [ "$DP_PINNED" = 1 ]; then
		echo "$DRIVER" >"/sys/bus/pci/devices/$(nic_pci 0)/driver_override" || return 1
		echo "$PEER_DRIVER" >"/sys/bus/pci/devices/$(nic_pci 1)/driver_override" || return 1
		for _i in 0 1; do
			_want=$DRIVER
			[ "$_i" = 0 ] || _want=$PEER_DRIVER
			_cur=$(nic_driver "$_i") || continue
			[ "$_cur" = "$_want" ] || nic_pci "$_i" >"/sys/bus/pci/drivers/$_cur/unbind" || return 1
		done
	fi
	module_loaded || load_driver || return 1
	dp_load_peer || return 1
	for _i in 0 1; do
		nic_driver "$_i" >/dev/null || nic_pci "$_i" >/sys/bus/pci/drivers_probe 2>/dev/null
	done
	wait_for 30 dp_bound
}
dp_peer_link_up() {
	# shellcheck disable=SC2016
	in_peer sh -c '[ "$(cat /sys/class/net/$1/carrier)" = 1 ] &&
		[ "$(cat /sys/class/net/$1/operstate)" = up ]' sh "$1" 2>/dev/null
}
# dp_topo: (re)build the topology; idempotent. Global IPv6 addresses are kept
# across down/up (keep_addr_on_down) and need no DAD (nodad).
dp_topo() {
	[ -e "$PEER_NETNS" ] || ip netns add peer || return 1
	in_peer ip link set lo up || return 1
	_b=$(nic_name 1)
	if [ -n "$_b" ]; then ip link set dev "$_b" netns peer || return 1; fi
	wait_for 10 ns_has_peer_if || return 1
	A=$(nic_name 0) B=$(ns_peer_if)
	[ -n "$A" ] && [ -n "$B" ] || return 1
	echo 1 >"/proc/sys/net/ipv6/conf/$A/keep_addr_on_down" || return 1
	# shellcheck disable=SC2016
	in_peer sh -c 'echo 1 >/proc/sys/net/ipv6/conf/$1/keep_addr_on_down' sh "$B" || return 1
	ip addr replace "$LOCAL4/24" dev "$A" && ip -6 addr replace "$LOCAL6/64" dev "$A" nodad &&
		ip link set dev "$A" up || return 1
	in_peer ip addr replace "$PEER4/24" dev "$B" && in_peer ip -6 addr replace "$PEER6/64" dev "$B" nodad &&
		in_peer ip link set dev "$B" up || return 1
	wait_for 30 link_up "$A" || { diag "local $A: no carrier within 30 s"; return 1; }
	wait_for 30 dp_peer_link_up "$B" || { diag "peer $B: no carrier within 30 s"; return 1; }
}
# dp_ready: set A (local ifname) and B (peer ifname); rebuild what an earlier
# failed case may have broken.
dp_ready() {
	A=$(nic_name 0) B=$(ns_peer_if)
	if [ -n "$A" ] && [ -n "$B" ] && dp_bound && link_up "$A" && dp_peer_link_up "$B" &&
		ip -4 addr show dev "$A" | grep -q "inet $LOCAL4/"; then
		return 0
	fi
	diag "topology not ready (local=${A:-none} peer=${B:-none}); rebuilding it"
	dp_bound || dp_load || nics_diag_fail "NIC 0 on $DRIVER and NIC 1 on $PEER_DRIVER: not bound"
	dp_topo || fail "could not build the topology"
}

# ---- traffic helpers ---------------------------------------------------------
# dp_ping local|peer COUNT ADDR [PING-ARGS...]: all COUNT answered ($STATE/dp.ping).
dp_ping() {
	_w=$1 _c=$2 _d=$3
	shift 3
	if [ "$_w" = peer ]; then in_peer ping -c "$_c" "$@" "$_d"; else ping -c "$_c" "$@" "$_d"; fi >"$STATE/dp.ping" 2>&1
	[ "$(sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p' "$STATE/dp.ping")" = "$_c" ]
}
ping_summary() { grep -E 'packets transmitted|round-trip' "$STATE/dp.ping" | tr '\n' ' '; }
# dp_reach local|peer ADDR [SECS]: one ping answered within SECS (default 30).
dp_reach() { wait_for "${3:-30}" dp_ping "$1" 1 "$2" -W 1; }
# dp_ping_ok local|peer COUNT ADDR: fail the case unless ADDR answers COUNT pings.
dp_ping_ok() {
	dp_reach "$1" "$3" || fail "$1: $3 did not answer a ping within 30 s: $(ping_summary)"
	dp_ping "$1" "$2" "$3" -i 0.2 -W 5 || fail "$1: ping $3: $(ping_summary)"
}
dp_listening() { # local|peer PORT
	if [ "$1" = peer ]; then in_peer netstat -ltn; else netstat -ltn; fi 2>/dev/null | grep -q ":$2 .*LISTEN"
}
# dp_iperf_server SECS: one-off iperf3 server in peer, killed after SECS; sets SRV.
dp_iperf_server() {
	in_peer_bg timeout "$1" iperf3 -s -1 -p $IPERF_PORT >"$STATE/dp.iperf-srv" 2>&1
	SRV=$!
	wait_for 20 dp_listening peer $IPERF_PORT ||
		fail "iperf3 server did not listen: $(tr '\n' ' ' <"$STATE/dp.iperf-srv")"
}
# dp_iperf OUT SECS ARGS...: iperf3 client here against a one-off server in the
# peer (-R: the peer sends), killed after SECS.
dp_iperf() {
	_out=$1 _secs=$2
	shift 2
	dp_iperf_server $(( _secs + 30 ))
	timeout "$_secs" iperf3 -c $PEER4 -p $IPERF_PORT --connect-timeout 10000 "$@" >"$_out" 2>&1
	_rc=$?
	bg_wait "$SRV" 15 >/dev/null 2>&1
	[ "$_rc" = 0 ] || diag "iperf3 exit $_rc: $(tail -n 3 "$_out" | tr '\n' ' ')"
	return $_rc
}
# Field before UNIT on the last line ending in "receiver".
iperf_rate() { awk -v u="$2" '/receiver *$/ { for (i = 1; i < NF; i++) if ($(i + 1) == u) r = $i } END { print r }' "$1"; }
# local_stats IF / peer_stats IF: "rx_packets rx_bytes tx_packets tx_bytes" of
# IF from one read of /proc/net/dev, i.e. one stats snapshot: four sysfs reads
# are four snapshots, and a background frame (MLD, ND) sent between the
# tx_packets and the tx_bytes read counted in one and not the other (CI
# failure: "local tx: 104380 bytes" with 100 packets).
dp_netdev_stats() { awk -v d="$1:" '$1 == d { print $3, $2, $11, $10 }'; }
local_stats() { dp_netdev_stats "$1" </proc/net/dev; }
peer_stats() { in_peer cat /proc/net/dev | dp_netdev_stats "$1"; }
# shellcheck disable=SC2046 # split into the four counters
local_pkts() { set -- $(local_stats "$A"); echo $(( $1 + $3 )); }
# dp_flowing P0 N: the local NIC's rx+tx packets grew by N since P0.
dp_flowing() { [ "$(local_pkts)" -ge $(( $1 + $2 )) ]; }
# dp_bidir_load SECS: bidirectional iperf3 (server in peer) in the background; sets CLI.
dp_bidir_load() {
	dp_iperf_server $(( $1 + 90 ))
	_p0=$(local_pkts)
	bg_run timeout $(( $1 + 60 )) iperf3 -c $PEER4 -p $IPERF_PORT --connect-timeout 10000 \
		--bidir -t "$1" -f m >"$STATE/dp.iperf-load" 2>&1
	CLI=$!
	wait_for 30 dp_flowing "$_p0" 500 ||
		fail "no traffic from iperf3 --bidir: $(tr '\n' ' ' <"$STATE/dp.iperf-load")"
}

# ---- cases -------------------------------------------------------------------
t_topology() {
	diag "local NIC $(nic_pci 0) on $DRIVER, peer NIC $(nic_pci 1) on $PEER_DRIVER$([ "$DP_PINNED" = 1 ] && echo ' (pinned: control variant)')"
	diag "knobs: CYCLES_OPENSTOP=$CYCLES_OPENSTOP DP_TCP_SECS=$DP_TCP_SECS DP_FILE_MIB=$DP_FILE_MIB" \
		"DP_UDP_SECS=$DP_UDP_SECS DP_UDP_RATE_MIN=$DP_UDP_RATE_MIN DP_UDP_RATE_MTU=$DP_UDP_RATE_MTU" \
		"DP_SLACK=$DP_SLACK DP_NETCONSOLE_MSGS=$DP_NETCONSOLE_MSGS"
	cat "$DMA_DBG/error_count" >"$STATE/dp.dma-errors0" 2>/dev/null || echo 0 >"$STATE/dp.dma-errors0"
	klog_mark "load $DRIVER (datapath)"
	dp_bound || dp_load || nics_diag_fail "NIC 0 on $DRIVER and NIC 1 on $PEER_DRIVER: not bound"
	# Leftovers of earlier suites on the local NIC.
	_a=$(nic_name 0)
	ip addr flush dev "$_a" scope global || fail "ip addr flush dev $_a failed"
	dp_topo || fail "could not build the topology"
	diag "local $A $(cat "/sys/class/net/$A/address") <-> peer $B $(in_peer cat "/sys/class/net/$B/address")"
}

no_tentative() {
	[ -z "$(ip -6 addr show dev "$A" tentative)" ] && [ -z "$(in_peer ip -6 addr show dev "$B" tentative)" ]
}
t_ping() { # 4|6
	dp_ready
	if [ "$1" = 6 ]; then
		_l=$LOCAL6 _p=$PEER6
		wait_for 30 no_tentative || fail "IPv6 addresses still tentative after 30 s"
	else
		_l=$LOCAL4 _p=$PEER4
	fi
	dp_ping_ok local 5 "$_p"
	diag "local -> $_p: $(ping_summary)"
	dp_ping_ok peer 5 "$_l"
	diag "peer -> $_l: $(ping_summary)"
}

t_tcp_bulk() { # tx|rx
	dp_ready
	trap bg_reap EXIT
	_r=
	[ "$1" = rx ] && _r=-R
	# shellcheck disable=SC2086
	dp_iperf "$STATE/dp.tcp" $(( DP_TCP_SECS + 60 )) -t "$DP_TCP_SECS" -f m $_r || fail "iperf3 TCP $1 failed"
	_mb=$(iperf_rate "$STATE/dp.tcp" Mbits/sec)
	[ -n "$_mb" ] || fail "no receiver summary from iperf3: $(tail -n 5 "$STATE/dp.tcp" | tr '\n' ' ')"
	diag "TCP $1 ($([ "$1" = tx ] && echo local to peer || echo peer to local)): $_mb Mbit/s"
	awk -v m="$_mb" 'BEGIN { exit !(m > 0) }' || fail "TCP $1: zero throughput"
}

t_tcp_integrity() { # tx|rx
	dp_ready
	trap bg_reap EXIT
	_tx=$STATE/dp.payload _rx=$STATE/dp.received _hold=$STATE/dp.hold
	if [ ! -s "$_tx" ]; then
		dd if=/dev/urandom of="$_tx" bs=1M count="$DP_FILE_MIB" 2>/dev/null || fail "cannot create $_tx"
	fi
	[ -p "$_hold" ] || mkfifo "$_hold" || fail "mkfifo $_hold failed"
	rm -f "$_rx"
	if [ "$1" = tx ]; then
		_port=5300
		in_peer_bg -i "$_hold" timeout 180 nc -l -p $_port >"$_rx" 2>"$STATE/dp.nc-rx"
		_rpid=$!
		wait_for 20 dp_listening peer $_port || fail "nc did not listen in peer"
		timeout 180 nc -w 10 $PEER4 $_port <"$_tx" >/dev/null 2>"$STATE/dp.nc-tx"
		_src=$?
	else
		_port=5301
		bg_run -i "$_hold" timeout 180 nc -l -p $_port >"$_rx" 2>"$STATE/dp.nc-rx"
		_rpid=$!
		wait_for 20 dp_listening local $_port || fail "nc did not listen here"
		in_peer timeout 180 nc -w 10 $LOCAL4 $_port <"$_tx" >/dev/null 2>"$STATE/dp.nc-tx"
		_src=$?
	fi
	bg_wait "$_rpid" 30
	_rrc=$?
	[ "$_src" = 0 ] || fail "sending nc: exit $_src $(cat "$STATE/dp.nc-tx")"
	[ "$_rrc" = 0 ] || fail "receiving nc: exit $_rrc $(cat "$STATE/dp.nc-rx")"
	_sent=$(wc -c <"$_tx") _got=$(wc -c <"$_rx")
	# /tmp and /run are shared by the namespaces; hash each file where it was handled.
	if [ "$1" = tx ]; then
		_h0=$(sha256sum <"$_tx") _h1=$(in_peer sha256sum <"$_rx")
	else
		_h0=$(in_peer sha256sum <"$_tx") _h1=$(sha256sum <"$_rx")
	fi
	diag "$1: sent $_sent bytes, received $_got; sha256 ${_h0%% *} / ${_h1%% *}"
	[ "$_got" = "$_sent" ] || fail "received $_got bytes, sent $_sent"
	[ "${_h0%% *}" = "${_h1%% *}" ] || fail "payload corrupted: sha256 differs"
}

t_udp() { # tx|rx PAYLOAD RATE
	dp_ready
	trap bg_reap EXIT
	_r=
	[ "$1" = rx ] && _r=-R
	_frame=$(( $2 + 8 + 20 + 14 ))
	frames_begin "$A" "$B" || fail "NIC counters"
	# shellcheck disable=SC2086
	dp_iperf "$STATE/dp.udp" $(( DP_UDP_SECS + 60 )) -u -l "$2" -b "$3" -t "$DP_UDP_SECS" -f k $_r ||
		fail "iperf3 UDP $1 failed or did not end in time"
	_sent=$(iperf_udp_total "$STATE/dp.udp" sender)
	[ -n "$_sent" ] && [ "$_sent" -gt 0 ] ||
		fail "no sender summary from iperf3: $(tail -n 5 "$STATE/dp.udp" | tr '\n' ' ')"
	diag "UDP $1 $_frame-byte frames at $3 for ${DP_UDP_SECS}s: $_sent sent," \
		"$(( _sent / DP_UDP_SECS )) frames/s offered; iperf3 lost $(iperf_udp_loss "$STATE/dp.udp")," \
		"$(iperf_rate "$STATE/dp.udp" Kbits/sec) Kbit/s received (the socket's loss: not judged)"
	frames_check "$1" "$_sent" "$DP_SLACK" || fail "UDP $1: $FRAMES_ERR"
	dp_ping_ok local 3 $PEER4
}

# Udp NoPorts in the peer's namespace: datagrams its UDP layer got for no socket.
dp_udp_noports() { peer_snmp Udp NoPorts; }
dp_noports_reached() { [ "$(dp_udp_noports)" -ge "$1" ]; }
# The count stays put for 2 s (sampled every 0.5 s): netconsole's start-up lines are
# through (a printer starved by a busy host can pause for well over half a second).
dp_noports_settled() {
	_u=$(dp_udp_noports)
	for _k in 1 2 3 4; do
		sleep 0.5
		[ "$(dp_udp_noports)" = "$_u" ] || return 1
	done
}
dp_netconsole_off() { bg_reap; rmmod netconsole 2>/dev/null; }
t_netconsole() { # quiet|load
	dp_ready
	[ -n "$(modinfo -n netconsole 2>/dev/null)" ] || skip "no netconsole module in this kernel"
	trap dp_netconsole_off EXIT
	_pmac=$(in_peer cat "/sys/class/net/$B/address")
	_cm=$(dp_udp_noports)
	modprobe netconsole "netconsole=6665@$LOCAL4/$A,6666@$PEER4/$_pmac" ||
		fail "modprobe netconsole (target $PEER4 $_pmac via $A) failed"
	_n=$DP_NETCONSOLE_MSGS _need=$DP_NETCONSOLE_MSGS
	# netconsole's own start-up lines are still going out (56 extra datagrams in a run
	# that counted at once): count only once the first of them arrived and the peer's
	# counter has then stopped moving.
	wait_for 20 dp_noports_reached $(( _cm + 1 )) || fail "no netconsole datagram reached the peer"
	wait_for 60 dp_noports_settled || fail "netconsole's datagrams never stopped: $(dp_udp_noports) so far"
	# The load starts once they are (its 15 s are for the lines below).
	if [ "$1" = load ]; then
		dp_bidir_load 15
		_need=$(( _n * 9 / 10 ))
	fi
	# Lines at KERN_WARNING reach every console (console_loglevel 7), netconsole included.
	_c0=$(dp_udp_noports) _s0=$(local_pkts)
	_i=0
	while [ $_i -lt "$_n" ]; do
		echo "<4>rigb: netconsole $1 line $_i of $_n" >/dev/kmsg
		_i=$(( _i + 1 ))
	done
	wait_for 20 dp_noports_reached $(( _c0 + _n ))
	_got=$(( $(dp_udp_noports) - _c0 ))
	diag "netconsole ($1): $_n kernel-log lines, $_got UDP datagrams counted by the peer"
	[ "$_got" -ge "$_need" ] || fail "only $_got of $_n netconsole datagrams reached the peer (need $_need)"
	[ "$_got" -le $(( _n + DP_SLACK )) ] || fail "$_got datagrams for $_n lines: more than $DP_SLACK unexplained"
	if [ "$1" = load ]; then
		dp_flowing "$_s0" 500 || fail "iperf3 --bidir moved fewer than 500 frames while netconsole sent"
		bg_wait "$CLI" 90 || fail "iperf3 --bidir failed: $(tail -n 3 "$STATE/dp.iperf-load" | tr '\n' ' ')"
	fi
	rmmod netconsole || fail "rmmod netconsole failed"
	dp_ping_ok local 3 $PEER4
}

t_ifdown_under_load() {
	dp_ready
	trap bg_reap EXIT
	dp_bidir_load 15
	ip link set dev "$A" down || fail "ip link set $A down failed"
	wait_for 10 sh -c "[ \"\$(cat /sys/class/net/$A/operstate)\" = down ]" ||
		fail "$A: operstate $(cat "/sys/class/net/$A/operstate") after down"
	sleep 1
	ip link set dev "$A" up || fail "ip link set $A up failed"
	_t0=$(now_cs)
	wait_for 30 link_up "$A" || fail "$A: no carrier within 30 s of ip link set up"
	dp_reach local $PEER4 30 || fail "no ping answer within 30 s of carrier: $(ping_summary)"
	diag "ping answered $(fmt_cs $(( $(now_cs) - _t0 ))) s after ip link set up"
	bg_wait "$CLI" 90
	_rc=$?
	# 5/5 once the load is over: while it runs, a ping may wait behind a full queue.
	dp_ping_ok local 5 $PEER4
	diag "iperf3 --bidir across the down/up: exit $_rc;" \
		"$(awk '/(sender|receiver) *$/ { for (i = 1; i < NF; i++) if ($(i + 1) == "Mbits/sec") r = $i
			printf "%s %s %s Mbit/s; ", /TX-C/ ? "local->peer" : "peer->local", $NF, r }' "$STATE/dp.iperf-load")"
}

t_rmmod_under_load() {
	dp_ready
	module_loaded || skip "$DRIVER is not a loaded module"
	trap bg_reap EXIT
	_mod=$(module_name)
	dp_bidir_load 60
	klog_mark "rmmod $_mod under load"
	timeout 120 /sbin/rmmod "$_mod" || fail "rmmod $_mod failed (exit $?)"
	! module_loaded || fail "module $_mod still listed after rmmod"
	[ ! -d "/sys/bus/pci/drivers/$DRIVER" ] || fail "PCI driver $DRIVER still registered after rmmod"
	[ -z "$(nic_name 0)" ] || fail "netdev $(nic_name 0) still present after rmmod"
	! nic_driver 0 >/dev/null || fail "NIC 0 still bound to $(nic_driver 0)"
	if [ "$PEER_DRIVER" = "$DRIVER" ]; then
		[ -z "$(ns_peer_if)" ] || fail "peer netdev $(ns_peer_if) still present after rmmod"
	fi
	bg_reap
	dp_load || nics_diag_fail "reloading $DRIVER: NICs not bound"
	dp_topo || fail "could not rebuild the topology"
	dp_ping_ok local 5 $PEER4
	diag "after reload: $(ping_summary)"
}

t_open_stop_cycles() {
	dp_ready
	seq "$CYCLES_OPENSTOP" | awk -v a="$A" '{ print "link set dev " a " down"; print "link set dev " a " up" }' \
		>"$STATE/dp.batch"
	_s0=$(local_stats "$A")
	_t0=$(now_cs)
	ip link set dev "$A" down || fail "ip link set $A down failed"
	_t1=$(now_cs)
	ip link set dev "$A" up || fail "ip link set $A up failed"
	_t2=$(now_cs)
	diag "one cycle alone: down $(fmt_cs $(( _t1 - _t0 ))) s, up $(fmt_cs $(( _t2 - _t1 ))) s (with ip's start-up)"
	_t0=$(now_cs)
	ip -batch "$STATE/dp.batch" >"$STATE/dp.batch.out" 2>&1 ||
		fail "ip -batch failed: $(tail -n 3 "$STATE/dp.batch.out" | tr '\n' ' ')"
	diag "$CYCLES_OPENSTOP open/stop cycles of $A: $(fmt_cs $(( $(now_cs) - _t0 ))) s"
	wait_for 30 link_up "$A" || fail "$A: no carrier within 30 s after the cycles"
	dp_ping_ok local 5 $PEER4
	if ! dp_reach local $PEER6; then
		{ ip -6 addr show dev "$A"; ip -6 neigh show dev "$A"; in_peer ip -6 addr; in_peer ip -6 neigh; } | diag_klog
		fail "$PEER6 did not answer within 30 s: $(ping_summary)"
	fi
	_s1=$(local_stats "$A")
	# shellcheck disable=SC2086
	set -- $_s0 $_s1
	for _n in rx_packets rx_bytes tx_packets tx_bytes; do
		[ "$5" -ge "$1" ] || fail "$A $_n went backwards over the cycles: $1 -> $5"
		shift
	done
}

# Helpers of t_counters (which sets _n, _f, _l0, _p0; see there).
# shellcheck disable=SC2046,SC2086 # counter lists are split on purpose
dp_counted() {
	set -- $_l0 $(local_stats "$A") $_p0 $(peer_stats "$B")
	[ $(( ${5} - ${1} )) -ge "$_n" ] && [ $(( ${7} - ${3} )) -ge "$_n" ] &&
		[ $(( ${13} - ${9} )) -ge "$_n" ] && [ $(( ${15} - ${11} )) -ge "$_n" ]
}
dp_check() { # NAME PACKETS BYTES
	_extra=$(( $2 - _n ))
	if [ "$_extra" -lt 0 ] || [ "$_extra" -gt "$DP_SLACK" ]; then
		echo "$1: $2 packets, expected $_n..$(( _n + DP_SLACK ))" >>"$STATE/dp.counters"
		return
	fi
	_xb=$(( $3 - _n * _f ))
	if [ "$_xb" -lt 0 ] || [ "$_xb" -gt $(( _extra * DP_BGMAX )) ]; then
		echo "$1: $3 bytes, expected $(( _n * _f )) plus at most $DP_BGMAX per extra packet ($_extra)" >>"$STATE/dp.counters"
	fi
}
dp_cross() { # WHAT A B LIMIT
	_d=$(( $2 - $3 ))
	[ "${_d#-}" -le "$4" ] || echo "$1 differ by $_d (more than $4)" >>"$STATE/dp.counters"
}
# dp_still: neither NIC's counters move for a second.
dp_still() {
	_s0="$(local_stats "$A") $(peer_stats "$B")"
	sleep 1
	[ "$_s0" = "$(local_stats "$A") $(peer_stats "$B")" ]
}
# dp_quiet: start from a quiet link: what earlier cases left ended (link_quiet),
# then the counters still (up to 60 s, then the case goes on and says so).
dp_quiet() {
	link_quiet
	wait_for 60 dp_still || diag "the counters were still moving after 60 s"
}
t_counters() {
	dp_ready
	# Only the pings below and small background frames may be counted.
	dp_quiet
	_n=100 _size=1000
	_f=$(( 14 + 20 + 8 + _size ))
	dp_reach local $PEER4 || fail "$PEER4 did not answer within 30 s"
	_l0=$(local_stats "$A") _p0=$(peer_stats "$B")
	dp_ping local "$_n" $PEER4 -s "$_size" -A -W 5 || fail "ping -s $_size: $(ping_summary)"
	diag "$(ping_summary)"
	# Counters may lag a little (drivers that fold hardware counters periodically).
	wait_for 5 dp_counted || diag "counters still below $_n after 5 s"
	_l1=$(local_stats "$A") _p1=$(peer_stats "$B")
	# shellcheck disable=SC2086
	set -- $_l0 $_l1
	lrp=$(( $5 - $1 )) lrb=$(( $6 - $2 )) ltp=$(( $7 - $3 )) ltb=$(( $8 - $4 ))
	# shellcheck disable=SC2086
	set -- $_p0 $_p1
	prp=$(( $5 - $1 )) prb=$(( $6 - $2 )) ptp=$(( $7 - $3 )) ptb=$(( $8 - $4 ))
	diag "expected $_n frames of $_f bytes each way; deltas:" \
		"local rx $lrp/$lrb tx $ltp/$ltb, peer rx $prp/$prb tx $ptp/$ptb (packets/bytes)"
	: >"$STATE/dp.counters"
	dp_check "local rx" $lrp $lrb
	dp_check "local tx" $ltp $ltb
	dp_check "peer rx" $prp $prb
	dp_check "peer tx" $ptp $ptb
	dp_cross "local tx_packets and peer rx_packets" $ltp $prp "$DP_SLACK"
	dp_cross "peer tx_packets and local rx_packets" $ptp $lrp "$DP_SLACK"
	dp_cross "local tx_bytes and peer rx_bytes" $ltb $prb $(( DP_SLACK * DP_BGMAX ))
	dp_cross "peer tx_bytes and local rx_bytes" $ptb $lrb $(( DP_SLACK * DP_BGMAX ))
	[ -s "$STATE/dp.counters" ] || return 0
	while read -r _line; do diag "$_line"; done <"$STATE/dp.counters"
	fail "$(wc -l <"$STATE/dp.counters") counter checks failed"
}

# tx_frags: pktgen skbs with as many page fragments as this kernel allows
# (net.core.max_skb_frags = MAX_SKB_FRAGS: 17, up to 45 with
# CONFIG_MAX_SKB_FRAGS), 1000 of them to the peer's discard port: pktgen
# counts no error and the peer's UDP layer gets every one (NoPorts). A driver
# sized for 17 fragments drops them all on a kernel built with 45.
dp_pktgen_off() { echo "rem_device_all" >/proc/net/pktgen/kpktgend_0 2>/dev/null; rmmod pktgen 2>/dev/null; }
t_tx_frags() {
	dp_ready
	modprobe pktgen 2>/dev/null || skip "no pktgen module in this kernel"
	trap dp_pktgen_off EXIT
	_frags=$(cat /proc/sys/net/core/max_skb_frags)
	_pmac=$(in_peer cat "/sys/class/net/$B/address")
	_n=1000
	echo "add_device $A" >/proc/net/pktgen/kpktgend_0 || fail "pktgen add_device $A"
	_pg=/proc/net/pktgen/$A
	for _c in "count $_n" "pkt_size 1400" "frags $_frags" "delay 200000" "dst $PEER4" \
		"dst_mac $_pmac" "udp_dst_min 9" "udp_dst_max 9"; do
		echo "$_c" >"$_pg" || fail "pktgen: $_c"
	done
	_u0=$(dp_udp_noports) _d0=$(cat "/sys/class/net/$A/statistics/tx_dropped")
	echo start >/proc/net/pktgen/pgctrl || fail "pktgen start"
	_sofar=$(sed -n 's/.*pkts-sofar: \([0-9]*\).*/\1/p' "$_pg" | head -n1)
	_err=$(sed -n 's/.*[^_]errors: \([0-9]*\).*/\1/p' "$_pg" | head -n1)
	wait_for 10 dp_noports_reached $(( _u0 + _n ))
	_u1=$(dp_udp_noports) _d1=$(cat "/sys/class/net/$A/statistics/tx_dropped")
	diag "$_frags fragments per skb: pktgen sent ${_sofar:-?} with ${_err:-?} errors; peer NoPorts +$(( _u1 - _u0 )), local tx_dropped +$(( _d1 - _d0 ))"
	grep -i "result" "$_pg" | diag_klog
	[ "${_sofar:-0}" = "$_n" ] && [ "${_err:-1}" = 0 ] || fail "pktgen did not send $_n packets without error"
	[ "$_d1" = "$_d0" ] || fail "the driver dropped $(( _d1 - _d0 )) packets of $_frags fragments"
	[ $(( _u1 - _u0 )) -ge "$_n" ] || fail "the peer got $(( _u1 - _u0 )) of $_n packets"
}

dp_netdevs_gone() { [ -z "$(nic_name 0)" ] && { [ ! -e "$PEER_NETNS" ] || ! ns_has_peer_if; }; }
t_unload_clean() {
	klog_mark "unload (datapath)"
	_mods=
	module_loaded && _mods=$(module_name)
	[ "$PEER_DRIVER" != "$DRIVER" ] && dp_peer_module_loaded && _mods="$_mods $(echo "$PEER_DRIVER" | tr - _)"
	for _m in $_mods; do
		timeout 120 /sbin/rmmod "$_m" || fail "rmmod $_m failed"
	done
	# Built-in drivers: unbind instead.
	for _i in 0 1; do
		_d=$(nic_driver "$_i") || continue
		nic_pci "$_i" >"/sys/bus/pci/drivers/$_d/unbind" || fail "unbind $(nic_pci "$_i") from $_d failed"
	done
	wait_for 20 dp_netdevs_gone || fail "netdevs still present after unload: $(nic_name 0) $(ns_peer_if)"
	[ ! -e "$PEER_NETNS" ] || ip netns del peer || fail "ip netns del peer failed"
	if [ "$DP_PINNED" = 1 ]; then
		for _i in 0 1; do echo >"/sys/bus/pci/devices/$(nic_pci "$_i")/driver_override"; done
	fi
	# (No "DMA-API" + colon in diagnostics: the host flags that on the console.)
	[ -d "$DMA_DBG" ] || { diag "no $DMA_DBG: dma-debug checks skipped"; return 0; }
	[ "$(cat "$DMA_DBG/disabled")" = N ] || fail "dma-debug got disabled"
	_e0=$(cat "$STATE/dp.dma-errors0") _e1=$(cat "$DMA_DBG/error_count")
	[ "$_e1" = "$_e0" ] || fail "dma-debug error_count went from $_e0 to $_e1 during the suite"
	grep -e " $(nic_pci 0) " -e " $(nic_pci 1) " "$DMA_DBG/dump" >"$STATE/dp.dma-left"
	[ -s "$STATE/dp.dma-left" ] || { diag "unloaded $_mods; dma-debug: $_e1 errors, no mapping of the NICs left"; return 0; }
	head -n 20 "$STATE/dp.dma-left" | diag_klog
	fail "$(wc -l <"$STATE/dp.dma-left") DMA mappings of the NICs left after unbind (dma-debug dump)"
}

t_kernel_log_clean() {
	klog_since "suite $SUITE" | klog_bad >"$STATE/bad"
	[ -s "$STATE/bad" ] || return 0
	diag_klog <"$STATE/bad"
	fail "$(wc -l <"$STATE/bad") bad kernel-log lines since the suite started"
}

# Other suites (offload.sh) source this file for its helpers only.
[ "${DP_LIB_ONLY:-0}" = 1 ] && return 0

run_case topology t_topology
run_case ping4 t_ping 4
run_case ping6 t_ping 6
run_case tcp_bulk_tx t_tcp_bulk tx
run_case tcp_bulk_rx t_tcp_bulk rx
run_case tcp_integrity_tx t_tcp_integrity tx
run_case tcp_integrity_rx t_tcp_integrity rx
run_case udp_min_tx t_udp tx 18 "$DP_UDP_RATE_MIN"
run_case udp_min_rx t_udp rx 18 "$DP_UDP_RATE_MIN"
run_case udp_mtu_tx t_udp tx 1472 "$DP_UDP_RATE_MTU"
run_case udp_mtu_rx t_udp rx 1472 "$DP_UDP_RATE_MTU"
run_case netconsole t_netconsole quiet
run_case netconsole_under_load t_netconsole load
run_case ifdown_under_load t_ifdown_under_load
run_case rmmod_under_load t_rmmod_under_load
run_case open_stop_cycles t_open_stop_cycles
run_case counters t_counters
run_case tx_frags t_tx_frags
run_case unload_clean t_unload_clean
run_case kernel_log_clean t_kernel_log_clean
