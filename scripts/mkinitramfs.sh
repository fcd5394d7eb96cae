#!/usr/bin/env bash
# Build the gzip'd cpio initramfs for the rust_igb QEMU tests.
#
#   scripts/mkinitramfs.sh OUT KDIR [SRC[:DEST]...]
#       full image: busybox (+ applet links), dash as /bin/sh, ip/tc/bridge/ethtool/devlink/iperf3/kmod
#       with their libraries, KDIR's installed modules, /init and /tests from
#       tests/guest/, plus extra files (DEST defaults to /root/<name>)
#   scripts/mkinitramfs.sh --overlay OUT SRC:DEST...
#       small image holding only these files, to append to a full one
#       (the kernel unpacks concatenated archives in order)
#   scripts/mkinitramfs.sh --key KDIR
#       print a hash of the full image's inputs, for caching
#   scripts/mkinitramfs.sh --python OUT KSRC
#       small image with python3.11, PyYAML and KSRC's YNL library and netlink
#       specs (`ynl --family netdev ...` in the guest), to append to a full one
#   scripts/mkinitramfs.sh --python-key KSRC
#       a hash of that image's inputs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
die() { printf '[initramfs] ERROR: %s\n' "$*" >&2; exit 1; }

tools=(dash ip tc bridge ethtool devlink iperf3 kmod)
kmod_links=(modprobe insmod rmmod lsmod modinfo depmod)
guest=$top/tests/guest

tool() { command -v "$1" || die "$1 not found (run scripts/setup.sh)"; }
modules_dir() {
	local kver
	kver=$(cat "$1/include/config/kernel.release") || die "$1: no kernel.release (not a built kernel?)"
	[ -d "$1/mods/lib/modules/$kver" ] || die "$1: no installed modules in mods/lib/modules/$kver"
	echo "$1/mods/lib/modules/$kver"
}

# Copy host file $1 to $stage$2 (default: same path), dereferencing links.
put() { install -D -m "$(stat -L -c %a "$1")" "$1" "$stage${2:-$1}"; }
# Copy an ELF executable with the libraries and interpreter ldd reports.
put_elf() {
	put "$1"
	{ ldd "$1" || true; } | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' |
		while read -r lib; do [ -e "$stage$lib" ] || put "$lib"; done
}

pack() { # OUT: archive $stage
	# A private temporary name, renamed atomically: concurrent runs with the
	# same cache key must never write into each other's half-built archive.
	local tmp
	tmp=$(mktemp "$1.XXXXXX.tmp")
	(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
		gzip -1 >"$tmp"
	mv -f "$tmp" "$1"
}

put_extras() { # SRC[:DEST]...
	local a
	for a; do
		[ -f "${a%%:*}" ] || die "no such file: ${a%%:*}"
		case $a in *:*) put "${a%%:*}" "${a#*:}" ;; *) put "$a" "/root/$(basename "$a")" ;; esac
	done
}

