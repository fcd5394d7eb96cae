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
--overlay) mode=overlay; shift ;;
-*|"") die "usage: $0 OUT KDIR [SRC[:DEST]...] | --overlay OUT SRC:DEST... | --key KDIR" ;;
*) mode=full ;;
esac
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
out=$1
shift
if [ $mode = overlay ]; then
	put_extras "$@"
	pack "$out"
else
	[ $# -ge 1 ] || die "usage: $0 OUT KDIR [SRC[:DEST]...]"
	full "$out" "$@"
fi
