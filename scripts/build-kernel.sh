#!/usr/bin/env bash
# Build the rust_igb test kernel (tinyconfig + qemu/<flavour>.config) into a
# cache directory outside the work tree, keyed by kernel version, config and
# toolchain. Prints the build directory (KDIR) on stdout.
#
#   scripts/build-kernel.sh [debug|bench|kasan]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"
flavour=${1:-debug}

log() { printf '[kernel] %s\n' "$*" >&2; }
die() { printf '[kernel] ERROR: %s\n' "$*" >&2; exit 1; }

ksrc=$(cat "$RUST_IGB_CACHE/ksrc" 2>/dev/null) || die "no kernel source; run scripts/setup.sh"
[ -f "$ksrc/Makefile" ] || die "kernel source $ksrc is incomplete; run scripts/setup.sh"
# Without the caller's make flags: under a parent make (-n, -w, ...) this
# would print the commands and directories too, and the key would be garbage.
kver=$(env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$ksrc" kernelversion 2>/dev/null)
[[ $kver =~ ^[0-9]+\.[0-9]+ ]] || die "cannot read the kernel version of $ksrc (got: ${kver:0:80})"

frags=("$top/qemu/kernel.config")
case $flavour in
debug) ;;
bench) frags+=("$top/qemu/kernel-bench.config") ;;
kasan) frags+=("$top/qemu/kernel-kasan.config") ;;
*) die "unknown flavour $flavour" ;;
esac
key=$( { echo "$kver"; cat "${frags[@]}"; rustc --version; "clang-$LLVM_VERSION" --version | head -1; bindgen --version; } | sha256sum | cut -c1-12)
out=$RUST_IGB_CACHE/build/$kver-$flavour-$key
if [ -f "$out/.rust-igb-done" ]; then
	log "cached: $out"
	echo "$out"
	exit 0
fi

mkdir -p "$out"
mk=(make -C "$ksrc" O="$out" LLVM=-"$LLVM_VERSION" ARCH=x86_64)
log "configuring $kver ($flavour) in $out"
"${mk[@]}" -s tinyconfig >/dev/null
(cd "$out" && KCONFIG_CONFIG=.config "$ksrc/scripts/kconfig/merge_config.sh" -m -O "$out" .config "${frags[@]}" >/dev/null)
"${mk[@]}" -s olddefconfig >/dev/null
# Every option the fragments ask for must have survived Kconfig's dependency
# resolution. A later fragment overrides an earlier one (as in merge_config.sh):
# only the last setting of each option counts; "# CONFIG_X is not set" is X=n.
effective() {
	sed -E 's/^# (CONFIG_[A-Za-z0-9_]+) is not set$/\1=n/' "$@" |
		awk -F= '/^CONFIG_/ { if (!($1 in v)) k[++n] = $1; v[$1] = $0 }
			END { for (i = 1; i <= n; i++) print v[k[i]] }'
}
missing=0
while IFS= read -r line; do
	case "$line" in CONFIG_*=*) ;; *) continue ;; esac
	opt=${line%%=*} val=${line#*=}
	if [ "$val" = n ]; then
		grep -q "^$opt=" "$out/.config" && { log "wanted $opt=n, got $(grep "^$opt=" "$out/.config")"; missing=1; }
	else
		grep -qx "$opt=$val" "$out/.config" || { log "wanted $line, got: $(grep "^$opt=" "$out/.config" || echo unset)"; missing=1; }
	fi
done < <(effective "${frags[@]}")
[ $missing = 0 ] || die "kernel config is missing options above (check their Kconfig dependencies)"

log "building bzImage + modules with $(nproc) jobs (about 15 minutes cold; progress below)"
start=$(date +%s)
# Print one progress line every 200 compiled objects so CI logs show life.
"${mk[@]}" -j"$(nproc)" bzImage modules 2>&1 | awk '
	/^  (CC|RUSTC|LD|AR)/ { n++; if (n % 200 == 0) { printf "[kernel] %d objects...\n", n > "/dev/stderr"; fflush() } }
	/: error:|Error [0-9]|\*\*\*/ { print > "/dev/stderr" }' || true
[ -f "$out/arch/x86/boot/bzImage" ] || die "kernel build failed (see $out)"
rm -rf "$out/mods"
"${mk[@]}" -s INSTALL_MOD_PATH="$out/mods" modules_install >/dev/null || die "modules_install failed"
touch "$out/.rust-igb-done"
log "built in $(( $(date +%s) - start ))s"
echo "$out"
