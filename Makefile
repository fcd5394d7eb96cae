# SPDX-License-Identifier: GPL-2.0
#
# rust_igb — top-level entry points. See README.md.
#
#   make [KDIR=<kernel build dir>]   build rust-igb.ko (module name rust_igb)
#   make run                         set up, build, boot QEMU with two igb NICs, show the driver
#   make check                       the test suite (what CI runs)
#   make bench                       C igb vs rust_igb benchmark on a non-debug kernel (~7 min warm)
#   make insncount                   instructions/blocks per packet in each driver (TCG plugin, one boot)
#   make check-kasan                 datapath, reset, tuning suites on the KASAN test kernel
#   make soak [SOAK_SECS=3600]       traffic while the configuration changes (default 600 s)
#   make check-faults                issue 14's suites: faults (PCIe topology), pm, allocfail, soak, probefault
#   make check-all                   check, then check-faults (everything; ~55 min warm)
#   make clippy | fmtcheck | fmt     lints
#   make compile-fail                misuses of the net/ layer must not compile
#   make setup | kernel              install the toolchain / build the cached test kernel
#   make clean
#
# KDIR defaults to the running kernel's build dir if it has Rust support,
# else to the project's cached 7.3 test kernel (built on first use).

SHELL := /bin/bash
# The pinned toolchain (scripts/versions.sh): clang's LLVM major and the rustc
# built on the same major, for the module as for the kernel.
LLVM_VERSION := $(shell . scripts/versions.sh && echo $$LLVM_VERSION)
RUST_VERSION := $(shell . scripts/versions.sh && echo $$RUST_VERSION)
# On a host kernel, build with the rustc that kernel was built with
# (RUSTUP_TOOLCHAIN=... on the command line or in the environment).
RUSTUP_TOOLCHAIN ?= $(RUST_VERSION)
export RUSTUP_TOOLCHAIN
LLVM ?= -$(LLVM_VERSION)
KBUILD_ARGS = LLVM=$(LLVM)

running_kdir := /lib/modules/$(shell uname -r)/build
ifeq ($(origin KDIR),undefined)
  ifneq ($(shell grep -qs '^CONFIG_RUST=y' $(running_kdir)/.config && echo y),)
    KDIR := $(running_kdir)
  else
    KDIR_FROM_CACHE := y
  endif
endif

