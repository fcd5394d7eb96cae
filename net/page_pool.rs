// SPDX-License-Identifier: GPL-2.0

//! Receive buffers from a `page_pool`, passed up without copying.
//!
//! C headers: include/net/page_pool/types.h, include/net/page_pool/helpers.h
//!
//! A [`PagePool`] owns DMA-mapped pages for one RX ring: the pool maps each
//! page once and syncs it for the device when it is recycled. A buffer is
//! half a page when a frame of the ring fits one (the standard MTU; the C
//! driver's half-page buffers, `truesize` 2 KiB), else a whole page of the
//! order the buffer needs. A received frame becomes an skb built around its
//! buffer ([`PoolPage::into_skb`]); when the stack frees that skb, the
//! buffer returns to the pool (the skb is marked for recycling; a page goes
//! back once both halves have), so a steady receive allocates no pages.
//!
//! Every [`PoolPage`] holds a reference to its pool's C object; the pool is
//! destroyed when the [`PagePool`] is dropped, which the C side defers while
//! pages are still in flight in the stack. A ring must drop its pages before
//! its pool (field order).
//!
//! Contexts: creation in process context; allocation with `atomic` from the
//! NAPI poll; the rest anywhere. Allocation uses the pool's lockless cache,
//! so it must never run in two contexts at once: [`PagePool`] is `Send` but
//! not `Sync`, so a shared `&PagePool` cannot reach a second thread, and the
//! ring that owns the pool is reached through its lock.

use core::ptr::NonNull;

use kernel::{device, prelude::*};

use super::{bindings, napi::Napi, skb::SkBuff};

fn raw(dev: &device::Device) -> *mut bindings::device {
    core::ptr::from_ref(dev).cast_mut().cast()
}

/// Bytes reserved in front of received data (`NET_SKB_PAD + NET_IP_ALIGN`).
pub(crate) fn rx_headroom() -> u32 {
    // SAFETY: A constant defined in the shim.
    unsafe { bindings::rust_igb_rx_headroom }
}

/// Bytes `skb_shared_info` takes at the end of a buffer
/// (`SKB_DATA_ALIGN(sizeof(struct skb_shared_info))`).
fn shared_info_size() -> u32 {
    // SAFETY: A constant defined in the shim.
    unsafe { bindings::rust_igb_skb_shared_info_size }
}

/// The page order whose pages hold `buf_len` bytes of frame after the
/// headroom and before the `skb_shared_info` that `build_skb` places at the
/// end; `None` above order 3.
pub(crate) fn order_for(buf_len: u32) -> Option<u32> {
    let tail = shared_info_size();
    let need = rx_headroom() as usize + buf_len as usize + tail as usize;
    (0..=3).find(|&o| kernel::page::PAGE_SIZE << o >= need)
}

/// Bytes of a page that hold one buffer of `max_frame` bytes with its
/// headroom and `skb_shared_info`: half a page if that fits, else `None`.
pub(crate) fn half_page_for(max_frame: u32) -> Option<u32> {
    let tail = shared_info_size();
    let half = (kernel::page::PAGE_SIZE / 2) as u32;
    (rx_headroom() + max_frame + tail <= half).then_some(half)
}

/// Bytes to sync for a frame of `len` bytes in a buffer with `room` bytes
/// from the data offset to its end: never past the buffer.
fn sync_len(len: u32, room: u32) -> u32 {
    len.min(room)
}

/// A page pool for one RX ring.
///
/// # Invariants
///
/// `pool` is a live pool created by [`PagePool::new`], destroyed on drop.
/// With `frag`, its pages are handed out in `frag`-byte pieces (order 0).
pub(crate) struct PagePool {
    pool: NonNull<bindings::page_pool>,
    order: u32,
    buf_len: u32,
    /// Longest frame the hardware writes into a buffer.
    max_frame: u32,
    /// Bytes per buffer when pages are split (`truesize`), else `None`.
    frag: Option<u32>,
    /// Most frame bytes an skb built around one buffer holds (its
    /// `truesize` less the headroom and the `skb_shared_info`).
    max_data: u32,
}

