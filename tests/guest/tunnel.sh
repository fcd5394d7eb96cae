# shellcheck shell=sh
# Tunnel suite (issue 16 item 7): UDP segmentation (GSO_UDP_L4) and the partial tunnel
# segmentations (GSO_PARTIAL: GRE, GRE with checksum, IPIP, VXLAN), on the topology of the
# datapath suite (whose helpers it sources): NIC 0 here (10.0.0.1), NIC 1 in netns peer
# (10.0.0.2), both on $DRIVER. Needs Python (PYTHON=1: tests/guest/tso_model.py).
#
#   features       ethtool -k on both NICs: tx-udp-segmentation, tx-gso-partial,
#                  tx-gre-segmentation, tx-gre-csum-segmentation, tx-ipxip4-segmentation,
#                  tx-ipxip6-segmentation, tx-udp_tnl-segmentation and
#                  tx-udp_tnl-csum-segmentation on and not fixed, rx-all off and not fixed;
#                  each switches off and on again; tx-gso-partial off takes the tunnel
#                  segmentations with it (they need it) and on again brings them back
#   <T>_software   T = gre, gre_csum, ipip, vxlan: that tunnel between the namespaces over the
#                  wire, inner addresses 10.9.N.1/2; with the transmit offloads off at both
#                  ends, a sha256-checked transfer each way through it: the tunnel datapath
#                  itself, which QEMU carries
#   <T>_frames     the same tunnel with this NIC's offloads on. QEMU's model cannot segment a
#                  tunnelled packet (a GRE or IPIP one leaves as one oversized frame, a VXLAN
#                  one as IP fragments of one datagram; hw/net/net_tx_pkt.c), nor fill in the
#                  inner checksum of one that is not segmented, so no connection works this
#                  way under QEMU, with this driver or the C igb. A TCP connection is opened
#                  with the offloads off (the peer's stay off: it only receives), then this
#                  NIC's go on and TN_KIB KiB of a byte pattern are sent (gso_max_size
#                  TN_GSO_MAX on the tunnel, the peer's MTU 9000 so that an unsegmented packet
#                  reaches it whole). Checked: the driver handed packets to the hardware for
#                  segmentation (its TSO counter moved), and tso_model.py, capturing on the
#                  peer's NIC, finds them and segments each as the 82576 does (MACLEN 14,
#                  IPLEN up to the inner TCP header, L4LEN, the MSS): every segment's
#                  checksums (outer IPv4, GRE, inner IPv4, TCP) and lengths verify and its
#                  payload is the next run of the pattern, and the packet carries the
#                  driver's edits (outer total length 0, the TCP checksum field holding the
#                  pseudo-header sum without length; for VXLAN the outer IPv4 header and
#                  UDP checksum are QEMU's, rewritten when it fragmented)
#   udp_frames     no tunnel: a UDP socket with UDP_SEGMENT (TN_UDP_MSS) sends datagrams in
#                  batches of 8; the TSO counter moves and the model, on the datagram QEMU's
#                  IP fragments reassemble into, cuts the datagrams the hardware would send
#                  (UDP length per datagram, checksum from the driver's seed, which QEMU's
#                  own checksum overwrote and so is not checked) and each carries the pattern
#   teardown       tunnels gone, offloads and the peer's MTU back, clean kernel log
#
# Knobs: TN_KIB (rigb.tn_kib, default 64), TN_GSO_MAX (default 7000), TN_UDP_MSS (1200).

DP_LIB_ONLY=1
# shellcheck source=tests/guest/datapath.sh
. "$TESTDIR/datapath.sh"
DP_FILE_MIB=2

: "${TN_KIB:=$(karg rigb.tn_kib)}" "${TN_KIB:=64}"
: "${TN_GSO_MAX:=7000}" "${TN_UDP_MSS:=1200}"
TN_PORT=5400
MODEL=$TESTDIR/tso_model.py

TN_FEATURES="tx-udp-segmentation tx-gso-partial tx-gre-segmentation tx-gre-csum-segmentation
tx-ipxip4-segmentation tx-ipxip6-segmentation tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation"
TN_PARTIAL="tx-gre-segmentation tx-gre-csum-segmentation tx-ipxip4-segmentation
tx-ipxip6-segmentation tx-udp_tnl-segmentation tx-udp_tnl-csum-segmentation"

