# shellcheck shell=sh
# Offload suite: checksum, TSO, scatter-gather and VLAN offloads, on the topology of the
# datapath suite (whose helpers it sources): NIC 0 here (10.0.0.1, fd00::1), NIC 1 in
# netns peer (10.0.0.2, fd00::2), both on $DRIVER.
#
#   topology        as in datapath
#   features        ethtool -k: sg, tx-checksum-ip-generic, tx-checksum-sctp, tso (v4, v6),
#                   rx-checksumming, rx/tx-vlan-offload are on; turning rxvlan off turns
#                   txvlan off too (ndo_fix_features), and back on
#   tso_used        iperf3 TCP local -> peer with TSO on: the driver's TSO packet counter
#                   (`ethtool -S` tx_queue_*_tso, skbs the hardware cut into several frames)
#                   moves by at least 100, while the local tx_packets and tx_bytes deltas
#                   (frames and wire bytes, TSO segments counted as the C igb counts them)
#                   are within 2% of the peer's rx_packets/rx_bytes deltas; with `ethtool -K
#                   tso off` the TSO counter does not move. No Tcp InCsumErrors on either side.
#   tso6_used       the same over IPv6 (TSO6)
#   integrity_*     OF_FILE_MIB MiB over TCP (busybox nc), byte count and sha256 compared,
#                   with: all offloads on (tx and rx direction), tx checksum off, TSO off,
#                   SG off (tx direction), rx checksum off (rx direction), over IPv6 (tx);
#                   no Tcp InCsumErrors on the receiver
#   udp_csum_*      iperf3 UDP 18-byte (short frames: checksummed in software before the
#                   padding) and 1472-byte datagrams local -> peer with tx checksum offload,
#                   at rates low enough for a slow host (the point is the checksum, not
#                   throughput): the NICs counted every frame (datapath's udp_* check),
#                   the peer's Udp InDatagrams + RcvbufErrors grew by the datagrams sent
#                   (plus iperf3's hello; up to DP_SLACK fewer: datagrams still queued when
#                   the one-shot server closed its socket), Udp InCsumErrors did not move; iperf3's loss (the
#                   socket's) is only printed
#   sctp_crc        iperf3 --sctp local -> peer with SCTP CRC offload: data arrives and the
#                   peer's SctpChecksumErrors does not move (skipped without sctp support)
#   vlan_on/off     VLAN 10 on both ends (10.0.10.1/2, static neighbours, no IPv6) with
#                   rxvlan/txvlan on (off): 100 pings of 1400 bytes answered, and the byte
#                   counters of both NICs show 1442-byte frames (tag inserted/stripped by the
#                   hardware, outside the skb) or 1446-byte frames (tag in the skb); iperf3
#                   and a sha256-verified transfer over the VLAN
#   restore         all offloads back on
#   kernel_log_clean  no bad kernel-log line since the suite began
#
# Knobs: OF_FILE_MIB (rigb.of_file_mib, default 4), OF_TCP_SECS (rigb.of_tcp_secs, default 5).
#
# Not observable from here: that received frames are marked CHECKSUM_UNNECESSARY (the stack
# does not count what it did not have to verify); the cases check that data verifies with
# receive checksumming on and off and that no checksum error is counted.

DP_LIB_ONLY=1
# shellcheck source=tests/guest/datapath.sh
. "$TESTDIR/datapath.sh"

: "${OF_FILE_MIB:=$(karg rigb.of_file_mib)}" "${OF_FILE_MIB:=4}"
: "${OF_TCP_SECS:=$(karg rigb.of_tcp_secs)}" "${OF_TCP_SECS:=5}"
DP_FILE_MIB=$OF_FILE_MIB
VID=10
VLOCAL4=10.0.10.1 VPEER4=10.0.10.2