// SAFETY: The C page pool may be used and destroyed from any thread, one at
// a time. (Not `Sync`: `alloc(&self)` uses the pool's lockless cache, which
// two threads holding a `&PagePool` would race.)
unsafe impl Send for PagePool {}

impl PagePool {
    /// A pool for `pool_size` buffers of `buf_len` bytes (the size the
    /// hardware is told, SRRCTL.BSIZEPKT) into which the hardware writes
    /// frames of at most `max_frame` bytes (RLPML), mapped for `dev` to
    /// write into. Buffers are half pages when `max_frame` fits one.
    pub(crate) fn new(
        dev: &device::Device<device::Bound>,
        pool_size: u32,
        buf_len: u32,
        max_frame: u32,
    ) -> Result<Self> {
        if max_frame > buf_len {
            return Err(EINVAL);
        }
        let frag = half_page_for(max_frame);
        let order = match frag {
            Some(_) => 0,
            None => order_for(buf_len).ok_or(EINVAL)?,
        };
        // What a recycled page is synced for the device: the whole page
        // after the headroom when it is split, else the buffer.
        let sync_len = match frag {
            Some(_) => kernel::page::PAGE_SIZE as u32 - rx_headroom(),
            None => buf_len,
        };
        let mut pool = core::ptr::null_mut();
        // SAFETY: `dev` is bound; `pool` is a valid out pointer.
        let ret = unsafe {
            bindings::rust_igb_page_pool_create(
                raw(dev),
                pool_size,
                order,
                rx_headroom(),
                sync_len,
                &mut pool,
            )
        };
        kernel::error::to_result(ret)?;
        let truesize = frag.unwrap_or((kernel::page::PAGE_SIZE << order) as u32);
        let tail = shared_info_size();
        // INVARIANT: created above, split only at order 0.
        Ok(Self {
            pool: NonNull::new(pool).ok_or(ENOMEM)?,
            order,
            buf_len,
            max_frame,
            frag,
            max_data: truesize.saturating_sub(rx_headroom() + tail),
        })
    }

    /// The buffer length programmed into the hardware (SRRCTL.BSIZEPKT).
    pub(crate) fn buf_len(&self) -> u32 {
        self.buf_len
    }

    /// The longest frame a buffer holds (the hardware's RLPML).
    pub(crate) fn max_frame(&self) -> u32 {
        self.max_frame
    }

    /// Bytes of memory behind each buffer (what an skb built around it is
    /// charged).
    pub(crate) fn truesize(&self) -> u32 {
        self.frag
            .unwrap_or((kernel::page::PAGE_SIZE << self.order) as u32)
    }

