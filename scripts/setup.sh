#!/usr/bin/env bash
# Install everything the build and the QEMU tests need, idempotently.
#
#   scripts/setup.sh            toolchain + kernel source
#
# Debian bookworm packages come from the system's apt (plus bookworm-backports
# for QEMU 10). The Linux 7.3 source comes from trixie-backports through a
# *private* apt configuration, so the system's apt stays on bookworm.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

apt_pkgs=(
	"clang-$LLVM_VERSION" "lld-$LLVM_VERSION" "llvm-$LLVM_VERSION" "libclang-$LLVM_VERSION-dev"
	dwarves flex bison bc libelf-dev libssl-dev cpio make gcc python3 xz-utils zstd
	busybox-static ethtool iproute2 iperf3 kmod pciutils
	python3.11 python3-yaml socat iputils-ping bash
)

need_apt=()
for p in "${apt_pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
done
qemu_ok=0
if command -v qemu-system-x86_64 >/dev/null; then
	qv=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p')
	[ "${qv:-0}" -ge 10 ] && qemu_ok=1
fi

if [ ${#need_apt[@]} -gt 0 ] || [ $qemu_ok = 0 ]; then
	bpo=/etc/apt/sources.list.d/bookworm-backports.sources
	if [ $qemu_ok = 0 ] && [ ! -f "$bpo" ]; then
		log "adding $QEMU_SUITE to apt (for QEMU 10)"
		printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
			"$DEBIAN_MIRROR" "$QEMU_SUITE" | $SUDO tee "$bpo" >/dev/null
	fi
	log "apt-get update"
	$SUDO apt-get update -q >/dev/null || die "apt-get update failed"
	if [ ${#need_apt[@]} -gt 0 ]; then
		log "installing: ${need_apt[*]}"
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null ||
			die "apt-get install failed for: ${need_apt[*]}"
	fi
	if [ $qemu_ok = 0 ]; then
		log "installing qemu-system-x86 from $QEMU_SUITE"
		$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
			-t "$QEMU_SUITE" qemu-system-x86 >/dev/null || die "cannot install qemu-system-x86 from $QEMU_SUITE"
	fi
fi
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing after install"

# Rust: rustc $RUST_VERSION through the machine's rustup (selected by
# RUSTUP_TOOLCHAIN, versions.sh) plus rust-src; bindgen from crates.io.
command -v rustup >/dev/null || die "rustup not found (expected the machine's rustup toolchain in ~/.cargo/bin)"
if ! rustup toolchain list 2>/dev/null | grep -q "^$RUST_VERSION-"; then
	log "rustup toolchain install $RUST_VERSION"
	rustup toolchain install "$RUST_VERSION" --profile minimal >/dev/null 2>&1 ||
		die "rustup toolchain install $RUST_VERSION failed"
fi
if ! rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
	log "rustup component add rust-src"
	rustup component add rust-src >/dev/null 2>&1 || die "rustup component add rust-src failed"
fi
for c in clippy rustfmt; do
	rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c" >/dev/null 2>&1 || true
done
rustc --version | grep -q "^rustc $RUST_VERSION " || die "rustc is $(rustc --version), want $RUST_VERSION"
if ! bindgen --version 2>/dev/null | grep -q "bindgen $BINDGEN_VERSION"; then
	log "cargo install bindgen-cli $BINDGEN_VERSION (about 4 minutes)"
	cargo install --locked --quiet bindgen-cli --version "$BINDGEN_VERSION" || die "cargo install bindgen-cli failed"
fi

# Linux source: linux-source-$KERNEL_SERIES from $KERNEL_SUITE, via a private apt config.
src_dir=$RUST_IGB_CACHE/src
mkdir -p "$src_dir"
if ! ls "$src_dir"/linux-source-"$KERNEL_SERIES"*/Makefile >/dev/null 2>&1; then
	aptdir=$RUST_IGB_CACHE/apt
	mkdir -p "$aptdir/lists/partial" "$aptdir/cache/archives/partial" "$aptdir/etc/preferences.d" "$aptdir/etc/sources.list.d"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' \
		"$DEBIAN_MIRROR" "$KERNEL_SUITE" >"$aptdir/sources.list"
	aptopts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=$aptdir/etc/sources.list.d"
		-o "Dir::Etc::Preferences=$aptdir/etc/preferences" -o "Dir::Etc::PreferencesParts=$aptdir/etc/preferences.d"
		-o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache" -o "Debug::NoLocking=1"
		-o "APT::Architecture=amd64")
	log "fetching $KERNEL_PKG from $KERNEL_SUITE (private apt lists)"
	apt-get "${aptopts[@]}" update -q >/dev/null || die "apt-get update for $KERNEL_SUITE failed"
	(cd "$src_dir" && apt-get "${aptopts[@]}" download "$KERNEL_PKG") || die "cannot download $KERNEL_PKG"
	deb=$(ls "$src_dir"/"$KERNEL_PKG"_*.deb | head -1)
	log "unpacking $(basename "$deb")"
	rm -rf "$src_dir/deb" && mkdir -p "$src_dir/deb"
	dpkg-deb -x "$deb" "$src_dir/deb"
	tarball=$(ls "$src_dir"/deb/usr/src/linux-source-*.tar.* | head -1)
	[ -n "$tarball" ] || die "no kernel tarball inside $deb"
	tar -C "$src_dir" -xf "$tarball"
	rm -rf "$src_dir/deb" "$deb"
fi
ksrc=$(ls -d "$src_dir"/linux-source-"$KERNEL_SERIES"* | head -1)
log "kernel source: $ksrc"
echo "$ksrc" >"$RUST_IGB_CACHE/ksrc"