# ---- helpers -------------------------------------------------------------------
# feature IF NAME: the state ("on"/"off") ethtool -k reports for NAME.
feature() { ethtool -k "$1" | awk -v f="$2:" '$1 == f { print $2; exit }'; }
peer_feature() { in_peer ethtool -k "$1" | awk -v f="$2:" '$1 == f { print $2; exit }'; }
# of_set [local|peer|both] ethtool -K arguments...
of_set() {
	_w=$1
	shift
	case $_w in
	local) ethtool -K "$A" "$@" ;;
	peer) in_peer ethtool -K "$B" "$@" ;;
	both) ethtool -K "$A" "$@" && in_peer ethtool -K "$B" "$@" ;;
	esac
}
of_all_on() {
	of_set both sg on tx on rx on tso on rxvlan on txvlan on >/dev/null 2>&1
	true
}

# of_tso V (4|6) OFF: run iperf3 TCP local -> peer; check the packet relation (TSO in use
# unless OFF=1) and the byte agreement.
# The local NIC's TSO packets so far, all queues (ethtool -S tx_queue_N_tso).
of_tso_count() {
	ethtool -S "$A" | awk '$1 ~ /^tx_queue_[0-9]+_tso:$/ { s += $2 } END { print s + 0 }'
}
of_tso() {
	dp_ready
	trap bg_reap EXIT
	_v=$1 _off=$2
	_dst=$PEER4
	if [ "$_v" = 6 ]; then
		_dst=$PEER6
		wait_for 30 no_tentative || fail "IPv6 addresses still tentative after 30 s"
	fi
	of_all_on
	[ "$_off" = 1 ] && { of_set local tso off || fail "ethtool -K $A tso off failed"; }
	_want=on
	[ "$_off" = 1 ] && _want=off
	_f=tcp-segmentation-offload
	[ "$(feature "$A" $_f)" = "$_want" ] || fail "$A: $_f is $(feature "$A" $_f), want $_want"
	_ce0=$(peer_snmp Tcp InCsumErrors) _lce0=$(local_snmp Tcp InCsumErrors)
	_tso0=$(of_tso_count)
	# shellcheck disable=SC2046
	set -- $(local_stats "$A") $(peer_stats "$B")
	_l0tp=$3 _l0tb=$4 _p0rp=$5 _p0rb=$6
	dp_iperf_server $(( OF_TCP_SECS + 90 ))
	timeout $(( OF_TCP_SECS + 60 )) iperf3 -c "$_dst" -p $IPERF_PORT --connect-timeout 10000 \
		-t "$OF_TCP_SECS" -f m >"$STATE/of.tcp" 2>&1
	_rc=$?
	bg_wait "$SRV" 15 >/dev/null 2>&1
	[ "$_rc" = 0 ] || fail "iperf3 to $_dst failed (exit $_rc): $(tail -n 3 "$STATE/of.tcp" | tr '\n' ' ')"
	# shellcheck disable=SC2046
	set -- $(local_stats "$A") $(peer_stats "$B")
	_tp=$(( $3 - _l0tp )) _tb=$(( $4 - _l0tb )) _rp=$(( $5 - _p0rp )) _rb=$(( $6 - _p0rb ))
	_ce1=$(peer_snmp Tcp InCsumErrors) _lce1=$(local_snmp Tcp InCsumErrors)
	_tso=$(( $(of_tso_count) - _tso0 ))
	diag "IPv$_v TSO $_want: $(iperf_rate "$STATE/of.tcp" Mbits/sec) Mbit/s; local tx $_tp frames $_tb bytes" \
		"($_tso TSO packets), peer rx $_rp frames $_rb bytes; Tcp InCsumErrors peer $_ce0->$_ce1 local $_lce0->$_lce1"
	[ "$_rp" -gt 1000 ] || fail "only $_rp frames received"
	[ "$_ce1" = "$_ce0" ] || fail "peer counted $(( _ce1 - _ce0 )) TCP checksum errors"
	[ "$_lce1" = "$_lce0" ] || fail "local counted $(( _lce1 - _lce0 )) TCP checksum errors"
	if [ "$_off" = 1 ]; then
		[ "$_tso" = 0 ] || fail "TSO off, yet $_tso TSO packets were sent"
	else
		[ "$_tso" -ge 100 ] || fail "TSO on, but only $_tso TSO packets: no large TSO frames reached the driver"
	fi
	# Frames: both count each segment once; allow 2% + 200 of background.
	_d=$(( _tp - _rp ))
	[ "$_d" -lt 0 ] && _d=$(( -_d ))
	[ $(( _d * 50 )) -le $(( _rp + 50 * 200 )) ] ||
		fail "local tx_packets $_tp and peer rx_packets $_rp disagree by $_d"
	# Wire bytes: both count frames without FCS; allow 2% + 64 KiB of background.
	_d=$(( _tb - _rb ))
	[ "$_d" -lt 0 ] && _d=$(( -_d ))
	[ $(( _d * 50 )) -le $(( _rb + 50 * 65536 )) ] ||
		fail "local tx_bytes $_tb and peer rx_bytes $_rb disagree by $_d"
}

