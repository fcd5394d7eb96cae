# shellcheck shell=sh
# Receive-filter suite: what the receiving NIC's hardware accepts, observed on
# the wire. Sourced by /init (after lib.sh).
#
#   NIC 0 (00:03.0, "A")  this namespace          10.0.0.1/24, receives
#   NIC 1 (00:05.0, "B")  network namespace peer  10.0.0.2/24, sends
#
# Every observation counts the frames NIC 0 received (its rx_packets, which a
# driver counts for frames the hardware DMAed to it) while the peer sends F_N
# pings at a destination: "dropped" means at most F_SLACK of them arrived,
# "accepted" at least F_N. The stack would drop most of these frames anyway
# (wrong MAC, unjoined group, unknown VLAN), so only the hardware filter keeps
# them out of the counter. Background traffic is silenced: IPv6 is disabled
# (no ND/MLD) and both ends have permanent neighbour entries (no ARP).
#
#   setup                 driver loaded, NIC 1 in netns peer, addresses, carrier
#   mc_unsubscribed       frames to group 239.1.2.3 (01:00:5e:01:02:03): dropped
#   mc_subscribed         after `ip maddr add 01:00:5e:01:02:03`: accepted, while
#                         239.9.9.9 (another MTA bit) stays dropped
#   mc_left               after `ip maddr del`: dropped again
#   allmulti              `ip link set A allmulticast on`: 239.9.9.9 accepted; off: dropped
#   promisc               frames to a foreign MAC (02:00:00:00:00:99): dropped; promisc
#                         on: accepted; off: dropped
#   uc_extra              `bridge fdb add 02:00:00:00:00:99 dev A self` (an extra unicast
#                         address, IFF_UNICAST_FLT): accepted without promiscuity while
#                         02:00:00:00:00:98 stays dropped; fdb del: dropped
#   uc_overflow           24 extra addresses (one more than the 23 free RAR entries):
#                         unicast promiscuous, 02:..:98 accepted; back to 23: exact again
#                         (the C igb refuses the 24th in its ndo_fdb_add; rust_igb has no
#                         ndo_fdb_add, so the core's default adds it and set_rx_mode falls
#                         back to unicast promiscuous, as igb_set_rx_mode does)
#   mac_change            `ip link set A address 02:00:00:aa:bb:01` live: reads back, the
#                         peer re-resolves and 5/5 pings work, frames to the old MAC are
#                         dropped; then the original address back, 5/5 pings
#   mac_invalid           multicast and all-zero addresses rejected, address unchanged,
#                         traffic still flows
#   vlan_filter           A.20 (VLAN 20): 5/5 pings over it; tagged frames of VLAN 30
#                         (no interface on A) dropped; promiscuous (VLAN filter off):
#                         accepted; receive-all (`ethtool -K rx-all on`): accepted, and
#                         RCTL (ethtool -d) has SBP and PMCF set, VFE and DPF clear; rx-all
#                         off: dropped again, SBP and PMCF clear, VFE set; after deleting
#                         A.20, VLAN 20 frames dropped
#   down_up_keeps_filters  group, VLAN 20 and a new MAC set, ifdown/ifup: all still in force
#   teardown              sysctls restored, VLANs and namespace removed, clean kernel log
#
# Knobs: F_N (default 10) frames per observation, F_SLACK (default 2).
: "${F_N:=10}" "${F_SLACK:=2}"
LOCAL4=10.0.0.1 PEER4=10.0.0.2
FOREIGN_IP=10.0.0.99 FOREIGN_MAC=02:00:00:00:00:99
OTHER_IP=10.0.0.98 OTHER_MAC=02:00:00:00:00:98
GROUP=239.1.2.3 GROUP_MAC=01:00:5e:01:02:03
GROUP2=239.9.9.9
NEW_MAC=02:00:00:aa:bb:01

