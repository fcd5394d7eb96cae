// SPDX-License-Identifier: GPL-2.0

//! Receive buffers from a `page_pool`, passed up without copying.
//!
//! C headers: include/net/page_pool/types.h, include/net/page_pool/helpers.h
//!
//! A [`PagePool`] owns DMA-mapped pages for one RX ring: the pool maps each
//! page once and syncs it for the device when it is recycled. A received
//! frame becomes an skb built around its page ([`PoolPage::into_skb`]);
//! when the stack frees that skb, the page returns to the pool (the skb is
//! marked for recycling), so a steady receive allocates no pages.
//!
//! Every [`PoolPage`] holds a reference to its pool's C object; the pool is
//! destroyed when the [`PagePool`] is dropped, which the C side defers while
//! pages are still in flight in the stack. A ring must drop its pages before
//! its pool (field order).
//!
//! Contexts: creation in process context; allocation with `atomic` from the
//! NAPI poll; the rest anywhere.

use core::ptr::NonNull;

use kernel::{device, prelude::*};

use super::{bindings, skb::SkBuff};

fn raw(dev: &device::Device) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// Bytes reserved in front of received data (`NET_SKB_PAD + NET_IP_ALIGN`).
pub(crate) fn rx_headroom() -> u32 {
    // SAFETY: Returns a constant.
    unsafe { bindings::rust_igb_rx_headroom() }
}

/// The page order whose pages hold `buf_len` bytes of frame after the
/// headroom and before the `skb_shared_info` that `build_skb` places at the
/// end; `None` above order 3.
pub(crate) fn order_for(buf_len: u32) -> Option<u32> {
    // SAFETY: Returns a constant.
    let tail = unsafe { bindings::rust_igb_skb_shared_info_size() };
    let need = rx_headroom() as usize + buf_len as usize + tail as usize;
    (0..=3).find(|&o| kernel::page::PAGE_SIZE << o >= need)
}

/// A page pool for one RX ring.
///
/// # Invariants
///
/// `pool` is a live pool created by [`PagePool::new`], destroyed on drop.
pub(crate) struct PagePool {
    pool: NonNull<bindings::page_pool>,
    order: u32,
    buf_len: u32,
}

// SAFETY: The C page pool may be used and destroyed from any thread.
unsafe impl Send for PagePool {}
// SAFETY: Allocation from a pool is serialised by the caller's ring lock;
// everything else the C side synchronises.
unsafe impl Sync for PagePool {}

impl PagePool {
    /// A pool of `pool_size` pages, each holding a `buf_len`-byte buffer
    /// after the headroom, mapped for `dev` to write into.
    pub(crate) fn new(
        dev: &device::Device<device::Bound>,
        pool_size: u32,
        buf_len: u32,
    ) -> Result<Self> {
        let order = order_for(buf_len).ok_or(EINVAL)?;
        let mut pool = core::ptr::null_mut();
        // SAFETY: `dev` is bound; `pool` is a valid out pointer.
        let ret = unsafe {
            bindings::rust_igb_page_pool_create(
                raw(dev),
                pool_size,
                order,
                rx_headroom(),
                buf_len,
                &mut pool,
            )
        };
        kernel::error::to_result(ret)?;
        // INVARIANT: created above.
        Ok(Self {
            pool: NonNull::new(pool).ok_or(ENOMEM)?,
            order,
            buf_len,
        })
    }

    /// The buffer length of the pool's pages.
    pub(crate) fn buf_len(&self) -> u32 {
        self.buf_len
    }

    /// A page from the pool, mapped and synced for the device (`atomic`:
    /// from the NAPI poll).
    pub(crate) fn alloc(&self, atomic: bool) -> Option<PoolPage> {
        // SAFETY: Live pool (invariant).
        let page = unsafe { bindings::rust_igb_page_pool_alloc(self.pool.as_ptr(), atomic) };
        // INVARIANT: a page of this pool, owned by the new value.
        Some(PoolPage {
            page: NonNull::new(page.cast())?,
            pool: self.pool,
            order: self.order,
        })
    }
}

impl Drop for PagePool {
    fn drop(&mut self) {
        // SAFETY: Live pool (invariant), destroyed once; pages still in
        // flight keep the C object until they come back.
        unsafe { bindings::page_pool_destroy(self.pool.as_ptr()) };
    }
}

/// A page of a [`PagePool`], owned by the driver (in an RX descriptor).
///
/// # Invariants
///
/// `page` came from `pool` and this value holds its only driver reference;
/// dropping it returns the page to the pool.
pub(crate) struct PoolPage {
    page: NonNull<bindings::page>,
    pool: NonNull<bindings::page_pool>,
    order: u32,
}

// SAFETY: A pool page may move between contexts; returning it to its pool
// is allowed from any context.
unsafe impl Send for PoolPage {}
// SAFETY: Shared references only read the DMA address or sync.
unsafe impl Sync for PoolPage {}

impl PoolPage {
    /// Bus address of the buffer (after the headroom), for the descriptor.
    pub(crate) fn dma_addr(&self) -> u64 {
        // SAFETY: A page of a DMA-mapping pool (invariant).
        let page = unsafe { bindings::rust_igb_page_pool_dma_addr(self.page.as_ptr()) };
        page + u64::from(rx_headroom())
    }

    /// Make `len` received bytes visible to the CPU.
    pub(crate) fn sync_for_cpu(&self, len: u32) {
        // SAFETY: A page of `pool` (invariant); the pool bounds the range
        // by its `max_len`.
        unsafe {
            bindings::rust_igb_page_pool_sync_for_cpu(self.pool.as_ptr(), self.page.as_ptr(), len)
        }
    }

    /// Give `len` bytes back to the device (when the page is reused for the
    /// same descriptor without going through the pool).
    pub(crate) fn sync_for_device(&self, len: u32) {
        // SAFETY: As for `sync_for_cpu`.
        unsafe {
            bindings::rust_igb_page_pool_sync_for_device(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                len,
            )
        }
    }

    /// The C page, for the NAPI copy path.
    pub(super) fn as_raw(&self) -> *mut bindings::page {
        self.page.as_ptr()
    }

    /// Build an skb around the `len` received bytes (after
    /// [`Self::sync_for_cpu`]); the page goes with it and returns to the pool
    /// when the stack frees the skb. If no skb can be allocated, the page is
    /// handed back.
    pub(crate) fn into_skb(self, len: u32) -> core::result::Result<SkBuff, Self> {
        // SAFETY: We own the page (invariant) and give it to the skb on
        // success; `len` was bounded by the pool's buffer length by the
        // caller (the descriptor's length never exceeds SRRCTL.BSIZEPKT).
        let skb = unsafe {
            bindings::rust_igb_build_rx_skb(self.page.as_ptr(), self.order, rx_headroom(), len)
        };
        // SAFETY: A non-null result is a new skb that we own.
        match unsafe { SkBuff::from_raw(skb) } {
            Some(skb) => {
                core::mem::forget(self);
                Ok(skb)
            }
            None => Err(self),
        }
    }
}

impl Drop for PoolPage {
    fn drop(&mut self) {
        // SAFETY: Our page of `pool` (invariant), returned once. The pool
        // object outlives its pages (the C side defers its release).
        unsafe { bindings::rust_igb_page_pool_put(self.pool.as_ptr(), self.page.as_ptr()) }
    }
}
