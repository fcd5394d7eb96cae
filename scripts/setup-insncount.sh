#!/usr/bin/env bash
# Build the instruction-counting TCG plugin (scripts/insncount/insncount.c) and
# its guest helper (insnmark.c) for `make insncount`, cached in
# $RUST_IGB_CACHE/insncount. Prints the directory holding libinsncount.so and
# insnmark on stdout. Idempotent.
#
#   scripts/setup-insncount.sh
#
# The plugin API header (qemu-plugin.h) is not packaged by Debian: it is taken
# from the upstream source tarball of the *installed* qemu-system-x86 (Debian's
# qemu_<upstream>.orig.tar.xz, fetched with `apt-get source` through a private
# apt configuration with the deb-src line of $QEMU_SUITE, its SHA-256 checked
# against the signed Sources index). The header also needs glib's headers
# (libglib2.0-dev, installed if missing). The built plugin is loaded once by the
# installed qemu-system-x86_64 (-M none), which refuses a plugin whose API
# version it does not accept.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
log() { printf '[setup-insncount] %s\n' "$*" >&2; }
die() { printf '[setup-insncount] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo
need=()
dpkg-query -W -f='${Status}' libglib2.0-dev 2>/dev/null | grep -q 'install ok installed' || need+=(libglib2.0-dev)
command -v gcc >/dev/null || need+=(gcc)
command -v pkg-config >/dev/null || need+=(pkg-config)
if [ ${#need[@]} -gt 0 ]; then
	log "apt-get install ${need[*]}"
	$SUDO apt-get update -q >/dev/null || die "apt-get update failed"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null ||
		die "apt-get install failed for: ${need[*]}"
fi
command -v qemu-system-x86_64 >/dev/null || die "no qemu-system-x86_64 (scripts/setup.sh installs it)"

# The installed QEMU's Debian version, e.g. 1:10.0.2+ds-2+deb13u1~bpo12+1 -> upstream 10.0.2+ds.
qver=$(dpkg-query -W -f='${Version}' qemu-system-x86 2>/dev/null) || die "qemu-system-x86 is not a Debian package here"
up=${qver#*:}
up=${up%-*}
base=$RUST_IGB_CACHE/insncount
hdr=$base/qemu-$up/qemu-plugin.h
if [ ! -f "$hdr" ]; then
	aptdir=$base/apt
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/etc/preferences.d" \
		"$aptdir/etc/sources.list.d" "$base/dl"
	printf 'deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$DEBIAN_MIRROR" "$QEMU_SUITE" >"$aptdir/sources.list"
	aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=$aptdir/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$aptdir/etc/preferences" -o "Dir::Etc::PreferencesParts=$aptdir/etc/preferences.d"
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
	log "fetching the qemu $qver source from $QEMU_SUITE (private apt lists)"
	apt-get "${aptopts[@]}" update -q >/dev/null || die "apt-get update for $QEMU_SUITE sources failed"
	orig=qemu_$up.orig.tar.xz
	sum=$(apt-cache "${aptopts[@]}" showsrc qemu 2>/dev/null | awk -v v="$qver" -v f="$orig" '
		/^Version: / { ok = ($2 == v) } /^Checksums-Sha256:/ { s = 1; next } /^[^ ]/ { s = 0 }
		ok && s && $3 == f && !done { print $1; done = 1 }')
	[ -n "$sum" ] || die "no $orig for qemu $qver in the $QEMU_SUITE Sources index"
	# Only the upstream tarball is needed (the header is upstream's; Debian's
	# patches do not change the plugin API); apt-get may fail on the other files.
	(cd "$base/dl" && apt-get "${aptopts[@]}" source --download-only "qemu=$qver" >/dev/null 2>&1) || true
	[ -f "$base/dl/$orig" ] || die "cannot download $orig"
	echo "$sum  $base/dl/$orig" | sha256sum -c --quiet - || die "$orig: SHA-256 mismatch"
	mkdir -p "$(dirname "$hdr")"
	tar -xJf "$base/dl/$orig" -O "qemu-${up%+*}/include/qemu/qemu-plugin.h" >"$hdr.tmp" ||
		die "no include/qemu/qemu-plugin.h in $orig"
	mv "$hdr.tmp" "$hdr"
	rm -rf "$base/dl"
	log "plugin API header: $hdr (QEMU_PLUGIN_VERSION $(sed -n 's/^#define QEMU_PLUGIN_VERSION //p' "$hdr"))"
fi

src=$here/insncount
key=$(cat "$src/insncount.c" "$src/insnmark.c" "$hdr" | sha256sum | cut -c1-12)
out=$base/build-$up-$key
if [ ! -f "$out/.done" ]; then
	rm -rf "$out" && mkdir -p "$out"
	log "building the plugin and insnmark in $out"
	# shellcheck disable=SC2046 # pkg-config prints several flags
	gcc -shared -fPIC -O2 -Wall -Wextra -Wno-unused-parameter -I"$(dirname "$hdr")" \
		$(pkg-config --cflags glib-2.0) -o "$out/libinsncount.so" "$src/insncount.c" ||
		die "plugin build failed"
	gcc -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 -Wall \
		-o "$out/insnmark" "$src/insnmark.c" || die "insnmark build failed"
	# The installed QEMU must accept the plugin (API version, symbols).
	printf 'quit\n' | timeout 60 qemu-system-x86_64 -M none -display none -monitor stdio \
		-plugin "$out/libinsncount.so,out=$out/load-test.out" >"$out/load-test.log" 2>&1 ||
		die "qemu-system-x86_64 refuses the plugin: $(tr '\n' ' ' <"$out/load-test.log")"
	grep -q '^exit 0$' "$out/load-test.out" || die "the plugin did not run in qemu-system-x86_64"
	touch "$out/.done"
	ls -dt "$base"/build-* | tail -n +4 | xargs -r rm -rf
fi
echo "$out"