# ---- helpers -------------------------------------------------------------
f_names() { A=$(nic_name 0) B=$(peer_if); [ -n "$A" ] && [ -n "$B" ]; }
f_rx() { cat "/sys/class/net/$A/statistics/rx_packets"; }
# f_count MIN CMD...: frames NIC 0 received while CMD ran and after it: up to
# 5 s until MIN arrived (an accepted observation stops waiting as soon as the
# frames are counted), at least 0.5 s (a dropped one, MIN 0, gives stragglers
# that time to show up).
f_grew() { [ $(( $(f_rx) - _r0 )) -ge "$1" ]; }
f_count() {
	_min=$1
	shift
	_r0=$(f_rx)
	"$@" >/dev/null 2>&1
	sleep 0.5
	wait_for 5 f_grew "$_min"
	echo $(( $(f_rx) - _r0 ))
}
# f_send DEST: F_N pings from the peer, 0.2 s apart (nobody answers most of
# them); the deadline -w leaves a slow host time to send all F_N.
f_send() { in_peer ping -c "$F_N" -i 0.2 -W 1 -w $(( F_N / 5 + 20 )) "$1"; }
# f_dropped WHAT DEST / f_accepted WHAT DEST: the observation, as a diagnostic.
f_dropped() {
	_n=$(f_count 0 f_send "$2")
	diag "$1: NIC 0 received $_n of $F_N frames (expected dropped)"
	[ "$_n" -le "$F_SLACK" ] || fail "$1: $_n of $F_N frames got through the filter"
}
f_accepted() {
	_n=$(f_count "$F_N" f_send "$2")
	diag "$1: NIC 0 received $_n of $F_N frames (expected accepted)"
	[ "$_n" -ge "$F_N" ] || fail "$1: only $_n of $F_N frames received"
}
# f_peer_neigh IP MAC [DEV]: the peer sends frames for IP to MAC.
f_peer_neigh() { in_peer ip neigh replace "$1" lladdr "$2" dev "${3:-$B}" nud permanent; }
f_ping_ok() { # COUNT ADDR: all COUNT pings from the peer answered
	in_peer ping -c "$1" -i 0.2 -W 2 "$2" >"$STATE/f.ping" 2>&1
	[ "$(sed -n 's/.* \([0-9][0-9]*\) packets received.*/\1/p' "$STATE/f.ping")" = "$1" ]
}
# f_rctl SBP VFE DPF PMCF: RCTL (the register dump, ethtool -d raw: word 32 of the C igb's
# layout) has exactly these of the four bits (1 set, 0 clear).
f_rctl() {
	ethtool -d "$A" raw on >"$STATE/f.regs" 2>/dev/null || fail "ethtool -d $A"
	_r=$(od -A n -v -t x4 "$STATE/f.regs" | awk '{ for (i = 1; i <= NF; i++) w[n++] = $i } END { print w[32] }')
	_got="$(( (0x$_r >> 2) & 1 )) $(( (0x$_r >> 18) & 1 )) $(( (0x$_r >> 22) & 1 )) $(( (0x$_r >> 23) & 1 ))"
	diag "RCTL 0x$_r: SBP VFE DPF PMCF = $_got"
	[ "$_got" = "$*" ] || fail "RCTL 0x$_r: SBP VFE DPF PMCF = $_got, want $*"
}
f_ready() { { f_names && link_up "$A"; } || fail "topology not ready (A=${A:-none} B=${B:-none})"; }
f_peer_up() { in_peer sh -c "grep -q 1 /sys/class/net/$1/carrier"; }
f_ipv6() { # 0|1: disable IPv6 here and in the peer (1), or re-enable (0)
	for _k in all default; do
		echo "$1" >"/proc/sys/net/ipv6/conf/$_k/disable_ipv6"
		in_peer sh -c "echo $1 >/proc/sys/net/ipv6/conf/$_k/disable_ipv6"
	done
}

