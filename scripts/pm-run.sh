#!/usr/bin/env bash
# Run the "pm" guest suite (tests/guest/pm.sh) with its host-side waker.
#
#   [VAR=value...] scripts/pm-run.sh [VAR=value...]
#
# Takes the settings of scripts/guest-run.sh (KDIR, MODULE, DRIVER, TIMEOUT,
# QUIET, QEMU_LOCK, LOG, KERNEL_ARGS, ...); TESTS defaults to pm. It adds a
# QEMU monitor socket and runs a waker next to the guest that watches the
# console log for the suite's marks:
#   "rigb: sleep freeze"  -> `system_powerdown` 3 s later: the ACPI power
#       button, a wake-up source of suspend-to-idle. The RTC alarm cannot wake
#       suspend-to-idle under QEMU with ACPI: rtc-cmos arms the ACPI RTC fixed
#       event, which QEMU raises only while the whole VM is suspended (S3).
#   "rigb: sleep mem"     -> `system_wakeup` PM_BACKSTOP (default 40) s later, in
#       case the RTC alarm (which does wake S3) did not; the suite reports how
#       long the guest slept, so a backstop wake-up shows.
# The guest is told with rigb.pm_waker=1 (without it the freeze cases skip);
# no_console_suspend keeps the console (and so the marks) flowing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"

for a; do
	case $a in [A-Z]*=*) export "${a?}" ;; *) echo "pm-run: unknown argument '$a' (use VAR=value)" >&2; exit 2 ;; esac
done
export TESTS=${TESTS:-pm}
export LOG=${LOG:-$RUST_IGB_CACHE/logs/$(date +%Y%m%d-%H%M%S)-pm.log}
PM_BACKSTOP=${PM_BACKSTOP:-40}
mkdir -p "$(dirname "$LOG")"
tmp=$(mktemp -d)
sock=$tmp/monitor.sock
export QEMU_ARGS="${QEMU_ARGS:-} -monitor unix:$sock,server=on,wait=off"
export KERNEL_ARGS="${KERNEL_ARGS:-} rigb.pm_waker=1 no_console_suspend"

# The waker: follows $LOG (guest-run.sh writes the console there) and talks
# to the monitor once QEMU has created the socket (after the QEMU lock).
python3 - "$LOG" "$sock" "$$" "$PM_BACKSTOP" <<'EOF' &
import os, socket, sys, time
log, path, parent, backstop = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

def alive():
    try:
        os.kill(parent, 0)
        return True
    except OSError:
        return False

def say(msg):
    print(f"[pm-waker] {time.strftime('%H:%M:%S')} {msg}", file=sys.stderr, flush=True)

mon = None
while alive() and mon is None:
    try:
        mon = socket.socket(socket.AF_UNIX)
        mon.connect(path)
    except OSError:
        mon = None
        time.sleep(0.5)
if mon is None:
    sys.exit(0)
mon.setblocking(False)
pos, partial, due = 0, "", []
while alive():
    try:
        if mon.recv(4096) == b"":
            break  # QEMU exited
    except BlockingIOError:
        pass
    except OSError:
        break
    try:
        with open(log, errors="replace") as f:
            f.seek(pos)
            data = f.read()
            pos = f.tell()
    except OSError:
        data = ""
    lines = (partial + data).split("\n")
    partial = lines.pop()
    now = time.time()
    for line in lines:
        if line.endswith("rigb: sleep freeze"):
            due.append((now + 3, "system_powerdown"))
        elif line.endswith("rigb: sleep mem"):
            due.append((now + backstop, "system_wakeup"))
    for item in [d for d in due if d[0] <= now]:
        due.remove(item)
        say(item[1])
        try:
            mon.sendall(item[1].encode() + b"\n")
        except OSError:
            break
    time.sleep(0.3)
EOF
waker=$!
set +e
"$here/guest-run.sh"
rc=$?
set -e
kill "$waker" 2>/dev/null || true
wait "$waker" 2>/dev/null || true
rm -rf "$tmp"
exit $rc
