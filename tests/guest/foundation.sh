# shellcheck shell=sh
# Foundation suite: the driver loads and binds both NICs with the right MACs,
# ethtool -i, link up/down, a quiet device after down, rmmod/insmod and
# unbind/bind cycles (bus mastering off while unbound), a clean
# kernel log, and the driver's KUnit results. Sourced by /init (after lib.sh);
# CYCLES (rigb.cycles) sets the number of reload/rebind cycles (default 20).
CYCLES=${CYCLES:-20}

each_nic() { for i in 0 1; do "$@" "$i" || return 1; done; }
# need_nics [MSG]: fail unless both NICs are bound to $DRIVER (MACs: see t_interfaces).
need_nics() { nics_bound || nics_diag_fail "${1:-NICs not bound to $DRIVER}"; }
set_up() { ip link set "$(nic_name "$1")" up; }

t_module_loads() {
	klog_mark "load $DRIVER"
	load_driver || fail "loading $DRIVER failed"
	module_loaded || fail "lsmod does not list module $(module_name)"
	[ -d "/sys/bus/pci/drivers/$DRIVER" ] || fail "no /sys/bus/pci/drivers/$DRIVER"
}

# KUnit suites the module ran when it was loaded (KTAP in the kernel log).
kunit_log() { klog_since "load $DRIVER" | sed -e '/^\[[^]]*\] rigb: /,$d' -e 's/^\[[^]]*\] //'; }
t_kunit_suite() {
	kunit_log | awk -v s="$1" '
		on { print }
		$0 == "    # Subtest: " s { on = 1; print }
		on && /^(not )?ok [0-9]+ / { if ($($1 == "not" ? 4 : 3) == s) exit }' >"$STATE/kunit"
	res=$(tail -n1 "$STATE/kunit")
	case $res in
	"ok "*" # SKIP"*) skip "${res#* # SKIP }" ;;
	"ok "*) return 0 ;;
	"not ok "*) diag_klog <"$STATE/kunit"; fail "KUnit suite $1 failed" ;;
	*) diag_klog <"$STATE/kunit"; fail "KUnit suite $1 did not finish" ;;
	esac
}
t_no_kunit() { skip "$DRIVER registers no KUnit suites"; }

t_interfaces() {
	wait_for 30 nics_ready || nics_diag_fail "two NICs bound to $DRIVER with the expected MACs did not appear"
	n=$(ls -d "/sys/bus/pci/drivers/$DRIVER"/0000:* 2>/dev/null | wc -l)
	[ "$n" = 2 ] || fail "$n devices bound to $DRIVER, expected 2"
	for i in 0 1; do nic_diag "$i"; done
}

ethtool_i() {
	out=$(ethtool -i "$(nic_name "$1")") || fail "ethtool -i $(nic_name "$1") failed"
	echo "$out" | grep -qx "driver: $DRIVER" ||
		fail "nic$1: ethtool -i says '$(echo "$out" | grep '^driver:')', expected 'driver: $DRIVER'"
	echo "$out" | grep -qx "bus-info: $(nic_pci "$1")" ||
		fail "nic$1: ethtool -i says '$(echo "$out" | grep '^bus-info:')', expected 'bus-info: $(nic_pci "$1")'"
}
t_ethtool_info() { need_nics; each_nic ethtool_i; }

both_up() { link_up "$(nic_name 0)" && link_up "$(nic_name 1)"; }
t_link_up() {
	need_nics
	each_nic set_up || fail "ip link set up failed"
	wait_for 30 both_up || fail "no carrier/operstate up within 30 s:" \
		"$(for i in 0 1; do ip -br link show "$(nic_name "$i")"; done | tr '\n' ' ')"
	for i in 0 1; do diag "nic$i: $(ethtool "$(nic_name "$i")" | grep -E 'Speed|Duplex|Link detected' | tr -d '\t' | tr '\n' ' ')"; done
}

# Admin down must drop the carrier (the driver calls netif_carrier_off), up must
# bring it back; counted through the carrier_{down,up}_count attributes.
count() { cat "/sys/class/net/$1/carrier_$2_count"; }
is_down() { [ "$(cat "/sys/class/net/$1/operstate")" = down ]; }
carrier_cycle() {
	ifc=$(nic_name "$1")
	wait_for 30 link_up "$ifc" || fail "$ifc: no link before the test"
	down0=$(count "$ifc" down) up0=$(count "$ifc" up)
	ip link set "$ifc" down || fail "ip link set $ifc down failed"
	wait_for 10 is_down "$ifc" || fail "$ifc: operstate $(cat "/sys/class/net/$ifc/operstate") after down"
	[ "$(count "$ifc" down)" -gt "$down0" ] || fail "$ifc: carrier not dropped on down"
	ip link set "$ifc" up || fail "ip link set $ifc up failed"
	wait_for 30 link_up "$ifc" || fail "$ifc: no carrier within 30 s after up"
	[ "$(count "$ifc" up)" -gt "$up0" ] || fail "$ifc: carrier_up_count did not increase"
}
t_carrier_follows() { need_nics; each_nic carrier_cycle; }

