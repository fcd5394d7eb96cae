// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings for packet buffers.
//!
//! C header: include/linux/dma-mapping.h
//!
//! (Receive buffers are mapped by their page pool: see `page_pool.rs`.)
//!
//! The shim's mapping calls check `dma_mapping_error` themselves and are
//! error-injectable (`fail_function`: `rust_igb_skb_map_head`,
//! `rust_igb_skb_map_frag`), so the tests can fail transmit mappings.
//!
//! - [`TxMapping`]: a mapping of skb data for the device to read. It has no
//!   destructor: the ring that holds it next to its skb unmaps it explicitly
//!   (with [`TxMapping::unmap`]) once the hardware is done, then frees the skb.
//!   A forgotten mapping is a leak that DMA-API debugging reports, never a
//!   use-after-free, since the skb stays allocated until it is freed
//!   explicitly.

use kernel::{device, prelude::*};

use super::{bindings, skb::SkBuff};

/// `DMA_TO_DEVICE` (`enum dma_data_direction`).
const DMA_TO_DEVICE: c_int = 1;

fn raw(dev: &device::Device) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// A `DMA_TO_DEVICE` mapping of part of an skb.
#[must_use = "a TxMapping must be unmapped explicitly"]
pub(crate) struct TxMapping {
    addr: u64,
    len: u32,
    page: bool,
    dev: *const bindings::device,
}

// SAFETY: A mapping is plain data (addresses); unmapping is allowed from any
// context.
unsafe impl Send for TxMapping {}

impl TxMapping {
    /// The bus address.
    pub(crate) fn addr(&self) -> u64 {
        self.addr
    }

    /// The length in bytes.
    pub(crate) fn len(&self) -> u32 {
        self.len
    }

    /// Unmap. `dev` must be the device the mapping was made for; with any
    /// other device the mapping is leaked (and reported) rather than misused.
    pub(crate) fn unmap(self, dev: &device::Device<device::Bound>) {
        if !core::ptr::eq(self.dev, raw(dev)) {
            kernel::pr_warn!("rust_igb: TxMapping unmapped with the wrong device\n");
            return;
        }
        // SAFETY: A live mapping made for `dev` (checked), unmapped once.
        unsafe {
            bindings::rust_igb_dma_unmap(raw(dev), self.addr, self.len, DMA_TO_DEVICE, self.page)
        };
    }
}

impl SkBuff {
    /// Map the linear part for the device to read.
    pub(crate) fn map_head(&self, dev: &device::Device<device::Bound>) -> Result<TxMapping> {
        let (mut addr, mut len) = (0, 0);
        // SAFETY: We own the skb; `dev` is bound; `addr` and `len` are valid
        // out pointers.
        let ret = unsafe {
            bindings::rust_igb_skb_map_head(raw(dev), self.as_raw(), &mut addr, &mut len)
        };
        kernel::error::to_result(ret)?;
        Ok(TxMapping {
            addr,
            len,
            page: false,
            dev: raw(dev),
        })
    }

    /// Map page fragment `i` for the device to read (`EINVAL` if the skb
    /// has no such fragment).
    pub(crate) fn map_frag(
        &self,
        dev: &device::Device<device::Bound>,
        i: u32,
    ) -> Result<TxMapping> {
        let (mut addr, mut len) = (0, 0);
        // SAFETY: We own the skb; the shim checks `i` against `nr_frags`;
        // `dev` is bound; `addr` and `len` are valid out pointers.
        let ret = unsafe {
            bindings::rust_igb_skb_map_frag(raw(dev), self.as_raw(), i, &mut addr, &mut len)
        };
        kernel::error::to_result(ret)?;
        Ok(TxMapping {
            addr,
            len,
            page: true,
            dev: raw(dev),
        })
    }
}
