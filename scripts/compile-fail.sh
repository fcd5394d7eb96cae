#!/usr/bin/env bash
# Compile-fail tests: misuses of the net/ layer that must not compile.
#
#   KDIR=<kernel build dir> scripts/compile-fail.sh
#
# The contexts the layer makes into types (the RTNL token, the NAPI context,
# the process-context token devlink health reports need),
# the copied interface name, the page pool's missing `Sync`, the crate's
# `#![deny(unsafe_code)]` and the single owner of the shared control
# registers (ctl_regs.rs) are tested by the compiler refusing code that breaks
# them. Each probe group below is appended to a copy of the sources (in a
# temporary directory, never the work tree) and built; the test passes when
# the build fails with an error at every probe line. One build per group,
# since rustc stops before privacy checks and lints when name resolution or
# type checking fails.
# Prints "N passed, N failed"; exit status 0 only if all probes were refused.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$here")
# shellcheck source=versions.sh
. "$here/versions.sh"
: "${KDIR:?set KDIR to the test kernel build dir}"
LLVM=${LLVM:--$LLVM_VERSION}

tmp=$(mktemp -d /tmp/rust-igb-compile-fail.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# probe <name> <file> <code>: lines of <code> ending in "// refused" must each
# get an error located on them.
probe() {
	local name=$1 file=$2 code=$3 dir="$tmp/$1"
	mkdir -p "$dir"
	(cd "$src" && git ls-files -co --exclude-standard | grep -Ev '\.(o|ko|cmd)$' |
		tar cf - -T -) | tar xf - -C "$dir"
	local base
	base=$(wc -l <"$dir/$file")
	printf '%s\n' "$code" >>"$dir/$file"
	local out="$dir/build.log"
	if make -C "$KDIR" M="$dir" LLVM="$LLVM" modules >"$out" 2>&1; then
		echo "not ok - $name: the probes compiled"
		failed=$((failed + 1))
		return
	fi
	# Every error must point into the probe code: one elsewhere means the
	# sources do not build without the probes, which would prove nothing.
	local loc
	while IFS= read -r loc; do
		local f=${loc%%:*} l=${loc#*:}
		l=${l%%:*}
		if [ "$f" != "$file" ] || [ "$l" -le "$base" ]; then
			echo "not ok - $name: diagnostic outside the probes at $loc"
			failed=$((failed + 1))
			return
		fi
	done < <(awk '/^error/ { e = 1; next } e && /^ *--> / { print $2; e = 0 }' "$out")
	local n=0 line
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		*"// refused"*)
			local at=$((base + n))
			if grep -q -- "--> $file:$at:" "$out"; then
				echo "ok - $name: $file:$at refused: ${line%%//*}"
				passed=$((passed + 1))
			else
				echo "not ok - $name: $file:$at compiled: ${line%%//*}"
				failed=$((failed + 1))
			fi
			;;
		esac
	done <<<"$code"
}

probe types netdev.rs '
#[allow(dead_code, unused_variables)]
fn probe_types(dev: &Device<Adapter>, napi: &Napi<'"'"'_>, skb: SkBuff, hang: &crate::devlink::HangReport) {
    let _ = dev.napi_add(0); // refused: RTNL-only call without the token
    dev.set_mtu(1500); // refused: RTNL-only call without the token
    let _ = dev.set_real_num_queues(1, 1); // refused: RTNL-only call without the token
    let _ = dev.request_irqs(1, |_| (net::irq::VectorUse::Device, None)); // refused
    dev.cancel_watchdog(); // refused: e.g. from the watchdog itself
    let rtnl = crate::net::rtnl::Rtnl::assume_held(); // refused: only net/ makes tokens
    skb.consume(64); // refused: a budget needs the NAPI context
    let name: &kernel::str::CStr = dev.name(); // refused: the name is a copy
    fn assert_sync<X: Sync>() {}
    assert_sync::<crate::net::page_pool::PagePool>(); // refused: not Sync
    let _ = dev.health_report(c"hang", hang); // refused: a devlink report may sleep: needs the token
    let ctx = crate::net::process::Process::assume(); // refused: only net/ makes tokens
}
#[allow(dead_code)]
fn probe_process_send(ctx: Process<'"'"'_>) {
    fn assert_send<X: Send>(_: X) {}
    assert_send(ctx); // refused: the process-context token stays on its thread
}
#[allow(dead_code)]
fn probe_send(rtnl: Rtnl<'"'"'_>) {
    fn assert_send<X: Send>(_: X) {}
    assert_send(rtnl); // refused: a token stays on its thread
}
#[allow(dead_code)]
fn probe_escape(rtnl: Rtnl<'"'"'_>) -> Rtnl<'"'"'static> {
    rtnl // refused: a token cannot outlive its callback
}'

probe napi netdev.rs '
#[allow(dead_code, unreachable_code)]
fn probe_napi() {
    let _ = net::napi::Napi { slot: todo!(), budget: 64, completed: todo!() }; // refused
}'

# The shared control registers (ctl_regs.rs): no access outside their owner,
# and no write without its lock (or the probe-time token).
probe ctl_regs_paths filter.rs '
#[allow(dead_code)]
fn probe_ctl_regs_paths(bar: &Bar0<'"'"'_>) {
    let _ = crate::ctl_regs::sealed::Bar0Base; // refused: the base is private
    let _ = regs::CTRL::of::<crate::ctl_regs::sealed::Bar0Base>(); // refused: same
}'

probe ctl_regs_types filter.rs '
#[allow(dead_code)]
fn probe_ctl_regs_types(bar: &Bar0<'"'"'_>, a: &Adapter, v: regs::TCTL) {
    bar.write_reg(v); // refused: a relative register value carries no location
    bar.update(regs::RCTL::zeroed(), |r| r.with_upe(true)); // refused: nor is it one
    let _: regs::CTRL = bar.read(regs::CTRL::zeroed()); // refused: reads go through the owner
    a.ctl_regs.update_rctl(bar, |r| r.with_upe(true)); // refused: the lock must be taken
}'

probe ctl_regs_private filter.rs '
#[allow(dead_code)]
fn probe_ctl_regs_private() {
    let _ = crate::ctl_regs::CtlRegs { _private: () }; // refused: only the owner makes one
}'

probe unsafe stats.rs '
/// Probe: `unsafe` outside net/.
pub(crate) fn probe_unsafe(p: *const u32) -> u32 {
    // SAFETY: none; this must not compile.
    unsafe { *p } // refused: unsafe_code is denied outside net/
}'

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
