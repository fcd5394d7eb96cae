// SPDX-License-Identifier: GPL-2.0

//! Streaming DMA mappings for packet buffers.
//!
//! C header: include/linux/dma-mapping.h
//!
//! - [`RxPage`]: a page mapped for the device to write into. It unmaps itself
//!   before the page is freed, so a page can never be freed while mapped.
//! - [`TxMapping`]: a mapping of skb data for the device to read. It has no
//!   destructor: the ring that holds it next to its skb unmaps it explicitly
//!   (with [`TxMapping::unmap`]) once the hardware is done, then frees the skb.
//!   A forgotten mapping is a leak that DMA-API debugging reports, never a
//!   use-after-free, since the skb stays allocated until it is freed
//!   explicitly.

use kernel::{
    device,
    page::{Page, PAGE_SIZE},
    prelude::*,
    sync::aref::ARef, //
};

use super::{bindings, skb::SkBuff};

/// `DMA_TO_DEVICE` and `DMA_FROM_DEVICE` (`enum dma_data_direction`).
const DMA_TO_DEVICE: c_int = 1;
const DMA_FROM_DEVICE: c_int = 2;

fn raw(dev: &device::Device) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// A page mapped `DMA_FROM_DEVICE` in full.
///
/// # Invariants
///
/// `addr` is a live mapping of all of `page` for `dev`.
pub(crate) struct RxPage {
    page: Page,
    addr: u64,
    dev: ARef<device::Device>,
}

impl RxPage {
    /// Allocate a page with `flags` and map it for `dev` to write into.
    pub(crate) fn new(
        dev: &device::Device<device::Bound>,
        flags: kernel::alloc::Flags,
    ) -> Result<Self> {
        let page = Page::alloc_page(flags)?;
        // SAFETY: `page` is a valid page we own; `dev` is bound.
        let addr = unsafe {
            bindings::rust_igb_dma_map_page(
                raw(dev),
                page.as_ptr(),
                0,
                PAGE_SIZE as u32,
                DMA_FROM_DEVICE,
            )
        };
        // SAFETY: `addr` was just returned by a mapping call for `dev`.
        if unsafe { bindings::rust_igb_dma_mapping_error(raw(dev), addr) } {
            return Err(ENOMEM);
        }
        let d: &device::Device = dev;
        // INVARIANT: mapped above.
        Ok(Self {
            page,
            addr,
            dev: d.into(),
        })
    }

    /// The bus address of the page.
    pub(crate) fn dma_addr(&self) -> u64 {
        self.addr
    }

    /// The page, to copy received data out of after [`Self::sync_for_cpu`].
    pub(crate) fn page(&self) -> &Page {
        &self.page
    }

    /// Make `len` bytes at `offset` written by the device visible to the CPU.
    pub(crate) fn sync_for_cpu(&self, offset: u32, len: u32) {
        if offset as usize + len as usize <= PAGE_SIZE {
            // SAFETY: Live mapping (invariant); the range is inside it.
            unsafe {
                bindings::rust_igb_dma_sync_for_cpu(
                    raw(&self.dev),
                    self.addr + u64::from(offset),
                    len,
                    DMA_FROM_DEVICE,
                )
            };
        }
    }

    /// Give `len` bytes at `offset` back to the device.
    pub(crate) fn sync_for_device(&self, offset: u32, len: u32) {
        if offset as usize + len as usize <= PAGE_SIZE {
            // SAFETY: Live mapping (invariant); the range is inside it.
            unsafe {
                bindings::rust_igb_dma_sync_for_device(
                    raw(&self.dev),
                    self.addr + u64::from(offset),
                    len,
                    DMA_FROM_DEVICE,
                )
            };
        }
    }
}

impl Drop for RxPage {
    fn drop(&mut self) {
        // SAFETY: Live mapping (invariant), unmapped once, before `page` is
        // dropped (fields drop after this body).
        unsafe {
            bindings::rust_igb_dma_unmap(
                raw(&self.dev),
                self.addr,
                PAGE_SIZE as u32,
                DMA_FROM_DEVICE,
                true,
            )
        };
    }
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
        // SAFETY: We own the skb; `dev` is bound.
        let addr = unsafe { bindings::rust_igb_skb_map_head(raw(dev), self.as_raw()) };
        self.checked(dev, addr, self.headlen(), false)
    }

    /// Map page fragment `i` for the device to read.
    pub(crate) fn map_frag(
        &self,
        dev: &device::Device<device::Bound>,
        i: u32,
    ) -> Result<TxMapping> {
        if i >= self.nr_frags() {
            return Err(EINVAL);
        }
        // SAFETY: We own the skb; `i` is a valid fragment index; `dev` is bound.
        let addr = unsafe { bindings::rust_igb_skb_map_frag(raw(dev), self.as_raw(), i) };
        self.checked(dev, addr, self.frag_len(i), true)
    }

    fn checked(
        &self,
        dev: &device::Device<device::Bound>,
        addr: u64,
        len: u32,
        page: bool,
    ) -> Result<TxMapping> {
        // SAFETY: `addr` was just returned by a mapping call for `dev`.
        if unsafe { bindings::rust_igb_dma_mapping_error(raw(dev), addr) } {
            return Err(ENOMEM);
        }
        Ok(TxMapping {
            addr,
            len,
            page,
            dev: raw(dev),
        })
    }
}
