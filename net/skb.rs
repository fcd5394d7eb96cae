// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`) as owned values.
//!
//! C header: include/linux/skbuff.h
//!
//! An [`SkBuff`] is owned by whoever holds it and has no destructor: it must be
//! handed back to the kernel explicitly, either consumed (delivered or sent) or
//! dropped with a reason, so every free in the driver is visible and carries
//! the right accounting. A forgotten one is a leak that kmemleak reports.

use core::{mem::MaybeUninit, ptr::NonNull};

use super::bindings;

/// Most page fragments an skb can carry (`MAX_SKB_FRAGS`): 17 by default,
/// up to 45 with `CONFIG_MAX_SKB_FRAGS`. Taken from the kernel the module is
/// built against, so the transmit path sizes itself for that kernel.
pub(crate) const MAX_SKB_FRAGS: usize = bindings::MAX_SKB_FRAGS as usize;

/// Why the driver drops a buffer (`enum skb_drop_reason`), shown by
/// `perf trace`/`dropwatch` and the `kfree_skb` tracepoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DropReason {
    /// The device is not ready to transmit (no datapath, queue stopped, ...).
    DevReady,
    /// The buffer could not be prepared for the device (DMA mapping failed).
    DevHdr,
}

impl DropReason {
    fn as_raw(self) -> bindings::skb_drop_reason {
        match self {
            Self::DevReady => bindings::skb_drop_reason_SKB_DROP_REASON_DEV_READY,
            Self::DevHdr => bindings::skb_drop_reason_SKB_DROP_REASON_DEV_HDR,
        }
    }
}

/// An owned `struct sk_buff`.
///
/// # Invariants
///
/// `0` points to a valid `sk_buff` that this value owns exclusively.
#[must_use = "an SkBuff must be consumed or dropped explicitly"]
pub(crate) struct SkBuff(NonNull<bindings::sk_buff>);

// SAFETY: An owned skb may be handed from one context to another; the kernel
// frees skbs from any context through the `_any` helpers used below.
unsafe impl Send for SkBuff {}

impl SkBuff {
    /// Take ownership of a raw skb.
    ///
    /// # Safety
    ///
    /// `ptr` must point to a valid `sk_buff` whose ownership passes to the
    /// returned value (e.g. the argument of `ndo_start_xmit`).
    pub(crate) unsafe fn from_raw(ptr: *mut bindings::sk_buff) -> Option<Self> {
        // INVARIANT: non-null, valid and owned per the safety requirements.
        NonNull::new(ptr).map(Self)
    }

    pub(super) fn as_raw(&self) -> *mut bindings::sk_buff {
        self.0.as_ptr()
    }

    /// Give up ownership to a C function that takes it.
    pub(super) fn into_raw(self) -> *mut bindings::sk_buff {
        self.0.as_ptr()
    }

    /// Total data length (linear part and fragments).
    pub(crate) fn len(&self) -> u32 {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { (*self.0.as_ptr()).len }
    }

    /// Length of the linear part.
    pub(crate) fn headlen(&self) -> u32 {
        // SAFETY: `self.0` is valid by the type invariant. `skb_headlen`:
        // `len - data_len` (never negative: `data_len` is the part of `len`
        // in fragments), read here without a call.
        unsafe {
            (*self.0.as_ptr())
                .len
                .wrapping_sub((*self.0.as_ptr()).data_len)
        }
    }

    /// Number of page fragments.
    pub(crate) fn nr_frags(&self) -> u32 {
        // SAFETY: `self.0` is valid by the type invariant.
        unsafe { bindings::rust_igb_skb_nr_frags(self.0.as_ptr()) }
    }

