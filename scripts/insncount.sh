#!/usr/bin/env bash
# The host side of `make insncount`: boot the bench kernel once under QEMU with
# the insncount TCG plugin (scripts/insncount/, built by setup-insncount.sh),
# run the guest suite tests/guest/insncount.sh (both drivers in turn, fixed
# workloads between phase marks) and print instructions and translation blocks
# per packet in each driver's module code, per path (scripts/insncount-report.py).
# See Documentation/benchmark.md, "Instruction counts".
#
#   [VAR=value...] scripts/insncount.sh KDIR MODULE
#
# KDIR is the bench kernel (scripts/build-kernel.sh bench; its System.map
# symbolises the kernel, booted with nokaslr), MODULE rust-igb.ko built
# against it. Settings (environment):
#   INSN_PINGS, INSN_UDP, INSN_UDP_RATE, INSN_TCP, INSN_DRIVERS
#                the workloads (tests/guest/insncount.sh: 1000 pings, 20000 UDP
#                datagrams of 64 bytes at 5 Mbit/s, 20 MB of TCP)
#   INSN_OUT     output directory (default $RUST_IGB_CACHE/insncount/runs); the
#                run writes <stamp>.counts (the plugin's output), <stamp>.log,
#                <stamp>.log.ktap, <stamp>.txt and <stamp>.md (the tables) there
#   INSN_DETAIL  also list the N costliest module functions per phase (default 0)
#   INSN_AGAINST an earlier run, as OUTDIR/STAMP: also print how far this run's
#                per-frame figures are from that one's (repeatability)
# With matplotlib in scripts/setup-bench.sh's venv, <stamp>.png charts the
# per-path figures of both drivers.
# Exit status: nonzero if the guest run failed or gave no phases.
set -euo pipefail
# The whole script is one function, read before it runs: editing this file
# while a run is under way must not change what the running shell executes.
main() {
	here=$(cd "$(dirname "$0")" && pwd)
	top=$(cd "$here/.." && pwd)
	# shellcheck source=versions.sh
	. "$here/versions.sh"
	log() { printf '[insncount] %s\n' "$*" >&2; }
	die() { printf '[insncount] ERROR: %s\n' "$*" >&2; exit 2; }

	kdir=${1:?usage: scripts/insncount.sh KDIR MODULE}
	module=${2:?usage: scripts/insncount.sh KDIR MODULE}
	[ -f "$module" ] || die "no module $module"
	[ -f "$kdir/System.map" ] || die "no $kdir/System.map"
	grep -q '^CONFIG_PROVE_LOCKING=y' "$kdir/.config" &&
		log "warning: $kdir has lockdep on (a debug kernel?): the counts will not be representative"

	plugin=$("$here/setup-insncount.sh")
	out=${INSN_OUT:-$RUST_IGB_CACHE/insncount/runs}
	mkdir -p "$out"
	stamp=$(date -u +%Y%m%d-%H%M%S)
	commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
	kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || echo unknown)
	kargs="nokaslr"
	for v in INSN_PINGS INSN_UDP INSN_UDP_RATE INSN_TCP INSN_DRIVERS; do
		val=${!v:-}
		[ -z "$val" ] || kargs+=" rigb.$(echo "$v" | tr A-Z a-z)=$val"
	done
	log "rust_igb $commit vs C igb on $kver: one boot, 3 vCPUs, plugin $plugin/libinsncount.so"

	extra=$(mktemp --suffix=.cpio.gz)
	trap 'rm -f "$extra"' EXIT
	"$here/mkinitramfs.sh" --overlay "$extra" "$plugin/insnmark:/usr/bin/insnmark"

	rc=0
	EXTRA_INITRD=$extra KDIR=$kdir MODULE=$module DRIVER=rust_igb TESTS=insncount QUIET=1 TIMEOUT=${INSN_TIMEOUT:-1800} \
		LOG="$out/$stamp.log" KERNEL_ARGS="$kargs" \
		QEMU_ARGS="-smp 3 -plugin $plugin/libinsncount.so,out=$out/$stamp.counts" \
		"$here/guest-run.sh" >"$out/$stamp.run" 2>&1 || rc=$?
	grep -E '^(not ok|    #|==== |[0-9]+ passed)' "$out/$stamp.run" || true
	[ "$rc" = 0 ] || log "guest run failed (exit $rc): see $out/$stamp.run"

	title="insncount: rust_igb $commit vs C igb, $kver (QEMU $(qemu-system-x86_64 --version | sed -n '1s/.*version \([^ ]*\).*/\1/p') TCG, 3 vCPUs), $(date -u +%Y-%m-%d)"
	# The chart needs matplotlib: the venv of scripts/setup-bench.sh if it
	# is there (make bench creates it), else tables only.
	py=python3 png=()
	venv_py=$RUST_IGB_CACHE/bench-venv/bin/python3
	if [ -x "$venv_py" ] && "$venv_py" -c 'import matplotlib' 2>/dev/null; then
		py=$venv_py png=(--png "$out/$stamp.png" --title "$title")
	fi
	{
		echo "$title"
		echo
		against=()
		[ -z "${INSN_AGAINST:-}" ] || against=(--against "$INSN_AGAINST.counts" "$INSN_AGAINST.log.ktap")
		"$py" "$here/insncount-report.py" --markdown "$out/$stamp.md" --detail "${INSN_DETAIL:-0}" "${against[@]}" \
			"${png[@]}" "$kdir/System.map" "$out/$stamp.counts" "$out/$stamp.log.ktap"
	} | tee "$out/$stamp.txt" || rc=1
	log "results: $out/$stamp.{txt,md,counts,log,log.ktap}$([ ${#png[@]} = 0 ] || echo ",png")"
	exit "$rc"
}
main "$@"
