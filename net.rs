// SPDX-License-Identifier: GPL-2.0

//! The networking abstraction layer rust_igb needs and the 7.3 `kernel` crate
//! lacks: `net_device` registration and callbacks, `ethtool_ops`, PCI/DMA set-up
//! helpers, devlink.
//!
//! This module and its children are the only place in the driver that holds
//! `unsafe` code. The FFI comes from two sources: `kernel::bindings` (reused
//! wherever it has a type) and our own bindgen run over `net/bindings_helper.h`
//! (see `Kbuild` and `net/bindgen_parameters`), plus the C shim in `net/shim.c`
//! for static inline functions and macros.

pub(crate) mod addr;
pub(crate) mod aer;
pub(crate) mod bindings;
pub(crate) mod device;
pub(crate) mod devlink;
pub(crate) mod dma;
pub(crate) mod ethtool;
pub(crate) mod ethtool_queues;
pub(crate) mod features;
pub(crate) mod irq;
pub(crate) mod lock;
pub(crate) mod napi;
pub(crate) mod page_pool;
pub(crate) mod pci;
pub(crate) mod pm;
pub(crate) mod process;
pub(crate) mod qstats;
pub(crate) mod queues;
pub(crate) mod rtnl;
pub(crate) mod skb;
pub(crate) mod skb_offload;

pub(crate) use addr::RxMode;
pub(crate) use device::{Config, Device, Registration, Stats64};
pub(crate) use process::Process;
pub(crate) use rtnl::Rtnl;
