# shellcheck shell=sh
# "show" suite, for `make run` (INTERACTIVE=1 scripts/guest-run.sh): load the
# driver, bring both NICs up and print what they look like (ip, ethtool, link,
# the driver's kernel-log lines). Sourced by /init after lib.sh.

t_show() {
	klog_mark "load $DRIVER"
	module_loaded || load_driver || fail "loading $DRIVER failed"
	wait_for 30 nics_ready || nics_diag_fail "NICs bound to $DRIVER (with their MACs) did not appear"
	for i in 0 1; do ip link set "$(nic_name "$i")" up; done
	wait_for 30 link_up "$(nic_name 0)" && wait_for 30 link_up "$(nic_name 1)"
	linked=$?
	echo "==== ip -br link"
	ip -br link
	for i in 0 1; do
		ifc=$(nic_name "$i")
		echo "==== ethtool -i $ifc ($(nic_pci "$i"))"
		ethtool -i "$ifc"
		echo "==== ethtool $ifc"
		ethtool "$ifc" | grep -E 'Speed|Duplex|Auto-negotiation|Link detected'
	done
	echo "==== kernel log of $DRIVER since load"
	klog_since "load $DRIVER" | grep -E "$DRIVER|$(nic_name 0)|$(nic_name 1)|$(echo "$PCI_ADDRS" | tr ' ' '|')"
	echo "===="
	[ $linked = 0 ] || fail "no link within 30 s"
}

run_case show t_show
