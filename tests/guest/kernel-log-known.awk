# Known kernel reports that are not the driver's: a whole report block is
# replaced by one line "rigb: known kernel report dropped: NAME" before the
# kernel log is matched against kernel-log-bad.txt (scripts/guest-run.sh on the
# console log, the faults suite in the guest). A block runs from a line
# matching START to the first line matching END; it is dropped only if every
# pattern of an entry below occurs in it, so any other report (or a different
# lock chain in the same kind of report) still fails the run. busybox awk.
#
# pciehp_lockdep: Linux 7.3's pciehp takes ctrl->reset_lock (read) and then
#   pci_rescan_remove_lock in pciehp_disable_slot -> pciehp_unconfigure_device,
#   which drops and retakes reset_lock around each device's removal while
#   holding pci_rescan_remove_lock; lockdep reports the inversion ("possible
#   circular locking dependency") on the first hot-unplug of any device, with
#   any driver (the chain has no driver frame). Lockdep turns itself off after
#   it, for the rest of the boot: the faults suite runs its removal cases last.
BEGIN {
	START = "WARNING: possible circular locking dependency detected"
	END_RE = "</TASK>"
	n = 0
	known["pciehp_lockdep"] = "is trying to acquire lock:|&ctrl->reset_lock.*at: pciehp_unconfigure_device|but task is already holding lock:|pci_rescan_remove_lock.*at: pciehp_unconfigure_device|Comm: irq/[0-9]+-pciehp"
}
function flush(   name, pats, np, i, ok, j, hit) {
	for (name in known) {
		np = split(known[name], pats, "|")
		ok = 1
		for (i = 1; i <= np && ok; i++) {
			hit = 0
			for (j = 1; j <= n; j++) if (buf[j] ~ pats[i]) { hit = 1; break }
			if (!hit) ok = 0
		}
		if (ok) { print "rigb: known kernel report dropped: " name; n = 0; return }
	}
	for (j = 1; j <= n; j++) print buf[j]
	n = 0
}
n > 0 {
	buf[++n] = $0
	if ($0 ~ END_RE || n > 400) flush()
	next
}
index($0, START) { buf[++n] = $0; next }
{ print }
END { if (n) flush() }