# ---- helpers -------------------------------------------------------------------
# tn_k [local|peer] IF: the `ethtool -k` listing of IF (here, or in the peer).
tn_k() {
	case $1 in
	peer) in_peer ethtool -k "$2" ;;
	local) ethtool -k "$2" ;;
	*) ethtool -k "$1" ;;
	esac >"$STATE/tn.k" 2>&1
}
# tn_state NAME: "on", "off", "on [fixed]"... of NAME in the last tn_k listing.
tn_state() { awk -v f="$1:" '$1 == f { $1 = ""; sub(/^ /, ""); print; exit }' "$STATE/tn.k"; }
# tn_offloads local|peer on|off: the transmit offloads this suite uses.
tn_offloads() {
	_w=$1 _v=$2
	set -- tx "$_v" sg "$_v" tso "$_v" tx-udp-segmentation "$_v" tx-gso-partial "$_v"
	if [ "$_w" = peer ]; then in_peer ethtool -K "$B" "$@"; else ethtool -K "$A" "$@"; fi >/dev/null 2>&1
	true
}
# tn_tso_count: the packets this NIC handed to the hardware for segmentation (rust_igb's
# tx_queue_N_tso); empty for a driver without the counter (the C igb).
tn_tso_count() {
	ethtool -S "$A" | awk '$1 ~ /^tx_queue_[0-9]+_tso:$/ { s += $2; n++ } END { if (n) print s }'
}
# tn_tso_check BEFORE MIN: the counter moved by at least MIN (not judged without it).
tn_tso_check() {
	_now=$(tn_tso_count)
	if [ -z "$_now" ]; then
		diag "$DRIVER has no per-queue TSO counter: the capture alone tells"
		return 0
	fi
	diag "$(( _now - $1 )) packets handed over for segmentation"
	[ $(( _now - $1 )) -ge "$2" ] || fail "only $(( _now - $1 )) packets were handed to the hardware for segmentation, want $2"
}
# tn_net KIND: the tunnel's device name and inner network number.
tn_dev() { echo "tn_$1"; }
tn_net() { case $1 in gre) echo 1 ;; gre_csum) echo 2 ;; ipip) echo 3 ;; vxlan) echo 4 ;; esac; }
# tn_add KIND: (re)create the tunnel at both ends, addresses 10.9.N.1 here and .2 in the
# peer, and wait until a ping goes through (ICMP needs no checksum offload).
tn_add() {
	_d=$(tn_dev "$1") _n=$(tn_net "$1")
	tn_del "$1"
	for _side in local peer; do
		if [ $_side = local ]; then _l=$LOCAL4 _r=$PEER4 _ip=1 _x=; else _l=$PEER4 _r=$LOCAL4 _ip=2 _x=in_peer; fi
		_lower=$A
		[ $_side = local ] || _lower=$B
		case $1 in
		gre) $_x ip link add "$_d" type gre local "$_l" remote "$_r" ttl 64 ;;
		gre_csum) $_x ip link add "$_d" type gre local "$_l" remote "$_r" ttl 64 csum ;;
		ipip) $_x ip link add "$_d" type ipip local "$_l" remote "$_r" ttl 64 ;;
		vxlan) $_x ip link add "$_d" type vxlan id 42 local "$_l" remote "$_r" dstport 4789 dev "$_lower" ;;
		esac || fail "$_side: ip link add $_d type $1 failed (CONFIG for the tunnel?)"
		{ $_x ip addr add "10.9.$_n.$_ip/24" dev "$_d" && $_x ip link set "$_d" up; } ||
			fail "$_side: $_d address"
	done
	ip link set "$_d" gso_max_size "$TN_GSO_MAX" || fail "gso_max_size $TN_GSO_MAX on $_d"
	wait_for 20 dp_ping local 1 "10.9.$_n.2" -W 1 || fail "no ping through $_d: $(ping_summary)"
}
tn_del() {
	ip link del "$(tn_dev "$1")" 2>/dev/null
	in_peer ip link del "$(tn_dev "$1")" 2>/dev/null
	true
}
tn_modules() {
	for _m in ip_gre ipip vxlan; do
		modprobe "$_m" 2>/dev/null || [ -d "/sys/module/$_m" ] || return 1
	done
}