# ---- cases ---------------------------------------------------------------
t_setup() {
	klog_mark "filters start"
	module_loaded || load_driver || fail "loading $DRIVER failed"
	link_quiet # nothing from earlier suites may count as a frame through a filter
	if [ -e /run/netns/peer ]; then ip netns del peer; fi
	wait_for 30 nics_ready || nics_diag_fail "NICs not ready"
	peer_setup || fail "peer namespace"
	f_names || fail "no interface names"
	diag "receiving NIC $A: driver $(nic_driver 0); sending NIC $B (netns peer): driver $(nic_driver 1)"
	f_ipv6 1 || fail "could not disable IPv6"
	in_peer ip link set lo up
	{ ip addr replace $LOCAL4/24 dev "$A" && ip link set "$A" up; } || fail "local address"
	{ in_peer ip addr replace $PEER4/24 dev "$B" && in_peer ip link set "$B" up; } || fail "peer address"
	in_peer ip route replace 224.0.0.0/4 dev "$B" || fail "peer multicast route"
	wait_for 30 link_up "$A" || fail "local: no carrier"
	wait_for 30 f_peer_up "$B" || fail "peer: no carrier"
	{ ip neigh replace $PEER4 lladdr "$(in_peer cat "/sys/class/net/$B/address")" dev "$A" nud permanent &&
		f_peer_neigh $LOCAL4 "$(cat "/sys/class/net/$A/address")"; } || fail "neighbours"
	{ f_peer_neigh $FOREIGN_IP $FOREIGN_MAC && f_peer_neigh $OTHER_IP $OTHER_MAC; } || fail "neighbours"
	wait_for 30 f_ping_ok 1 $LOCAL4 || fail "no ping reply from $LOCAL4"
	f_ping_ok 5 $LOCAL4 || fail "ping: $(tr '\n' ' ' <"$STATE/f.ping")"
}

t_mc_unsubscribed() {
	f_ready
	f_dropped "group $GROUP, not subscribed" $GROUP
}

t_mc_subscribed() {
	f_ready
	ip maddr add $GROUP_MAC dev "$A" || fail "ip maddr add"
	ip maddr show dev "$A" | grep -q "$GROUP_MAC" || fail "subscription not listed"
	f_accepted "group $GROUP, subscribed" $GROUP
	f_dropped "group $GROUP2, not subscribed" $GROUP2
}

t_mc_left() {
	f_ready
	ip maddr del $GROUP_MAC dev "$A" || fail "ip maddr del"
	f_dropped "group $GROUP, left" $GROUP
}

t_allmulti() {
	f_ready
	ip link set "$A" allmulticast on || fail "allmulticast on"
	f_accepted "group $GROUP2, all-multicast" $GROUP2
	ip link set "$A" allmulticast off || fail "allmulticast off"
	f_dropped "group $GROUP2, all-multicast off" $GROUP2
}

t_promisc() {
	f_ready
	f_dropped "foreign MAC $FOREIGN_MAC" $FOREIGN_IP
	ip link set "$A" promisc on || fail "promisc on"
	f_accepted "foreign MAC $FOREIGN_MAC, promiscuous" $FOREIGN_IP
	ip link set "$A" promisc off || fail "promisc off"
	f_dropped "foreign MAC $FOREIGN_MAC, promiscuous off" $FOREIGN_IP
}

# The interface's promiscuity count (the core raises it when a driver without
# IFF_UNICAST_FLT is given extra unicast addresses).
f_promiscuity() { ip -d link show dev "$A" | sed -n 's/.* promiscuity \([0-9]*\).*/\1/p'; }

t_uc_extra() {
	f_ready
	bridge fdb add $FOREIGN_MAC dev "$A" self permanent || fail "bridge fdb add"
	bridge fdb show dev "$A" 2>/dev/null | grep -q "$FOREIGN_MAC" || diag "fdb entry not listed"
	diag "promiscuity $(f_promiscuity)"
	[ "$(f_promiscuity)" = 0 ] || fail "the core made $A promiscuous for an extra unicast address"
	f_accepted "extra unicast $FOREIGN_MAC" $FOREIGN_IP
	f_dropped "unlisted unicast $OTHER_MAC" $OTHER_IP
	bridge fdb del $FOREIGN_MAC dev "$A" self || fail "bridge fdb del"
	f_dropped "extra unicast $FOREIGN_MAC removed" $FOREIGN_IP
}