# of_integrity tx|rx [6]: dp's sha256-checked transfer (optionally over IPv6), and no TCP
# checksum error on the receiver.
of_integrity() {
	_side=$1
	if [ "${2:-4}" = 6 ]; then
		wait_for 30 no_tentative || fail "IPv6 addresses still tentative after 30 s"
		PEER4=$PEER6 LOCAL4=$LOCAL6
		# The topology is checked by IPv4 address: it was, keep it.
		dp_ready() { :; }
	fi
	if [ "$_side" = tx ]; then _c0=$(peer_snmp Tcp InCsumErrors); else _c0=$(local_snmp Tcp InCsumErrors); fi
	(t_tcp_integrity "$_side") || exit 1
	if [ "$_side" = tx ]; then _c1=$(peer_snmp Tcp InCsumErrors); else _c1=$(local_snmp Tcp InCsumErrors); fi
	[ "$_c1" = "$_c0" ] || fail "receiver counted $(( _c1 - _c0 )) TCP checksum errors"
}

# t_integrity NAME tx|rx [local|peer ethtool-args...]: toggle, transfer, restore.
t_integrity() {
	dp_ready
	_side=$1
	shift
	of_all_on
	if [ $# -gt 0 ]; then
		_w=$1
		shift
		of_set "$_w" "$@" || fail "ethtool -K $* failed"
		diag "$_w: ethtool -K $*: $(if [ "$_w" = peer ]; then in_peer ethtool -k "$B"; else ethtool -k "$A"; fi |
			grep -E '^(scatter-gather|tx-checksumming|rx-checksumming|tcp-segmentation-offload):' | tr '\n\t' '  ')"
	fi
	of_integrity "$_side"
	of_all_on
}
t_integrity6() {
	dp_ready
	of_all_on
	of_integrity tx 6
}

t_features() {
	dp_ready
	of_all_on
	for _f in scatter-gather tx-checksum-ip-generic tx-checksum-sctp tx-tcp-segmentation \
		tx-tcp6-segmentation rx-checksumming rx-vlan-offload tx-vlan-offload; do
		_v=$(feature "$A" $_f)
		[ "$_v" = on ] || fail "$A: $_f is '${_v:-missing}', want on"
		_v=$(peer_feature "$B" $_f)
		[ "$_v" = on ] || fail "peer $B: $_f is '${_v:-missing}', want on"
	done
	ethtool -K "$A" rxvlan off || fail "ethtool -K $A rxvlan off failed"
	{ [ "$(feature "$A" rx-vlan-offload)" = off ] && [ "$(feature "$A" tx-vlan-offload)" = off ]; } ||
		fail "rxvlan off: rx-vlan-offload $(feature "$A" rx-vlan-offload), tx-vlan-offload $(feature "$A" tx-vlan-offload); want both off"
	ethtool -K "$A" rxvlan on || fail "ethtool -K $A rxvlan on failed"
	[ "$(feature "$A" tx-vlan-offload)" = on ] || fail "rxvlan on: tx-vlan-offload stays off"
	ethtool -K "$A" rx off || fail "ethtool -K $A rx off failed"
	[ "$(feature "$A" rx-checksumming)" = off ] || fail "rx off: rx-checksumming still on"
	ethtool -K "$A" rx on || fail "ethtool -K $A rx on failed"
	diag "$A: $(ethtool -k "$A" | grep -E ': on' | grep -v fixed | sed 's/: on//' | tr -d '\t' | tr '\n' ' ')"
}