# Down must leave the device quiet (igb_down: interrupts masked, then the MAC
# reset): no interrupt cause or vector unmasked (IMS, EIMS), no ring address
# left in the queue registers (RDBAL/TDBAL of queue 0 point at freed memory
# otherwise). Read from the register dump of the downed interface (words of
# igb_get_regs: EIMS 15, IMS 21, RDBAL0 129, TDBAL0 211).
dump_word() { od -A n -t x4 -v -j $(( $2 * 4 )) -N 4 "$1" | tr -d ' '; }
down_quiet() {
	ifc=$(nic_name "$1")
	wait_for 30 link_up "$ifc" || fail "$ifc: no link before the test"
	ip link set "$ifc" down || fail "ip link set $ifc down failed"
	ethtool -d "$ifc" raw on >"$STATE/down.d" || fail "$ifc: ethtool -d while down"
	ip link set "$ifc" up || fail "ip link set $ifc up failed"
	for w in EIMS:15 IMS:21 RDBAL0:129 TDBAL0:211; do
		v=$(dump_word "$STATE/down.d" "${w#*:}")
		[ "$v" = 00000000 ] || fail "$ifc: ${w%:*} is 0x$v after down, expected 0"
	done
	wait_for 30 link_up "$ifc" || fail "$ifc: no carrier within 30 s after up"
}
t_down_quiet() { need_nics; each_nic down_quiet; }

# After unbind (or rmmod) the device must not be able to reach memory: bus
# mastering (PCI_COMMAND bit 2) cleared, as igb_remove's pci_disable_device.
pci_command() { od -A n -t x2 -v -j 4 -N 2 "/sys/bus/pci/devices/$(nic_pci "$1")/config" | tr -d ' '; }
no_busmaster() {
	cmd=$(pci_command "$1") || fail "nic$1: cannot read PCI config space"
	[ $(( 0x$cmd & 4 )) = 0 ] || fail "nic$1: bus mastering still on after the driver let go (PCI_COMMAND 0x$cmd)"
}

# Cycles bring the interfaces up first so that close-on-remove is exercised.
t_reload_cycles() {
	for c in $(seq "$CYCLES"); do
		need_nics "cycle $c: NICs not ready"
		each_nic set_up || fail "cycle $c: ip link set up failed"
		unload_driver || fail "cycle $c: rmmod $(module_name) failed"
		wait_for 20 nics_gone || fail "cycle $c: netdevs still present after rmmod"
		! module_loaded || fail "cycle $c: module still listed after rmmod"
		[ ! -d "/sys/bus/pci/drivers/$DRIVER" ] || fail "cycle $c: PCI driver still registered after rmmod"
		each_nic no_busmaster
		load_driver || fail "cycle $c: loading $DRIVER failed"
		wait_for 30 nics_ready || nics_diag_fail "cycle $c: NICs did not come back (with their MACs) after load"
	done
	diag "$CYCLES cycles"
}

bind_op() { nic_pci "$2" >"/sys/bus/pci/drivers/$DRIVER/$1"; }
t_rebind_cycles() {
	for c in $(seq "$CYCLES"); do
		need_nics "cycle $c: NICs not ready"
		each_nic set_up || fail "cycle $c: ip link set up failed"
		each_nic bind_op unbind || fail "cycle $c: unbind failed"
		wait_for 20 nics_gone || fail "cycle $c: netdevs still present after unbind"
		if nic_driver 0 >/dev/null || nic_driver 1 >/dev/null; then fail "cycle $c: a NIC is still bound after unbind"; fi
		each_nic no_busmaster
		each_nic bind_op bind || fail "cycle $c: bind failed"
		wait_for 30 nics_ready || nics_diag_fail "cycle $c: NICs did not come back (with their MACs) after bind"
	done
	diag "$CYCLES cycles"
}

# A device that is not a supported igb must be refused with a clear message
# and stay unbound: force QEMU's e1000e (00:07.0, present when `make check`
# adds it) onto rust_igb with driver_override, as one would on a real host.
t_refuses_other() {
	[ "$DRIVER" = rust_igb ] || skip "only for rust_igb"
	d=/sys/bus/pci/devices/0000:00:07.0
	[ -e $d ] || skip "no third NIC at 00:07.0 (QEMU_ARGS adds one)"
	klog_mark "offer 00:07.0"
	echo rust_igb >$d/driver_override || fail "driver_override"
	# The probe is expected to fail, and so may this write.
	echo 0000:00:07.0 >/sys/bus/pci/drivers_probe 2>/dev/null
	sleep 1
	echo >$d/driver_override
	[ -e $d/driver ] && fail "00:07.0 got bound to $(basename "$(readlink $d/driver)")"
	msg=$(klog_since "offer 00:07.0" | grep -m1 "rust_igb 0000:00:07.0: .*refusing it")
	diag "${msg:-no refusal message}"
	[ -n "$msg" ] || fail "no clear refusal message in the kernel log"
}

t_kernel_log_clean() {
	klog_since "suite $SUITE" | klog_bad >"$STATE/bad"
	[ -s "$STATE/bad" ] || return 0
	diag_klog <"$STATE/bad"
	fail "$(wc -l <"$STATE/bad") bad kernel-log lines since the suite started"
}

run_case module_loads t_module_loads
suites=$(kunit_log | sed -n 's/^    # Subtest: //p')
if [ -n "$suites" ]; then
	for s in $suites; do run_case "kunit.$s" t_kunit_suite "$s"; done
else
	run_case kunit t_no_kunit
fi
run_case interfaces t_interfaces
run_case ethtool_info t_ethtool_info
run_case link_up t_link_up
run_case carrier_follows_admin t_carrier_follows
run_case down_quiesces t_down_quiet
run_case reload_cycles t_reload_cycles
run_case rebind_cycles t_rebind_cycles
run_case refuses_other_devices t_refuses_other
run_case kernel_log_clean t_kernel_log_clean
