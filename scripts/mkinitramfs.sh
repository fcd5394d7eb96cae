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
#   scripts/mkinitramfs.sh --kselftest OUT KSRC
#       small image with what the kernel's NIC selftests (KSRC's
#       tools/testing/selftests/drivers/net/*.py, suite tests/guest/kselftest.sh)
#       need beyond the Python one: the test tree under /ksrc, its C helpers
#       and xdp_dummy.bpf.o built here, and /opt/ksft/bin with bash, socat,
#       iputils ping, ethtool 7.2 and a bpftrace stand-in
#   scripts/mkinitramfs.sh --kselftest-key KSRC
#       a hash of that image's inputs
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
die() { printf '[initramfs] ERROR: %s\n' "$*" >&2; exit 1; }
# shellcheck source=versions.sh
. "$here/versions.sh"

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
# Copy an ELF executable (to $2, default: the same path) with the libraries
# and interpreter ldd reports.
put_elf() {
	put "$1" "${2:-}"
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
	install -D -m 644 -t "$stage/tests" "$guest"/*.sh "$guest"/*.txt "$guest"/*.awk "$guest"/*.py
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
# py_closure DIR MODULE...: the files of the host interpreter's library that
# importing MODULEs (with DIR first on sys.path) loads, sorted.
py_closure() {
	"$PY" -B -c '
import sys
sys.path.insert(0, sys.argv[1])
import importlib
for m in sys.argv[2:]:
    importlib.import_module(m)
for mod in list(sys.modules.values()):
    f = getattr(mod, "__file__", None)
    if f and (f.startswith("/usr/lib/python3") and not f.startswith(sys.argv[1])):
        print(f)
' "$@" | LC_ALL=C sort -u
}
# put_pyfiles <LIST: each file (a .py with its compiled .pyc, mtimes kept; an
# extension module with its libraries).
put_pyfiles() {
	local f c
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
	done
}
python_overlay() { # OUT KSRC
	local out=$1 ksrc=$2 f rel
	[ -x "$PY" ] || die "$PY not found (apt-get install python3.11)"
	[ -f "$ksrc/tools/net/ynl/pyynl/cli.py" ] || die "$ksrc: no tools/net/ynl/pyynl/cli.py"
	put_elf "$PY" /usr/bin/python3.11
	ln -sf python3.11 "$stage/usr/bin/python3"
	py_closure "$ksrc/tools/net/ynl" "${PY_EXTRA[@]}" pyynl.lib pyynl.cli >"$stage/.pyfiles" ||
		die "python3.11 could not import the YNL library and its modules"
	put_pyfiles <"$stage/.pyfiles"
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

# The kselftest overlay (--kselftest), appended after the Python one. Tools go
# to /opt/ksft/bin, which only the kselftest suite puts first on $PATH: the
# other suites keep busybox ping and the host's ethtool 6.1 they were written
# for. The test files keep the kernel tree's layout under /ksrc (the harness's
# in-tree mode: ynl.py finds tools/net/ynl and Documentation/netlink/specs,
# which the Python overlay has, six levels above net/lib/py).
KSFT_TESTS=tools/testing/selftests
# The test files (and modules they import only when they run) whose imports
# make the overlay's module closure.
KSFT_PY=(ping stats queues napi_id napi_threaded netpoll_basic ring_reconfig xdp
	traceback string shlex tempfile logging.handlers)
# deb_get POOL_PATH SHA256 DIR: print the path of the mirror's .deb POOL_PATH
# in DIR, downloaded once and checked against SHA256 (a mismatch is fatal);
# status 1 if it cannot be downloaded.
deb_get() {
	local deb
	deb=$3/$(basename "$1")
	if ! echo "$2  $deb" | sha256sum -c --status 2>/dev/null; then
		mkdir -p "$3"
		curl -sSf -m 300 -o "$deb.tmp" "$DEBIAN_MIRROR/$1" 2>/dev/null || return 1
		echo "$2  $deb.tmp" | sha256sum -c --status || die "$1: sha256 differs from the expected $2"
		mv -f "$deb.tmp" "$deb"
	fi
	echo "$deb"
}
# ksft_ethtool: print the path of the pinned ethtool .deb, downloading it once.
# Debian's pool keeps a binary only while a suite lists it: when the pinned
# one is gone, the one sid lists now is taken instead, checked against the
# SHA256 of sid's package index (warned about: pin it in versions.sh), so a
# moved pool does not turn `make check` red.
ksft_ethtool() {
	local dir=$RUST_IGB_CACHE/kselftest fn sum
	deb_get "$KSFT_ETHTOOL_DEB" "$KSFT_ETHTOOL_SHA256" "$dir" && return
	mkdir -p "$dir"
	curl -sSf -m 300 "$DEBIAN_MIRROR/dists/sid/main/binary-amd64/Packages.xz" | xz -dc >"$dir/Packages.sid" ||
		die "cannot download $DEBIAN_MIRROR/$KSFT_ETHTOOL_DEB nor sid's package index"
	read -r fn sum < <(awk '/^Package: /{ p = ($2 == "ethtool") } p && /^Filename: /{ f = $2 }
		p && /^SHA256: /{ s = $2 } /^$/{ if (f != "" && s != "") { print f, s; exit } p = 0; f = s = "" }' "$dir/Packages.sid")
	rm -f "$dir/Packages.sid"
	[ -n "${fn:-}" ] && [ -n "${sum:-}" ] || die "no ethtool in sid's package index"
	echo "mkinitramfs: WARNING: $KSFT_ETHTOOL_DEB is gone from the pool; using sid's $fn (update KSFT_ETHTOOL_DEB/SHA256 in scripts/versions.sh)" >&2
	deb_get "$fn" "$sum" "$dir" || die "cannot download $DEBIAN_MIRROR/$fn"
}
kselftest_overlay() { # OUT KSRC
	local out=$1 ksrc=$2 t bin=/opt/ksft/bin gen deb
	local sel=$ksrc/$KSFT_TESTS dst=$stage/ksrc/$KSFT_TESTS
	[ -f "$sel/drivers/net/lib/py/env.py" ] || die "$ksrc: no $KSFT_TESTS/drivers/net/lib/py/env.py"
	mkdir -p "$stage$bin"
	# The test tree: the tests, their Python libraries (mtimes kept), and
	# .pyc files compiled for their guest paths.
	(cd "$ksrc" && find "$KSFT_TESTS/drivers/net" "$KSFT_TESTS/net/lib/py" -maxdepth 1 -name '*.py' |
		cpio -pdm --quiet "$stage/ksrc")
	(cd "$ksrc" && find "$KSFT_TESTS/drivers/net/lib/py" -name '*.py' | cpio -pdm --quiet "$stage/ksrc")
	# The standard-library modules the tests import beyond those of the Python
	# overlay (importing stats.py opens YNL genetlink sockets; read-only).
	py_closure "$ksrc/tools/net/ynl" "${PY_EXTRA[@]}" pyynl.lib pyynl.cli >"$stage/.py0" ||
		die "python3.11 could not import the YNL library and its modules"
	py_closure "$sel/drivers/net" "${KSFT_PY[@]}" >"$stage/.py1" || die "python3.11 could not import the selftests"
	LC_ALL=C comm -13 "$stage/.py0" "$stage/.py1" | put_pyfiles
	rm -f "$stage/.py0" "$stage/.py1"
	"$PY" -m compileall -q -s "$stage" -p / "$stage/ksrc/$KSFT_TESTS" >/dev/null ||
		die "python3.11 cannot compile the selftests"
	# Their C helpers and the XDP object ping.py attaches (bpf_helpers.h from
	# the tree's libbpf, its helper definitions generated as libbpf's build does).
	gcc -O2 -Wall -I "$sel/net/lib" -o "$dst/drivers/net/napi_id_helper" "$sel/drivers/net/napi_id_helper.c" ||
		die "cannot build napi_id_helper"
	gcc -O2 -Wall -I "$sel/net/lib" -o "$dst/net/lib/xdp_helper" "$sel/net/lib/xdp_helper.c" ||
		die "cannot build xdp_helper"
	gen=$stage/.bpfgen
	mkdir -p "$gen/bpf"
	cp "$ksrc/tools/lib/bpf/bpf_helpers.h" "$gen/bpf/"
	"$PY" "$ksrc/scripts/bpf_doc.py" --header --file "$ksrc/include/uapi/linux/bpf.h" >"$gen/bpf/bpf_helper_defs.h" ||
		die "cannot generate bpf_helper_defs.h"
	"clang-$LLVM_VERSION" --target=bpf -O2 -g -I "$ksrc/tools/include/uapi" -I "$gen" \
		-c "$sel/net/lib/xdp_dummy.bpf.c" -o "$dst/net/lib/xdp_dummy.bpf.o" || die "cannot build xdp_dummy.bpf.o"
	rm -rf "$gen"
	# Tools. bash: the netns remote runs each command as `bash -c`.
	for t in bash socat ping; do put_elf "$(tool "$t")" "$bin/$t"; done
	"$(tool ping)" -V | grep -q iputils || die "$(tool ping) is not iputils ping (apt-get install iputils-ping)"
	deb=$(ksft_ethtool)
	mkdir -p "$stage/.deb"
	dpkg-deb -x "$deb" "$stage/.deb"
	put_elf "$stage/.deb/usr/sbin/ethtool" "$bin/ethtool"
	rm -rf "$stage/.deb"
	install -m 755 "$top/tests/kselftest/bpftrace" "$stage$bin/bpftrace"
	pack "$out"
}
kselftest_key() { # KSRC
	{
		sha256sum "$0" "$top/tests/kselftest/bpftrace" "$here/versions.sh"
		for t in bash socat ping gcc "clang-$LLVM_VERSION" "$PY"; do stat -L -c '%n %s %Y' "$(tool "$t")"; done
		(cd "$1" && find "$KSFT_TESTS/drivers/net" "$KSFT_TESTS/net/lib" tools/lib/bpf/bpf_helpers.h \
			include/uapi/linux/bpf.h -type f -printf '%P %s %T@\n' | LC_ALL=C sort)
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
--kselftest-key) [ $# = 2 ] || die "usage: $0 --kselftest-key KSRC"; kselftest_key "$2"; exit ;;
--kselftest) mode=kselftest; shift ;;
--overlay) mode=overlay; shift ;;
--python) mode=python; shift ;;
-*|"") die "usage: $0 OUT KDIR [SRC[:DEST]...] | --overlay OUT SRC:DEST... | --python OUT KSRC | --kselftest OUT KSRC | --key KDIR | --python-key KSRC | --kselftest-key KSRC" ;;
*) mode=full ;;
esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
out=$1
shift
if [ $mode = overlay ]; then
	put_extras "$@"
	pack "$out"
elif [ $mode = kselftest ]; then
	[ $# = 1 ] || die "usage: $0 --kselftest OUT KSRC"
	kselftest_overlay "$out" "$1"
elif [ $mode = python ]; then
	[ $# = 1 ] || die "usage: $0 --python OUT KSRC"
	python_overlay "$out" "$1"
else
	[ $# -ge 1 ] || die "usage: $0 OUT KDIR [SRC[:DEST]...]"
	full "$out" "$@"
fi