# ---- cases ---------------------------------------------------------------------
t_setup() {
	dp_ready
	command -v python3 >/dev/null || fail "no python3 in the initramfs (PYTHON=1)"
	tn_modules || fail "tunnel modules (ip_gre ipip vxlan) missing: CONFIG_NET_IPGRE, CONFIG_NET_IPIP, CONFIG_VXLAN"
	in_peer ip link set "$B" mtu 9000 || fail "peer MTU 9000"
	wait_for 30 dp_peer_link_up "$B" || fail "peer link after the MTU change"
	wait_for 30 dp_reach local $PEER4 || fail "no ping to the peer after its MTU change"
}

t_features() {
	dp_ready
	for _w in local peer; do
		if [ $_w = local ]; then _if=$A; else _if=$B; fi
		tn_k $_w "$_if"
		for _f in $TN_FEATURES; do
			[ "$(tn_state "$_f")" = on ] || fail "$_w $_if: $_f is '$(tn_state "$_f")', want on (not fixed)"
		done
		[ "$(tn_state rx-all)" = off ] || fail "$_w $_if: rx-all is '$(tn_state rx-all)', want off (not fixed)"
	done
	for _f in $TN_FEATURES rx-all; do
		tn_k "$A"
		_was=$(tn_state "$_f")
		if [ "$_was" = on ]; then _to=off; else _to=on; fi
		ethtool -K "$A" "$_f" $_to >/dev/null 2>&1 || fail "ethtool -K $A $_f $_to failed"
		tn_k "$A"
		[ "$(tn_state "$_f")" = $_to ] || fail "$_f: $_was, set $_to, reads '$(tn_state "$_f")'"
		ethtool -K "$A" "$_f" "$_was" >/dev/null 2>&1 || fail "ethtool -K $A $_f $_was failed"
		tn_k "$A"
		[ "$(tn_state "$_f")" = "$_was" ] || fail "$_f: not back to $_was"
	done
	# The tunnel segmentations need GSO_PARTIAL (netdev_fix_features()).
	ethtool -K "$A" tx-gso-partial off >/dev/null 2>&1 || fail "tx-gso-partial off"
	tn_k "$A"
	for _f in $TN_PARTIAL; do
		# "off [requested on]": the core holds them off while GSO_PARTIAL is.
		case $(tn_state "$_f") in
		off*) ;;
		*) fail "tx-gso-partial off: $_f is '$(tn_state "$_f")'" ;;
		esac
	done
	ethtool -K "$A" tx-gso-partial on >/dev/null 2>&1 || fail "tx-gso-partial on"
	tn_k "$A"
	for _f in $TN_PARTIAL; do
		[ "$(tn_state "$_f")" = on ] || fail "tx-gso-partial on: $_f is '$(tn_state "$_f")'"
	done
	diag "$A: $(grep -E '^(tx-udp-seg|tx-gso-partial|tx-gre|tx-ipxip|tx-udp_tnl|rx-all)' "$STATE/tn.k" | tr -d '\t' | tr '\n' ' ')"
}

# t_software KIND: a sha256-checked transfer each way through the tunnel, offloads off.
t_software() {
	dp_ready
	# shellcheck disable=SC2064 # the kind, now
	trap "bg_reap; tn_offloads local on; tn_offloads peer on; tn_del $1" EXIT
	tn_add "$1"
	tn_offloads local off
	tn_offloads peer off
	_n=$(tn_net "$1")
	for _dir in tx rx; do
		# t_tcp_integrity's addresses are the tunnel's; the topology was checked above.
		(dp_ready() { :; }; PEER4=10.9.$_n.2 LOCAL4=10.9.$_n.1 t_tcp_integrity $_dir) || exit 1
	done
}

# tn_capture SECS: start tso_model.py capturing on the peer's NIC for SECS; returns once it
# listens. Sets CAP (its PID).
tn_capture() {
	rm -f "$STATE/tn.cap" "$STATE/tn.cap.on"
	in_peer_bg python3 -B "$MODEL" capture "$B" "$1" "$STATE/tn.cap" >"$STATE/tn.capture" 2>&1
	CAP=$!
	wait_for 20 test -e "$STATE/tn.cap" || fail "the capture did not start: $(cat "$STATE/tn.capture")"
}
# tn_model KIND [MSS]: the model's verdict on the capture, its report as diagnostics.
tn_model() {
	python3 -B "$MODEL" check "$STATE/tn.cap" "$@" >"$STATE/tn.model" 2>&1
	_rc=$?
	diag_klog <"$STATE/tn.model"
	return $_rc
}