    /// A buffer from the pool, mapped and synced for the device (`atomic`:
    /// from the NAPI poll).
    pub(crate) fn alloc(&self, atomic: bool) -> Option<PoolPage> {
        let mut offset = 0;
        let page = match self.frag {
            // SAFETY: Live pool (invariant) of order-0 pages; `offset` is a
            // valid out pointer.
            Some(size) => unsafe {
                bindings::rust_igb_page_pool_alloc_frag(
                    self.pool.as_ptr(),
                    &mut offset,
                    size,
                    atomic,
                )
            },
            // SAFETY: Live pool (invariant).
            None => unsafe { bindings::rust_igb_page_pool_alloc(self.pool.as_ptr(), atomic) },
        };
        // INVARIANT: a buffer of this pool, owned by the new value.
        Some(PoolPage {
            page: NonNull::new(page.cast())?,
            pool: self.pool,
            offset,
            truesize: self.truesize(),
            max_data: self.max_data,
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

/// A buffer of a [`PagePool`], owned by the driver (in an RX descriptor).
///
/// # Invariants
///
/// The `truesize` bytes at `offset` of `page` came from `pool` and this
/// value holds their reference; dropping it returns them to the pool.
pub(crate) struct PoolPage {
    page: NonNull<bindings::page>,
    pool: NonNull<bindings::page_pool>,
    offset: u32,
    truesize: u32,
    /// Most frame bytes [`Self::into_skb`] can take (from the pool).
    max_data: u32,
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
        page + u64::from(self.offset + rx_headroom())
    }

    /// Offset of the received data in the page.
    pub(super) fn data_offset(&self) -> u32 {
        self.offset + rx_headroom()
    }

    /// Bytes from the data to the end of the buffer's share of the page.
    pub(super) fn room(&self) -> u32 {
        self.truesize - rx_headroom()
    }

    /// Make `len` received bytes visible to the CPU; a `len` beyond the
    /// buffer is cut to it (with swiotlb a longer sync would copy over the
    /// neighbouring buffer of a split page).
    pub(crate) fn sync_for_cpu(&self, len: u32) {
        let len = sync_len(len, self.room());
        // SAFETY: A buffer of `pool` (invariant); `len` bytes from the data
        // offset are inside the buffer (clamped above).
        unsafe {
            bindings::rust_igb_page_pool_sync_for_cpu(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                self.offset,
                len,
            )
        }
    }

    /// Give `len` bytes back to the device (when the page is reused for the
    /// same descriptor without going through the pool); cut to the buffer
    /// as in [`Self::sync_for_cpu`].
    pub(crate) fn sync_for_device(&self, len: u32) {
        let len = sync_len(len, self.room());
        // SAFETY: As for `sync_for_cpu`.
        unsafe {
            bindings::rust_igb_page_pool_sync_for_device(
                self.pool.as_ptr(),
                self.page.as_ptr(),
                self.offset,
                len,
            )
        }
    }

    /// The C page, for the NAPI copy path.
    pub(super) fn as_raw(&self) -> *mut bindings::page {
        self.page.as_ptr()
    }

    /// Build an skb around the `len` received bytes (after
    /// [`Self::sync_for_cpu`]); the buffer goes with it and returns to the
    /// pool when the stack frees the skb. If `len` does not fit the buffer
    /// or no skb can be allocated, the buffer is handed back. From the NAPI
    /// poll (`napi_build_skb` uses the per-CPU NAPI cache).
    pub(crate) fn into_skb(self, _napi: &Napi<'_>, len: u32) -> core::result::Result<SkBuff, Self> {
        if len > self.max_data {
            return Err(self);
        }
        // SAFETY: We own the buffer (invariant) and give it to the skb on
        // success; headroom, data and `skb_shared_info` fit it (checked); we
        // run in NAPI context (`_napi`).
        let skb = unsafe {
            bindings::rust_igb_build_rx_skb(
                self.page.as_ptr(),
                self.offset,
                self.truesize,
                rx_headroom(),
                len,
            )
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
        // SAFETY: Our buffer of `pool` (invariant), returned once (for a
        // half page, its reference; the page goes back with the last). The
        // pool object outlives its pages (the C side defers its release).
        unsafe { bindings::rust_igb_page_pool_put(self.pool.as_ptr(), self.page.as_ptr()) }
    }
}

#[kunit_tests(rust_igb_net_page_pool)]
mod tests {
    use super::*;

    #[test]
    fn sync_stays_inside_the_buffer() {
        let half = (kernel::page::PAGE_SIZE / 2) as u32;
        let room = half - rx_headroom();
        assert_eq!(sync_len(60, room), 60);
        assert_eq!(sync_len(room, room), room);
        // An oversized length (a bad write-back, a caller's mistake) would
        // reach into the other half of the page: cut to the buffer.
        assert_eq!(sync_len(room + 1, room), room);
        assert_eq!(sync_len(u32::MAX, room), room);
    }
}