full() { # OUT KDIR EXTRA...
	local out=$1 kdir=$2 mods path
	shift 2
	mods=$(modules_dir "$kdir")
	mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,proc,sys,dev,tmp,run,etc,root,mnt,var}
	ln -s /run "$stage/var/run"
	mknod -m 600 "$stage/dev/console" c 5 1 2>/dev/null || true
	put "$(tool busybox)" /bin/busybox
	for t in "${tools[@]}"; do put_elf "$(tool "$t")"; done
	for t in "${kmod_links[@]}"; do ln -s "$(tool kmod)" "$stage/sbin/$t"; done
	# Applet links, except where a real tool (or kmod link) already is. /bin/sh
	# is dash: Debian's busybox ash runs its own applets (ip, modprobe...) even
	# where $PATH has the real tool.
	ln -s "$(tool dash)" "$stage/bin/sh"
	while read -r path; do
		case " ${tools[*]} ${kmod_links[*]} " in *" ${path##*/} "*) continue ;; esac
		[ -e "$stage/$path" ] || [ -L "$stage/$path" ] || ln -s /bin/busybox "$stage/$path"
	done < <(busybox --list-full)
	printf 'export PATH=/usr/sbin:/usr/bin:/sbin:/bin\n' >"$stage/etc/profile"
	printf 'root:x:0:0:root:/root:/bin/sh\n' >"$stage/etc/passwd"
	printf 'root:x:0:\n' >"$stage/etc/group"
	echo rigb >"$stage/etc/hostname"
	# Modules: the whole installed tree (the test kernel builds only the few we need).
	mkdir -p "$stage/lib/modules/${mods##*/}"
	(cd "$mods" && find . -mindepth 1 -maxdepth 1 ! -name build ! -name source -exec cp -a {} "$stage/lib/modules/${mods##*/}/" \;)
	install -m 755 "$guest/init.sh" "$stage/init"
	install -D -m 644 -t "$stage/tests" "$guest"/*.sh "$guest"/*.txt "$guest"/*.awk
	put_extras "$@"
	pack "$out"
}

# The Python overlay (--python): Debian's python3.11 with the standard-library
# modules, PyYAML (with its libyaml extension) and the kernel's YNL library
# (tools/net/ynl/pyynl) and netlink specs of KSRC, in the tree's layout under
# /ksrc, so that `ynl --family netdev ...` runs in the guest (in-tree mode: the
# library finds the specs beside it). Which modules: what importing the YNL
# CLI and the kernel's NIC selftest harness modules loads on the host
# (python3.11 -B), each .py with its compiled __pycache__ .pyc, mtimes kept
# (the kernel restores them, so the guest uses the .pyc files as they are).
PY=/usr/bin/python3.11
# Modules the guest's Python code imports beyond what the YNL CLI pulls in.
PY_EXTRA=(argparse json subprocess threading ctypes dataclasses ipaddress uuid
	random queue fnmatch glob getopt inspect platform socket signal textwrap datetime
	selectors yaml)
python_overlay() { # OUT KSRC
	local out=$1 ksrc=$2 f rel
	[ -x "$PY" ] || die "$PY not found (apt-get install python3.11)"
	[ -f "$ksrc/tools/net/ynl/pyynl/cli.py" ] || die "$ksrc: no tools/net/ynl/pyynl/cli.py"
	put_elf "$PY" /usr/bin/python3.11
	ln -sf python3.11 "$stage/usr/bin/python3"
	# The module closure, as files of the host's interpreter.
	"$PY" -B -c '
import sys
sys.path.insert(0, sys.argv[1])
import importlib
for m in sys.argv[2:]:
    importlib.import_module(m)
from pyynl.lib import YnlFamily  # noqa: F401
import pyynl.cli  # noqa: F401
for mod in list(sys.modules.values()):
    f = getattr(mod, "__file__", None)
    if f and (f.startswith("/usr/lib/python3") and not f.startswith(sys.argv[1])):
        print(f)
' "$ksrc/tools/net/ynl" "${PY_EXTRA[@]}" | LC_ALL=C sort -u >"$stage/.pyfiles" ||
		die "python3.11 could not import the YNL library and its modules"
	while read -r f; do
		case $f in
		*.so) put_elf "$f" ;;
		*.py)
			install -D -p -m 644 "$f" "$stage$f"
			for c in "$(dirname "$f")/__pycache__/$(basename "$f" .py)".cpython-311*.pyc; do
				[ -f "$c" ] && install -D -p -m 644 "$c" "$stage$c"
			done
			;;
		esac
	done <"$stage/.pyfiles"
	rm -f "$stage/.pyfiles"
	# The kernel's YNL library and the specs it looks for beside it.
	for rel in tools/net/ynl/pyynl Documentation/netlink; do
		mkdir -p "$stage/ksrc/$rel"
		(cd "$ksrc/$rel" && find . -name '*.py' -o -name '*.yaml' | cpio -pdm --quiet "$stage/ksrc/$rel")
	done
	# No jsonschema in the guest: the specs are the kernel's own, not validated.
	printf '#!/bin/sh\nexec python3.11 /ksrc/tools/net/ynl/pyynl/cli.py --no-schema "$@"\n' >"$stage/usr/bin/ynl"
	chmod 755 "$stage/usr/bin/ynl"
	pack "$out"
}
# python_key KSRC: a hash of the Python overlay's inputs, for caching.
python_key() {
	{
		sha256sum "$0"
		stat -L -c '%n %s %Y' "$PY"
		find /usr/lib/python3.11 /usr/lib/python3/dist-packages/yaml -maxdepth 1 -printf '%P %s %T@\n' | LC_ALL=C sort
		(cd "$1" && find tools/net/ynl/pyynl Documentation/netlink -type f -printf '%P %s %T@\n' | LC_ALL=C sort)
	} | sha256sum | cut -c1-16
}

key() { # KDIR
	local mods
	mods=$(modules_dir "$1")
	{
		echo "$mods"
		sha256sum "$0" "$guest"/*
		for t in busybox "${tools[@]}"; do stat -L -c '%n %s %Y' "$(tool "$t")"; done
		(cd "$mods" && find . -type f -printf '%P %s %T@\n' | LC_ALL=C sort)
	} | sha256sum | cut -c1-16
}

case ${1:-} in
--key) [ $# = 2 ] || die "usage: $0 --key KDIR"; key "$2"; exit ;;
--python-key) [ $# = 2 ] || die "usage: $0 --python-key KSRC"; python_key "$2"; exit ;;
--overlay) mode=overlay; shift ;;
--python) mode=python; shift ;;
-*|"") die "usage: $0 OUT KDIR [SRC[:DEST]...] | --overlay OUT SRC:DEST... | --python OUT KSRC | --key KDIR | --python-key KSRC" ;;
*) mode=full ;;
esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
out=$1
shift
if [ $mode = overlay ]; then
	put_extras "$@"
	pack "$out"
elif [ $mode = python ]; then
	[ $# = 1 ] || die "usage: $0 --python OUT KSRC"
	python_overlay "$out" "$1"
else
	[ $# -ge 1 ] || die "usage: $0 OUT KDIR [SRC[:DEST]...]"
	full "$out" "$@"
fi