t_frames() {
	dp_ready
	# shellcheck disable=SC2064 # the kind, now
	trap "bg_reap; tn_offloads local on; tn_offloads peer on; tn_del $1" EXIT
	tn_add "$1"
	_n=$(tn_net "$1")
	tn_offloads local off
	tn_offloads peer off
	rm -f "$STATE/tn.ready" "$STATE/tn.go"
	in_peer_bg timeout 60 nc -l -p $TN_PORT >/dev/null 2>&1
	wait_for 20 dp_listening peer $TN_PORT || fail "nc did not listen in peer"
	# The client connects, reports, waits for the go, writes TN_KIB KiB of the pattern and
	# keeps the socket open while the capture runs.
	bg_run python3 -B -c '
import os, socket, sys, time
st, dst, kib = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
s.settimeout(10)
s.connect((dst, 5400))
open(st + "/tn.ready", "w").close()
while not os.path.exists(st + "/tn.go"):
    time.sleep(0.05)
data = bytes(n % 251 for n in range(kib * 1024))
s.setblocking(False)
try:
    s.send(data)
except BlockingIOError:
    pass
time.sleep(20)
' "$STATE" "10.9.$_n.2" "$TN_KIB" >"$STATE/tn.client" 2>&1
	wait_for 20 test -e "$STATE/tn.ready" || fail "no connection through $(tn_dev "$1"): $(cat "$STATE/tn.client")"
	tn_offloads local on
	tn_k "$A"
	[ "$(tn_state tx-gso-partial)" = on ] && [ "$(tn_state tcp-segmentation-offload)" = on ] ||
		fail "offloads not back on: $(grep -E '^(tx-gso-partial|tcp-seg)' "$STATE/tn.k" | tr '\n' ' ')"
	_t0=$(tn_tso_count)
	tn_capture 6
	touch "$STATE/tn.go"
	bg_wait "$CAP" 30 || fail "the capture failed: $(cat "$STATE/tn.capture")"
	diag "$(cat "$STATE/tn.capture")"
	tn_tso_check "${_t0:-0}" 1
	_k=$1
	[ "$_k" = gre_csum ] && _k=gre
	tn_model "$_k" || fail "the frames the driver handed over do not segment into valid packets"
}

t_udp_frames() {
	dp_ready
	trap 'bg_reap; tn_offloads local on' EXIT
	tn_offloads local on
	_t0=$(tn_tso_count)
	tn_capture 4
	python3 -B -c '
import socket, sys
dst, mss = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_UDP, 103, mss)  # UDP_SEGMENT
for b in range(4):
    s.sendto(bytes(n % 251 for n in range(8 * mss)), (dst, 5401))
' $PEER4 "$TN_UDP_MSS" >"$STATE/tn.client" 2>&1 || fail "UDP_SEGMENT send: $(cat "$STATE/tn.client")"
	bg_wait "$CAP" 30 || fail "the capture failed: $(cat "$STATE/tn.capture")"
	diag "$(cat "$STATE/tn.capture")"
	tn_tso_check "${_t0:-0}" 4
	tn_model udp "$TN_UDP_MSS" || fail "the datagrams the driver handed over do not segment into valid ones"
}

t_teardown() {
	A=$(nic_name 0) B=$(ns_peer_if)
	for _k in gre gre_csum ipip vxlan; do tn_del $_k; done
	[ -z "$B" ] || in_peer ip link set "$B" mtu 1500
	[ -z "$A" ] || tn_offloads local on
	[ -z "$B" ] || tn_offloads peer on
	klog_since "tunnel start" | klog_bad >"$STATE/tn.bad"
	[ ! -s "$STATE/tn.bad" ] || { diag_klog <"$STATE/tn.bad"; fail "kernel log reports problems"; }
}

klog_mark "tunnel start"
run_case setup t_setup
run_case features t_features
for _k in gre gre_csum ipip vxlan; do
	run_case "${_k}_software" t_software $_k
	run_case "${_k}_frames" t_frames $_k
done
run_case udp_frames t_udp_frames
run_case teardown t_teardown