f_uc_mac() { printf '02:00:00:00:01:%02x' "$1"; }
t_uc_overflow() {
	f_ready
	for i in $(seq 1 23); do
		bridge fdb add "$(f_uc_mac "$i")" dev "$A" self permanent || fail "bridge fdb add #$i"
	done
	f_peer_neigh 10.0.0.105 "$(f_uc_mac 5)" || fail "neighbour"
	if bridge fdb add "$(f_uc_mac 24)" dev "$A" self permanent 2>"$STATE/f.err"; then
		diag "24 extra unicast addresses, promiscuity $(f_promiscuity)"
		f_accepted "unlisted $OTHER_MAC, 24 extra addresses (unicast promiscuous)" $OTHER_IP
		bridge fdb del "$(f_uc_mac 24)" dev "$A" self || fail "bridge fdb del #24"
	elif [ "$(nic_driver 0)" = igb ]; then
		# The C igb's ndo_fdb_add refuses more addresses than free RAR entries.
		diag "igb refused a 24th address: $(cat "$STATE/f.err")"
	else
		fail "bridge fdb add #24: $(cat "$STATE/f.err")"
	fi
	f_dropped "unlisted $OTHER_MAC, 23 extra addresses" $OTHER_IP
	f_accepted "listed $(f_uc_mac 5), 23 extra addresses" 10.0.0.105
	for i in $(seq 1 23); do
		bridge fdb del "$(f_uc_mac "$i")" dev "$A" self || fail "bridge fdb del #$i"
	done
	f_dropped "$(f_uc_mac 5) removed" 10.0.0.105
}

t_mac_change() {
	f_ready
	old=$(cat "/sys/class/net/$A/address")
	ip link set "$A" address $NEW_MAC || fail "ip link set address $NEW_MAC"
	now=$(cat "/sys/class/net/$A/address")
	diag "address $old -> $now"
	[ "$now" = $NEW_MAC ] || fail "address reads back as $now"
	# The peer must learn the new address by ARP.
	in_peer ip neigh del $LOCAL4 dev "$B"
	wait_for 20 f_ping_ok 1 $LOCAL4 || fail "no reply with the new address"
	f_ping_ok 5 $LOCAL4 || fail "ping with the new address: $(tr '\n' ' ' <"$STATE/f.ping")"
	learnt=$(in_peer ip neigh show $LOCAL4 dev "$B" | awk '{ print $3 }')
	diag "peer resolved $LOCAL4 to $learnt"
	[ "$learnt" = $NEW_MAC ] || fail "peer resolved $LOCAL4 to $learnt"
	f_peer_neigh $LOCAL4 "$old" || fail "neighbour"
	f_dropped "frames to the old address $old" $LOCAL4
	ip link set "$A" address "$old" || fail "restoring $old"
	[ "$(cat "/sys/class/net/$A/address")" = "$old" ] || fail "address not restored"
	f_ping_ok 5 $LOCAL4 || fail "ping after restoring: $(tr '\n' ' ' <"$STATE/f.ping")"
}

t_mac_invalid() {
	f_ready
	old=$(cat "/sys/class/net/$A/address")
	for bad in 01:00:5e:00:00:01 00:00:00:00:00:00; do
		if ip link set "$A" address $bad 2>"$STATE/f.err"; then
			fail "address $bad accepted"
		fi
		diag "address $bad rejected: $(cat "$STATE/f.err")"
		[ "$(cat "/sys/class/net/$A/address")" = "$old" ] || fail "address changed to $(cat "/sys/class/net/$A/address")"
	done
	f_ping_ok 5 $LOCAL4 || fail "ping after the rejected changes: $(tr '\n' ' ' <"$STATE/f.ping")"
}

# f_vlans: (re)create VLAN 20 here (A.20, 10.0.20.1) and VLANs 20 and 30 in the
# peer (10.0.20.2, 10.0.30.2), with permanent neighbours towards NIC 0's MAC.
f_vlans() {
	modprobe 8021q 2>/dev/null || [ -d /proc/net/vlan ] || skip "no 802.1Q support (CONFIG_VLAN_8021Q)"
	ip link del "$A.20" 2>/dev/null
	ip link add link "$A" name "$A.20" type vlan id 20 || fail "ip link add $A.20"
	{ ip addr add 10.0.20.1/24 dev "$A.20" && ip link set "$A.20" up; } || fail "$A.20"
	for _v in 20 30; do
		in_peer ip link show "$B.$_v" >/dev/null 2>&1 ||
			in_peer ip link add link "$B" name "$B.$_v" type vlan id $_v || fail "peer VLAN $_v"
		{ in_peer ip addr replace 10.0.$_v.2/24 dev "$B.$_v" && in_peer ip link set "$B.$_v" up; } ||
			fail "peer VLAN $_v address"
	done
	_mac=$(cat "/sys/class/net/$A/address")
	{ ip neigh replace 10.0.20.2 lladdr "$(in_peer cat "/sys/class/net/$B/address")" dev "$A.20" nud permanent &&
		f_peer_neigh 10.0.20.1 "$_mac" "$B.20" && f_peer_neigh 10.0.30.1 "$_mac" "$B.30"; } || fail "neighbours"
}

