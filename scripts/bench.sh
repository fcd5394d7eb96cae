#!/usr/bin/env bash
# The host side of `make bench`: boot the bench kernel once with both NICs and
# run the guest suite tests/guest/bench.sh, which measures the C igb and
# rust_igb alternately on the same NICs; then print the summary table and
# write the chart (scripts/bench-report.py). See Documentation/benchmark.md.
#
#   [VAR=value...] scripts/bench.sh KDIR MODULE
#
# KDIR is the bench kernel (scripts/build-kernel.sh bench), MODULE rust-igb.ko
# built against it. Settings (environment):
#   BENCH_REPS   repetitions, each measuring both drivers (default 5)
#   BENCH_TIME   seconds per iperf3 run (default 5)
#   BENCH_PINGS  pings for the latency metric (default 200)
#   BENCH_PIN    1 (default): each end on its own vCPU (its NIC's interrupts and
#                its programs); 0: placement left to the drivers and scheduler
#   BENCH_CPUS   guest vCPUs, 2 (default), 4, 6 or 8: each end gets half of them;
#                with 4 or more, each NIC runs one queue pair per CPU and the
#                suite adds 8-stream TCP runs (tcp8_tx/rx) and the RX queues
#                RSS spread them over (the multi-queue path, measured). On a
#                2-core host 4 vCPUs share the cores: compare the drivers with
#                each other, not with a 2-vCPU run
#   BENCH_OUT    output directory (default $RUST_IGB_CACHE/bench); the run writes
#                <stamp>.log (console), <stamp>.log.ktap, <stamp>.txt (table),
#                <stamp>.md (table, Markdown) and <stamp>.png (chart) there
#   BENCH_PNG    also copy the chart here (e.g. Documentation/bench.png)
#   BENCH_INSN   1 (default): then count instructions per frame per path in each
#                driver's module (scripts/insncount.sh, a boot of its own; its
#                tables and chart go to BENCH_OUT/insncount). 0: don't.
#   BENCH_PROFILE  1 (default): after the measured repetitions, profile each driver
#                once with the host's perf (linux-perf), packed into the initramfs
#                with its libraries; skipped if the host has no perf. 0: don't.
# Exit status: nonzero if the guest run failed (a driver did not come up, a
# measurement gave no result) or a metric has no results; not for missed targets.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
log() { printf '[bench] %s\n' "$*" >&2; }
die() { printf '[bench] ERROR: %s\n' "$*" >&2; exit 2; }

kdir=${1:?usage: scripts/bench.sh KDIR MODULE}
module=${2:?usage: scripts/bench.sh KDIR MODULE}
[ -f "$module" ] || die "no module $module"
reps=${BENCH_REPS:-5} secs=${BENCH_TIME:-5} pings=${BENCH_PINGS:-200} pin=${BENCH_PIN:-1}
cpus=${BENCH_CPUS:-2}
[[ $pin =~ ^[01]$ ]] || die "BENCH_PIN must be 0 or 1"
[[ $cpus =~ ^(2|4|6|8)$ ]] || die "BENCH_CPUS must be 2, 4, 6 or 8 (two equal halves, one per end)"
for v in "$reps" "$secs" "$pings"; do
	[[ $v =~ ^[1-9][0-9]*$ ]] || die "BENCH_REPS, BENCH_TIME and BENCH_PINGS must be positive integers"
done
grep -q '^CONFIG_PROVE_LOCKING=y' "$kdir/.config" &&
	log "warning: $kdir has lockdep on (a debug kernel?): the figures will not be representative"

py=$("$here/setup-bench.sh")
out=${BENCH_OUT:-$RUST_IGB_CACHE/bench}
mkdir -p "$out"
stamp=$(date -u +%Y%m%d-%H%M%S)
commit=$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)
kver=$(cat "$kdir/include/config/kernel.release" 2>/dev/null || echo unknown)
# Per repetition and driver: 4 TCP runs and 1 UDP run of BENCH_TIME s plus
# ~1 s set-up each, the pings (~12 ms apart), load/unload ~5 s: 30 s for the
# defaults on the bench kernel. The timeout allows a guest 4 times slower.
per=$(( 5 * (secs + 1) + pings * 15 / 1000 + 5 ))
# With 4 or more vCPUs, two more TCP runs (8 streams each way).
[ "$cpus" -lt 4 ] || per=$(( per + 2 * (secs + 1) ))
timeout=$(( 2 * reps * per * 4 + 300 ))
log "rust_igb $commit vs C igb on $kver: $reps repetitions x 2 drivers, ${secs}s runs" \
	"(about $(( (2 * reps * per + 60) / 60 )) minutes; timeout ${timeout}s)"

# perf for the profiling pass: the host's binary and the libraries it links,
# as an extra archive appended to the initramfs.
profile=${BENCH_PROFILE:-1} extra=
if [ "$profile" = 1 ]; then
	if perf=$(command -v perf) && [ "$(head -c 4 "$perf" | tr -d '\0')" = $'\x7fELF' ]; then
		extra=$(mktemp --suffix=.cpio.gz)
		trap 'rm -f "$extra"' EXIT
		mapfile -t libs < <({ ldd "$perf" || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
		files=("$perf:/usr/bin/perf")
		for l in "${libs[@]}"; do files+=("$l:$l"); done
		"$here/mkinitramfs.sh" --overlay "$extra" "${files[@]}"
	else
		log "no perf binary on the host (apt-get install linux-perf): no profiling pass"
		profile=0
	fi
fi

rc=0
QEMU_ARGS="${QEMU_ARGS:-} -smp $cpus" \
EXTRA_INITRD=$extra KDIR=$kdir MODULE=$module DRIVER=rust_igb TESTS=bench QUIET=1 TIMEOUT=$timeout LOG="$out/$stamp.log" \
	KERNEL_ARGS="rigb.bench_reps=$reps rigb.bench_time=$secs rigb.bench_pings=$pings rigb.bench_profile=$profile rigb.bench_pin=$pin" \
	"$here/guest-run.sh" >"$out/$stamp.run" 2>&1 || rc=$?
grep -v '^# bench: ' "$out/$stamp.run" | grep -E '^(not ok|    #|==== |[0-9]+ passed)' || true
[ "$rc" = 0 ] || log "guest run failed (exit $rc): see $out/$stamp.run"

title="rust_igb $commit vs C igb, $kver (QEMU TCG, $cpus vCPUs), $(date -u +%Y-%m-%d), ${reps}x${secs}s$([ "$pin" = 1 ] && echo ", ends pinned")"
"$py" "$here/bench-report.py" --title "$title" --png "$out/$stamp.png" --markdown "$out/$stamp.md" \
	"$out/$stamp.log.ktap" | tee "$out/$stamp.txt" || rc=1
if [ -n "${BENCH_PNG:-}" ] && [ -f "$out/$stamp.png" ]; then
	cp "$out/$stamp.png" "$BENCH_PNG"
	log "chart copied to $BENCH_PNG"
fi
log "results: $out/$stamp.{txt,md,png,log,log.ktap}"
# The deterministic figures beside the timed ones: instructions per frame in
# each driver's module, per path, in a boot of its own under the counting
# plugin (scripts/insncount.sh, its outputs in $out/insncount).
if [ "${BENCH_INSN:-1}" = 1 ]; then
	log "instruction counts (BENCH_INSN=0 skips them): one more boot, a few minutes"
	INSN_OUT="$out/insncount" "$here/insncount.sh" "$kdir" "$module" || rc=1
fi
exit "$rc"