t_udp_csum() {
	dp_ready
	trap bg_reap EXIT
	of_all_on
	[ "$(feature "$A" tx-checksum-ip-generic)" = on ] || fail "tx checksum offload is off"
	_in0=$(peer_snmp Udp InDatagrams) _rb0=$(peer_snmp Udp RcvbufErrors) _ce0=$(peer_snmp Udp InCsumErrors)
	frames_begin "$A" "$B" || fail "NIC counters"
	dp_iperf "$STATE/of.udp" 60 -u -l "$1" -b "$2" -t 3 -f k || fail "iperf3 UDP failed"
	_sent=$(iperf_udp_total "$STATE/of.udp" sender)
	[ -n "$_sent" ] || fail "no sender summary from iperf3: $(tail -n 5 "$STATE/of.udp" | tr '\n' ' ')"
	[ "$_sent" -gt 100 ] || fail "only $_sent datagrams sent"
	_ok=0
	frames_check tx "$_sent" "$DP_SLACK" || _ok=1
	_in1=$(peer_snmp Udp InDatagrams) _rb1=$(peer_snmp Udp RcvbufErrors) _ce1=$(peer_snmp Udp InCsumErrors)
	_udp=$(( _in1 - _in0 + _rb1 - _rb0 ))
	diag "UDP $1-byte datagrams at $2: $_sent sent; peer Udp InDatagrams +$(( _in1 - _in0 ))" \
		"RcvbufErrors +$(( _rb1 - _rb0 )) InCsumErrors $_ce0->$_ce1; iperf3 lost $(iperf_udp_loss "$STATE/of.udp")"
	[ "$_ok" = 0 ] || fail "$FRAMES_ERR"
	[ "$_ce1" = "$_ce0" ] || fail "peer counted $(( _ce1 - _ce0 )) UDP checksum errors"
	# (+1: iperf3's hello datagram, which opens the test and is not in its count.)
	[ "$_udp" -le $(( _sent + 2 )) ] && [ "$_udp" -ge $(( _sent - DP_SLACK )) ] ||
		fail "peer's UDP layer took $_udp datagrams (InDatagrams + RcvbufErrors) of $_sent sent"
}

sctp_errors() { # local|peer: SctpChecksumErrors
	if [ "$1" = peer ]; then in_peer cat /proc/net/sctp/snmp; else cat /proc/net/sctp/snmp; fi 2>/dev/null |
		awk '$1 == "SctpChecksumErrors" { print $2 }'
}
t_sctp_crc() {
	dp_ready
	trap bg_reap EXIT
	modprobe sctp 2>/dev/null
	[ -e /proc/net/sctp/snmp ] || skip "no SCTP in this kernel (CONFIG_IP_SCTP, module sctp)"
	iperf3 --help 2>&1 | grep -q -- --sctp || skip "iperf3 built without SCTP"
	of_all_on
	[ "$(feature "$A" tx-checksum-sctp)" = on ] || fail "tx-checksum-sctp is off"
	_e0=$(sctp_errors peer)
	dp_iperf "$STATE/of.sctp" 60 --sctp -t 3 -f m ||
		fail "iperf3 --sctp failed; peer SctpChecksumErrors $_e0->$(sctp_errors peer)," \
			"local $(sctp_errors local)"
	_e1=$(sctp_errors peer)
	_mb=$(iperf_rate "$STATE/of.sctp" Mbits/sec)
	diag "SCTP: ${_mb:-?} Mbit/s; peer SctpChecksumErrors $_e0->$_e1"
	[ "$_e1" = "$_e0" ] || fail "peer counted $(( _e1 - _e0 )) SCTP checksum errors"
	awk -v m="$_mb" 'BEGIN { exit !(m > 0) }' || fail "no SCTP data arrived"
}