t_vlan_filter() {
	f_ready
	f_vlans
	mac=$(cat "/sys/class/net/$A/address")
	wait_for 20 f_ping_ok 1 10.0.20.1 || fail "no reply over VLAN 20"
	f_ping_ok 5 10.0.20.1 || fail "ping over VLAN 20: $(tr '\n' ' ' <"$STATE/f.ping")"
	f_dropped "VLAN 30 (no interface) to $mac" 10.0.30.1
	ip link set "$A" promisc on || fail "promisc on"
	f_accepted "VLAN 30, promiscuous (VLAN filter off)" 10.0.30.1
	ip link set "$A" promisc off || fail "promisc off"
	f_dropped "VLAN 30, promiscuous off" 10.0.30.1
	# Receive-all: VLAN filtering off too; bad and MAC control frames kept (igb_setup_rctl,
	# igb_set_rx_mode; QEMU sends no bad frame, so the bits are read back instead).
	ethtool -K "$A" rx-all on || fail "rx-all on"
	f_rctl 1 0 0 1
	f_accepted "VLAN 30, rx-all (VLAN filter off)" 10.0.30.1
	ethtool -K "$A" rx-all off || fail "rx-all off"
	f_rctl 0 1 0 0
	f_dropped "VLAN 30, rx-all off" 10.0.30.1
	ip link del "$A.20" || fail "ip link del $A.20"
	f_dropped "VLAN 20 after deleting $A.20" 10.0.20.1
}

t_down_up_keeps_filters() {
	f_ready
	f_vlans
	ip maddr add $GROUP_MAC dev "$A" || fail "ip maddr add"
	ip link set "$A" address $NEW_MAC || fail "new address"
	{ ip link set "$A" down && ip link set "$A" up; } || fail "down/up"
	wait_for 30 link_up "$A" || fail "no carrier after up"
	ip link set "$A.20" up
	{ f_peer_neigh $LOCAL4 $NEW_MAC && f_peer_neigh 10.0.20.1 $NEW_MAC "$B.20" &&
		f_peer_neigh 10.0.30.1 $NEW_MAC "$B.30"; } || fail "neighbours"
	wait_for 20 f_ping_ok 1 $LOCAL4 || fail "no reply after down/up"
	f_ping_ok 5 $LOCAL4 || fail "ping to the new address after down/up"
	wait_for 20 f_ping_ok 1 10.0.20.1 || fail "no reply over VLAN 20 after down/up"
	f_ping_ok 5 10.0.20.1 || fail "ping over VLAN 20 after down/up"
	f_accepted "group $GROUP after down/up" $GROUP
	f_dropped "group $GROUP2 after down/up" $GROUP2
	f_dropped "VLAN 30 after down/up" 10.0.30.1
	f_dropped "foreign MAC after down/up" $FOREIGN_IP
}

t_teardown() {
	f_names
	[ -z "$A" ] || { ip link del "$A.20" 2>/dev/null; ip maddr del $GROUP_MAC dev "$A" 2>/dev/null; }
	[ -z "$A" ] || ip link set "$A" address "$(nic_mac 0)" 2>/dev/null
	f_ipv6 0
	peer_teardown || nics_diag_fail "NIC 1 did not come back from the namespace"
	klog_since "filters start" | klog_bad >"$STATE/f.bad"
	[ ! -s "$STATE/f.bad" ] || { diag_klog <"$STATE/f.bad"; fail "kernel log reports problems"; }
}

run_case setup t_setup
run_case mc_unsubscribed t_mc_unsubscribed
run_case mc_subscribed t_mc_subscribed
run_case mc_left t_mc_left
run_case allmulti t_allmulti
run_case promisc t_promisc
run_case uc_extra t_uc_extra
run_case uc_overflow t_uc_overflow
run_case mac_change t_mac_change
run_case mac_invalid t_mac_invalid
run_case vlan_filter t_vlan_filter
run_case down_up_keeps_filters t_down_up_keeps_filters
run_case teardown t_teardown
