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
# Where downloads and builds are cached, outside the work tree.
RUST_IGB_CACHE=${RUST_IGB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rust-igb}
export RUSTUP_TOOLCHAIN=$RUST_VERSION
export LIBCLANG_PATH=/usr/lib/llvm-${LLVM_VERSION}/lib
export PATH=$HOME/.cargo/bin:/usr/lib/llvm-${LLVM_VERSION}/bin:$PATH