# ---- VLAN --------------------------------------------------------------------
of_vlan_up() {
	modprobe 8021q 2>/dev/null
	V=$A.$VID W=$B.$VID
	if [ ! -e "/sys/class/net/$V" ]; then
		ip link add link "$A" name "$V" type vlan id "$VID" || return 1
	fi
	if ! in_peer test -e "/sys/class/net/$W"; then
		in_peer ip link add link "$B" name "$W" type vlan id "$VID" || return 1
	fi
	echo 1 >"/proc/sys/net/ipv6/conf/$V/disable_ipv6"
	in_peer sh -c "echo 1 >/proc/sys/net/ipv6/conf/$W/disable_ipv6"
	ip addr replace "$VLOCAL4/24" dev "$V" && ip link set "$V" up || return 1
	in_peer ip addr replace "$VPEER4/24" dev "$W" && in_peer ip link set "$W" up || return 1
	ip neigh replace "$VPEER4" lladdr "$(in_peer cat "/sys/class/net/$W/address")" dev "$V" nud permanent &&
		in_peer ip neigh replace "$VLOCAL4" lladdr "$(cat "/sys/class/net/$V/address")" dev "$W" nud permanent
}
of_vlan_down() {
	ip link del "$A.$VID" 2>/dev/null
	in_peer ip link del "$B.$VID" 2>/dev/null
	true
}
# of_vlan_bytes WHAT DELTA_BYTES DELTA_PKTS N FRAME: DELTA must be N frames of FRAME bytes
# plus at most (DELTA_PKTS - N) background frames (ARP, ND, MLD) of up to OF_BGMAX bytes.
# 4 bytes per frame tell the hypotheses apart: N * 4 must exceed the background allowance.
OF_BGMAX=128
of_vlan_bytes() {
	_extra=$(( $3 - $4 ))
	[ "$_extra" -ge 0 ] || { echo "$1: $3 frames, fewer than the $4 pings" >>"$STATE/of.vlan"; return; }
	_over=$(( $2 - $4 * $5 ))
	[ "$_over" -ge 0 ] && [ "$_over" -le $(( _extra * OF_BGMAX )) ] &&
		[ $(( _extra * OF_BGMAX )) -lt $(( $4 * 4 )) ] ||
		echo "$1: $2 bytes in $3 frames, not $4 frames of $5 bytes (+$_extra background)" >>"$STATE/of.vlan"
}
t_vlan() { # on|off
	_mode=$1
	dp_ready
	trap 'bg_reap; of_vlan_down' EXIT
	of_all_on
	if [ "$1" = off ]; then
		of_set both rxvlan off txvlan off || fail "ethtool -K rxvlan off txvlan off failed"
		_frame=1446
	else
		_frame=1442
	fi
	{ [ "$(feature "$A" rx-vlan-offload)" = "$1" ] && [ "$(feature "$A" tx-vlan-offload)" = "$1" ]; } ||
		fail "$A: rx/tx-vlan-offload not $1"
	of_vlan_up || fail "could not set up VLAN $VID"
	dp_reach local "$VPEER4" 30 || fail "no ping answer over VLAN $VID within 30 s: $(ping_summary)"
	# The NICs' counters take only the pings and small background frames:
	# nothing left over from earlier cases (dp_quiet).
	dp_quiet
	_n=100
	# shellcheck disable=SC2046
	set -- $(local_stats "$A") $(peer_stats "$B")
	_l0="$1 $2 $3 $4" _p0="$5 $6 $7 $8"
	dp_ping local $_n "$VPEER4" -s 1400 -i 0.1 -W 5 || fail "ping over VLAN $VID: $(ping_summary)"
	# shellcheck disable=SC2046,SC2086
	set -- $_l0 $_p0 $(local_stats "$A") $(peer_stats "$B")
	: >"$STATE/of.vlan"
	of_vlan_bytes "local rx" $(( ${10} - $2 )) $(( $9 - $1 )) $_n $_frame
	of_vlan_bytes "local tx" $(( ${12} - $4 )) $(( ${11} - $3 )) $_n $_frame
	of_vlan_bytes "peer rx" $(( ${14} - $6 )) $(( ${13} - $5 )) $_n $_frame
	of_vlan_bytes "peer tx" $(( ${16} - $8 )) $(( ${15} - $7 )) $_n $_frame
	diag "VLAN $VID offload $_mode: $_n pings of 1400 bytes; bytes/frames local rx $(( ${10} - $2 ))/$(( $9 - $1 ))" \
		"tx $(( ${12} - $4 ))/$(( ${11} - $3 )), peer rx $(( ${14} - $6 ))/$(( ${13} - $5 ))" \
		"tx $(( ${16} - $8 ))/$(( ${15} - $7 )) (expected ${_frame}-byte frames)"
	if [ -s "$STATE/of.vlan" ]; then
		while read -r _line; do diag "$_line"; done <"$STATE/of.vlan"
		fail "byte counters do not match ${_frame}-byte frames"
	fi
	# Bulk and integrity over the VLAN (addresses of the VLAN for dp's helpers, whose
	# topology check looks for the untagged address: it was checked above).
	PEER4=$VPEER4 LOCAL4=$VLOCAL4
	dp_ready() { :; }
	dp_iperf "$STATE/of.vtcp" 60 -t 3 -f m || fail "iperf3 over VLAN $VID failed"
	_mb=$(iperf_rate "$STATE/of.vtcp" Mbits/sec)
	diag "iperf3 TCP over VLAN $VID: ${_mb:-?} Mbit/s"
	awk -v m="$_mb" 'BEGIN { exit !(m > 0) }' || fail "zero throughput over VLAN $VID"
	(t_tcp_integrity tx) || fail "integrity local -> peer over VLAN $VID"
	(t_tcp_integrity rx) || fail "integrity peer -> local over VLAN $VID"
}