    /// The lengths of the page fragments, in order (`nr_frags` read once).
    pub(crate) fn frag_lens(&self) -> impl ExactSizeIterator<Item = u32> + '_ {
        (0..self.nr_frags()).map(move |i| {
            // SAFETY: Valid skb, borrowed (so unchanged) while the iterator
            // lives; `i` is below the `nr_frags` read at its start.
            unsafe { bindings::rust_igb_skb_frag_size(self.0.as_ptr(), i) }
        })
    }

    /// Pad the frame with zeroes to at least `len` bytes (`skb_put_padto`).
    /// On failure the kernel has freed the skb (and counted it): `None`.
    pub(crate) fn put_padto(self, len: u32) -> Option<Self> {
        // SAFETY: We own the skb; on failure the callee frees it.
        if unsafe { bindings::rust_igb_skb_put_padto(self.0.as_ptr(), len) } == 0 {
            Some(self)
        } else {
            None
        }
    }

    /// Free a buffer that was transmitted, from the NAPI poll
    /// (`napi_consume_skb` with the poll's budget: a nonzero budget uses the
    /// per-CPU NAPI cache, which only NAPI context may touch; `napi` proves
    /// it, and netpoll's budget 0 frees as from any context).
    pub(crate) fn consume(self, napi: &super::napi::Napi<'_>) {
        // SAFETY: We own the skb and give it up here; a nonzero budget comes
        // from the running poll (`napi`), so we are in its NAPI context.
        unsafe { bindings::napi_consume_skb(self.0.as_ptr(), napi.budget()) }
    }

    /// Free a buffer that was transmitted, from any context
    /// (`napi_consume_skb` with budget 0, i.e. `dev_consume_skb_any`).
    pub(crate) fn consume_any(self) {
        // SAFETY: We own the skb and give it up here; budget 0 is allowed in
        // any context.
        unsafe { bindings::napi_consume_skb(self.0.as_ptr(), 0) }
    }

    /// Set the RX queue and protocol of a received frame (`eth_type_trans`).
    pub(crate) fn rx_finish<T: super::device::Operations>(
        &mut self,
        dev: &super::Device<T>,
        queue: u16,
    ) {
        // SAFETY: We own the skb; `dev` is a registered net_device.
        unsafe { bindings::rust_igb_skb_rx_finish(self.0.as_ptr(), dev.as_raw(), queue) }
    }

    /// Drop the buffer with `reason`, from any context.
    pub(crate) fn drop_with(self, reason: DropReason) {
        // SAFETY: We own the skb (type invariant) and give it up here.
        unsafe { bindings::rust_igb_dev_kfree_skb_any_reason(self.0.as_ptr(), reason.as_raw()) }
    }
}

/// Up to `N` owned skbs collected under a lock and handed on after it is
/// released (to the stack, or freed), so that no skb leaves the driver while
/// a driver lock is held.
///
/// A poll makes one per batch: its slots are left uninitialised (zeroing
/// them cost a `memset` of the whole array per batch) and only the first
/// `len` hold skbs.
///
/// # Invariants
///
/// `items[..len]` are initialised and own their skbs; `len <= N`.
pub(crate) struct SkbBatch<const N: usize> {
    items: [MaybeUninit<SkBuff>; N],
    len: usize,
}

impl<const N: usize> SkbBatch<N> {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        // INVARIANT: no slot is initialised and `len` is 0.
        Self {
            items: [const { MaybeUninit::uninit() }; N],
            len: 0,
        }
    }

    /// Whether no more skbs fit.
    pub(crate) fn is_full(&self) -> bool {
        self.len == N
    }

    /// Add `skb`; if the batch is full it is handed back.
    pub(crate) fn push(&mut self, skb: SkBuff) -> core::result::Result<(), SkBuff> {
        match self.items.get_mut(self.len) {
            Some(slot) => {
                slot.write(skb);
                // INVARIANT: the slot at the old `len` is now initialised.
                self.len += 1;
                Ok(())
            }
            None => Err(skb),
        }
    }

    /// Take the skbs out, oldest first, leaving the batch empty. The caller
    /// consumes every one (an skb has no destructor: one the iterator did not
    /// yield would be leaked, as would one left in a dropped batch).
    pub(crate) fn drain(&mut self) -> impl Iterator<Item = SkBuff> + '_ {
        // INVARIANT: `len` is 0 from here on; the slots below the old value
        // are read out exactly once, by the iterator.
        let n = core::mem::replace(&mut self.len, 0);
        self.items.iter().take(n).map(|slot| {
            // SAFETY: One of the first `n` slots, initialised by `push` (type
            // invariant) and read only here, once: `len` no longer covers it.
            unsafe { slot.assume_init_read() }
        })
    }
}
