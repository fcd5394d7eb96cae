#!/usr/bin/env bash
# Install what `make bench` needs beyond scripts/setup.sh: a Python venv under
# the cache with matplotlib (from PyPI) for the chart scripts/bench-report.py
# draws, and Debian's linux-perf for the profiling pass (its perf is packed into
# the guest). Idempotent; prints the venv's python on stdout.
#
#   scripts/setup-bench.sh
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
log() { printf '[setup-bench] %s\n' "$*" >&2; }
die() { printf '[setup-bench] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
apt_install() { # PACKAGE...
	log "apt-get install $*"
	$SUDO apt-get update -q >/dev/null || die "apt-get update failed"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		die "cannot install $*"
}
command -v perf >/dev/null || apt_install linux-perf

venv=$RUST_IGB_CACHE/bench-venv
py=$venv/bin/python3
if [ -x "$py" ] && "$py" -c 'import matplotlib' 2>/dev/null; then
	echo "$py"
	exit 0
fi
# The system's python3 (Debian: the venv module needs python3-venv).
sys_py=/usr/bin/python3
[ -x "$sys_py" ] || sys_py=$(command -v python3) || die "no python3"
"$sys_py" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
log "creating $venv with matplotlib (PyPI)"
rm -rf "$venv"
"$sys_py" -m venv "$venv" || die "python3 -m venv failed"
"$venv/bin/pip" install -q --disable-pip-version-check 'matplotlib>=3.6' >&2 || die "pip install matplotlib failed"
"$py" -c 'import matplotlib' || die "matplotlib does not import"
echo "$py"