t_restore() {
	dp_ready
	of_all_on
	for _f in scatter-gather tx-checksum-ip-generic tcp-segmentation-offload rx-checksumming \
		rx-vlan-offload tx-vlan-offload; do
		[ "$(feature "$A" $_f)" = on ] || fail "$A: $_f did not come back on"
	done
	dp_ping_ok local 5 $PEER4
}


run_case topology t_topology
run_case features t_features
run_case tso_used of_tso 4 0
run_case tso_off of_tso 4 1
run_case tso6_used of_tso 6 0
run_case integrity_tx t_integrity tx
run_case integrity_rx t_integrity rx
run_case integrity_tx_csum_off t_integrity tx local tx off
run_case integrity_tso_off t_integrity tx local tso off
run_case integrity_sg_off t_integrity tx local sg off
run_case integrity_rx_csum_off t_integrity rx local rx off
run_case integrity_peer_tx_csum_off t_integrity rx peer tx off
run_case integrity_ipv6 t_integrity6
run_case udp_csum_small t_udp_csum 18 100K
run_case udp_csum_mtu t_udp_csum 1472 5M
run_case sctp_crc t_sctp_crc
run_case vlan_on t_vlan on
run_case vlan_off t_vlan off
run_case restore t_restore
run_case kernel_log_clean t_kernel_log_clean
