# shellcheck shell=bash
# The pinned platform, in one place. Sourced by every script and by the Makefile.
KERNEL_SERIES=7.3
KERNEL_PKG=linux-source-7.3
KERNEL_SUITE=trixie-backports
LLVM_VERSION=19
BINDGEN_VERSION=0.73.0
QEMU_SUITE=bookworm-backports
DEBIAN_MIRROR=http://deb.debian.org/debian
# Where downloads and builds are cached, outside the work tree.
RUST_IGB_CACHE=${RUST_IGB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust-igb}
export LIBCLANG_PATH=/usr/lib/llvm-${LLVM_VERSION}/lib
export PATH=$HOME/.cargo/bin:/usr/lib/llvm-${LLVM_VERSION}/bin:$PATH
