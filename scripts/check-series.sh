#!/usr/bin/env bash
# Run `make check` N times in a row on one commit, to show the suite is stable
# (issue 22): a clone of COMMIT (default HEAD) in DIR, then N runs, each logged
# to DIR/run-K.log, with one summary line per run on stdout and in DIR/summary:
#
#   run K COMMIT: "P passed, F failed" exit RC, MM:SS wall, HH:MM-HH:MM UTC
#
#   scripts/check-series.sh [-n N] [-c COMMIT] DIR
#
# N defaults to 5. The clone shares the kernel and initramfs caches with every
# other checkout (~/.cache/rust-igb), so only the first run on a new machine
# builds the kernels. Guests of other checkouts queue on the same QEMU lock:
# anything else booted meanwhile lengthens a run (note it beside the results).
# Stops after the current run if DIR/stop exists. Exit status: 0 if every run
# passed.
set -uo pipefail
n=5 commit=HEAD
while getopts n:c: o; do
	case $o in
	n) n=$OPTARG ;;
	c) commit=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:?usage: $0 [-n N] [-c COMMIT] DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
sha=$(git -C "$top" rev-parse --short "$commit") || exit 2
[ ! -e "$dir" ] || { echo "$dir exists; give a new directory" >&2; exit 2; }
git clone -q "$top" "$dir/src" && git -C "$dir/src" checkout -q "$sha" || exit 2
rc_all=0
for k in $(seq 1 "$n"); do
	[ -e "$dir/stop" ] && break
	t0=$(date +%s) s=$(date -u +%H:%M)
	(cd "$dir/src" && make check) >"$dir/run-$k.log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - t0 ))
	res=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$dir/run-$k.log" | tail -1)
	line=$(printf 'run %d %s: "%s" exit %d, %d:%02d wall, %s-%s UTC' "$k" "$sha" \
		"${res:-no summary}" "$rc" $((secs / 60)) $((secs % 60)) "$s" "$(date -u +%H:%M)")
	echo "$line" | tee -a "$dir/summary"
	[ "$rc" = 0 ] || rc_all=1
done
exit $rc_all
