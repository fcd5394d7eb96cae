# shellcheck shell=bash
# The pinned platform, in one place. Sourced by every script and by the Makefile.
KERNEL_SERIES=7.3
KERNEL_PKG=linux-source-7.3
KERNEL_SUITE=trixie-backports
# clang/lld/llvm and rustc share one LLVM major, so that the kernel can inline
# its C helpers into Rust (CONFIG_RUST_INLINE_HELPERS, cross-language LTO of
# rust/helpers/): rustc 1.95 is built on LLVM 22, clang-22 comes from Debian
# bookworm-security. Move both together; rustup's "stable" moves on its own,
# so the toolchain is pinned and selected with RUSTUP_TOOLCHAIN.
LLVM_VERSION=22
RUST_VERSION=1.95.0
BINDGEN_VERSION=0.73.0
QEMU_SUITE=bookworm-backports
DEBIAN_MIRROR=http://deb.debian.org/debian
# The guest's ethtool for the kernel's NIC selftests (tests/guest/kselftest.sh):
# they need `ethtool --json -l` (ethtool >= 6.15; bookworm has 6.1). Debian's
# amd64 build (libc6 >= 2.34, libmnl0: runs on bookworm), from the pool; the
# mirror here serves the binary package but not the source tarball. When the
# pool drops this version: `apt-cache showsrc ethtool` with a deb-src line for
# sid gives the current one and the .deb's sha256 is checked on download.
KSFT_ETHTOOL_DEB=pool/main/e/ethtool/ethtool_7.2-1_amd64.deb
KSFT_ETHTOOL_SHA256=1689955799ee8cec333a1ce87722e40e948fec49811e593defb10848ec4dc1b7
# Where downloads and builds are cached, outside the work tree.
RUST_IGB_CACHE=${RUST_IGB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust-igb}
export RUSTUP_TOOLCHAIN=$RUST_VERSION
export LIBCLANG_PATH=/usr/lib/llvm-${LLVM_VERSION}/lib
export PATH=$HOME/.cargo/bin:/usr/lib/llvm-${LLVM_VERSION}/bin:$PATH