RUST_SRCS := $(filter-out net/bindings_generated.rs,$(wildcard *.rs */*.rs */*/*.rs))
TESTS ?=

.PHONY: all module setup kernel run check check-all check-kasan check-faults soak bench insncount clippy compile-fail fmtcheck fmt clean help

all: module

help:
	@sed -n '3,17p' Makefile

setup:
	@scripts/setup.sh

kernel: setup
	@scripts/build-kernel.sh debug >/dev/null

ifdef KDIR_FROM_CACHE
module clippy compile-fail: kernel
module clippy compile-fail: KDIR = $(shell scripts/build-kernel.sh debug)
endif

module:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) modules

clippy:
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_ARGS) CLIPPY=1 modules

# The compiler refusing misuse is the test of the layer's context types and
# of `#![deny(unsafe_code)]` (scripts/compile-fail.sh; three builds in /tmp).
compile-fail:
	KDIR=$(KDIR) LLVM=$(LLVM) scripts/compile-fail.sh

fmtcheck:
	rustfmt --config-path .rustfmt.toml --check $(RUST_SRCS)

fmt:
	rustfmt --config-path .rustfmt.toml $(RUST_SRCS)

# check and run always use the cached test kernel: the module must match the
# kernel QEMU boots.
# The module is built against the KASAN kernel first and kept aside as
# rust-igb-kasan.ko for check.sh's KASAN run (with TESTS set, that run and its
# kernel are skipped).
check: kernel
	@kdir=$$(scripts/build-kernel.sh debug) && \
	if [ -z "$(TESTS)" ]; then \
		kkdir=$$(scripts/build-kernel.sh kasan) && \
		$(MAKE) --no-print-directory KDIR=$$kkdir module && \
		cp rust-igb.ko rust-igb-kasan.ko; \
	fi && \
	$(MAKE) --no-print-directory KDIR=$$kdir clippy && \
	$(MAKE) --no-print-directory fmtcheck && \
	$(MAKE) --no-print-directory KDIR=$$kdir compile-fail && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	KASAN_KDIR=$${kkdir:-} KASAN_MODULE=$(CURDIR)/rust-igb-kasan.ko \
		scripts/check.sh $$kdir $(CURDIR)/rust-igb.ko $(TESTS)

# check-kasan: the datapath, reset and tuning suites (MSI-X; SUITES overrides)
# on the KASAN flavour of the test kernel (qemu/kernel-kasan.config: generic
# KASAN and MAX_SKB_FRAGS 45 on top of the debug kernel's lockdep, DMA-API
# debugging and kmemleak), on its own; make check runs the same as its last
# boot.
SUITES ?= datapath,reset,tuning
check-kasan: setup
	@kdir=$$(scripts/build-kernel.sh kasan) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	KDIR=$$kdir MODULE=$(CURDIR)/rust-igb.ko DRIVER=rust_igb TESTS=$(SUITES) QUIET=1 TIMEOUT=5400 \
		KERNEL_ARGS="rigb.expect_irq=MsiX rigb.cycles_openstop=100" scripts/guest-run.sh

# check-faults: the suites of faults from outside (issue 14), each in its own
# boot of the debug test kernel: faults (link flaps, AER, hot-unplug and
# surprise removal; q35 with PCIe root ports and the host control channel),
# pm (suspend-to-idle and S3 with scripts/pm-run.sh's waker), allocfail
# (fault injection), a 120 s soak and probefault (allocation failures spread
# over a bind; acpi=noirq steers around a 7.3 ACPI bug, see status.md). Not
# part of make check (CI's time budget, Documentation/status.md). About 25
# minutes.
check-faults: kernel
	@kdir=$$(scripts/build-kernel.sh debug) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	m=$(CURDIR)/rust-igb.ko; rc=0; \
	KDIR=$$kdir MODULE=$$m DRIVER=rust_igb TESTS=faults TOPOLOGY=pcie QUIET=1 TIMEOUT=1200 \
		KERNEL_ARGS="rigb.expect_irq=MsiX" scripts/guest-run.sh || rc=1; \
	KDIR=$$kdir MODULE=$$m DRIVER=rust_igb QUIET=1 TIMEOUT=900 \
		KERNEL_ARGS="rigb.expect_irq=MsiX" scripts/pm-run.sh || rc=1; \
	KDIR=$$kdir MODULE=$$m DRIVER=rust_igb TESTS=allocfail QUIET=1 TIMEOUT=1500 \
		KERNEL_ARGS="rigb.expect_irq=MsiX" scripts/guest-run.sh || rc=1; \
	KDIR=$$kdir MODULE=$$m DRIVER=rust_igb TESTS=soak QUIET=1 TIMEOUT=1200 \
		KERNEL_ARGS="rigb.expect_irq=MsiX rigb.soak_secs=120" scripts/guest-run.sh || rc=1; \
	KDIR=$$kdir MODULE=$$m DRIVER=rust_igb TESTS=probefault QUIET=1 TIMEOUT=1500 \
		KERNEL_ARGS="acpi=noirq" scripts/guest-run.sh || rc=1; \
	exit $$rc

# check-all: every suite: make check (what CI runs), then make check-faults,
# which is kept out of check for CI's time budget (Documentation/status.md says
# which suite runs where). Both run even if the first fails.
check-all:
	@rc=0; \
	$(MAKE) --no-print-directory check || rc=1; \
	$(MAKE) --no-print-directory check-faults || rc=1; \
	exit $$rc

# soak: the soak suite (tests/guest/soak.sh) on the debug test kernel: checksummed
# TCP transfers and a UDP stream both ways for SOAK_SECS seconds while ring
# sizes, channels, coalescing, MTU, rx mode, VLANs and offloads change.
SOAK_SECS ?= 600
soak: kernel
	@kdir=$$(scripts/build-kernel.sh debug) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	KDIR=$$kdir MODULE=$(CURDIR)/rust-igb.ko DRIVER=rust_igb TESTS=soak QUIET=1 \
		TIMEOUT=$$(( $(SOAK_SECS) + 900 )) \
		KERNEL_ARGS="rigb.expect_irq=MsiX rigb.soak_secs=$(SOAK_SECS)" scripts/guest-run.sh

# bench: the non-debug kernel (qemu/kernel-bench.config), the module built
# against it, then both drivers measured in one boot (scripts/bench.sh; knobs
# BENCH_REPS, BENCH_TIME, BENCH_PINGS, BENCH_PNG), then the instruction counts
# of make insncount (BENCH_INSN=0 skips them); BENCH_CPUS=4 is the multi-queue
# variant. Not part of check.
bench: setup
	@scripts/setup-bench.sh >/dev/null && \
	kdir=$$(scripts/build-kernel.sh bench) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	scripts/bench.sh $$kdir $(CURDIR)/rust-igb.ko

# insncount: instructions and translation blocks executed per packet in each
# driver's module code, per path (transmit, completion, receive), over fixed
# workloads, counted by a QEMU TCG plugin (scripts/insncount.sh; the plugin is
# built by scripts/setup-insncount.sh). Counts, not times: they move only with
# how frames batch per interrupt (Documentation/benchmark.md).
# On the bench kernel. Not part of check.
insncount: setup
	@kdir=$$(scripts/build-kernel.sh bench) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	scripts/insncount.sh $$kdir $(CURDIR)/rust-igb.ko

run: kernel
	@kdir=$$(scripts/build-kernel.sh debug) && \
	$(MAKE) --no-print-directory KDIR=$$kdir module && \
	KDIR=$$kdir MODULE=$(CURDIR)/rust-igb.ko DRIVER=rust_igb TESTS=show INTERACTIVE=1 scripts/guest-run.sh

clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	rm -f net/bindings_generated.rs rust-igb-kasan.ko
