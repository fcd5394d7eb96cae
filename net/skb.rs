// SPDX-License-Identifier: GPL-2.0

//! Socket buffers (`struct sk_buff`) as owned values.
//!
//! C header: include/linux/skbuff.h
//!
//! An [`SkBuff`] is owned by whoever holds it and has no destructor: it must be
//! handed back to the kernel explicitly, either consumed (delivered or sent) or
//! dropped with a reason, so every free in the driver is visible and carries
//! the right accounting. A forgotten one is a leak that kmemleak reports.

use core::ptr::NonNull;

use super::bindings;

/// Why the driver drops a buffer (`enum skb_drop_reason`), shown by
/// `perf trace`/`dropwatch` and the `kfree_skb` tracepoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DropReason {
    /// The device is not ready to transmit (no datapath, queue stopped, ...).
    DevReady,
}

impl DropReason {
    fn as_raw(self) -> bindings::skb_drop_reason {
        match self {
            Self::DevReady => bindings::skb_drop_reason_SKB_DROP_REASON_DEV_READY,
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

    /// Drop the buffer with `reason`, from any context.
    pub(crate) fn drop_with(self, reason: DropReason) {
        // SAFETY: We own the skb (type invariant) and give it up here.
        unsafe { bindings::rust_igb_dev_kfree_skb_any_reason(self.0.as_ptr(), reason.as_raw()) }
    }
}
