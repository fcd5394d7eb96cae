// SPDX-License-Identifier: GPL-2.0

//! NAPI: the polled receive/transmit-completion context.
//!
//! C header: include/linux/netdevice.h
//!
//! The abstraction owns up to [`MAX_QUEUE_VECTORS`] `napi_struct`s in the
//! `net_device` private area. A driver refers to one by index: it adds and
//! enables it in `open`, schedules it from its interrupt handler, completes it
//! from [`Operations::poll`](super::device::Operations::poll), and disables and
//! deletes it in `stop`. Each slot tracks its state so a call in the wrong
//! state is refused instead of reaching the C API in an invalid state.
//!
//! Contexts: add/enable/disable/del run in process context under RTNL (they
//! may sleep); schedule runs in hard-IRQ context; poll runs in softirq
//! (NET_RX_SOFTIRQ) with BHs disabled, serialised per instance by the core.

use core::sync::atomic::{AtomicU8, Ordering};

use kernel::{prelude::*, types::Opaque};

use super::{
    bindings,
    device::{Device, Operations},
    skb::SkBuff,
};

/// How many NAPI instances (queue vectors) a device can have.
pub(crate) const MAX_QUEUE_VECTORS: usize = 8;

/// Slot state: not added.
const NAPI_NONE: u8 = 0;
/// Slot state: added with `netif_napi_add`, disabled.
const NAPI_ADDED: u8 = 1;
/// Slot state: added and enabled.
const NAPI_ENABLED: u8 = 2;

/// One NAPI instance in the private area.
#[repr(C)]
pub(super) struct NapiSlot {
    /// The C object; first, so a `napi_struct *` is a `NapiSlot *`.
    napi: Opaque<bindings::napi_struct>,
    /// The owning device, set when added.
    dev: *mut bindings::net_device,
    /// Index of this slot (the queue vector number).
    index: u32,
    /// `NAPI_NONE`, `NAPI_ADDED` or `NAPI_ENABLED`; changed under RTNL only.
    state: AtomicU8,
}

/// A NAPI instance handed to [`Operations::poll`](super::device::Operations::poll).
pub(crate) struct Napi<'a> {
    slot: &'a NapiSlot,
}

impl Napi<'_> {
    /// Copy the `len` received bytes of `page` (synced for the CPU) into a
    /// new small skb, leaving the page with the caller (`napi_alloc_skb`);
    /// `None` if no skb could be allocated or `len` exceeds the buffer.
    pub(crate) fn rx_copy(&self, page: &super::page_pool::PoolPage, len: u32) -> Option<SkBuff> {
        let offset = page.data_offset();
        if len > page.room() {
            return None;
        }
        // SAFETY: Within this instance's poll (BHs off); the range is inside
        // the buffer (checked above), which the caller owns and has synced.
        let skb = unsafe {
            bindings::rust_igb_napi_copy_skb(self.slot.napi.get(), page.as_raw(), offset, len)
        };
        // SAFETY: A non-null result is a new skb that we own.
        unsafe { SkBuff::from_raw(skb) }
    }

    /// The queue vector index of this instance.
    pub(crate) fn index(&self) -> usize {
        self.slot.index as usize
    }

    /// Report that the poll is done with `work` units of work (< budget);
    /// returns whether the driver may re-enable its interrupt.
    pub(crate) fn complete_done(&self, work: i32) -> bool {
        // SAFETY: The slot is added and enabled while its poll runs.
        unsafe { bindings::napi_complete_done(self.slot.napi.get(), work) }
    }

    /// Hand a received frame to GRO and the stack.
    pub(crate) fn gro_receive(&self, skb: SkBuff) {
        // SAFETY: We run in this instance's poll; ownership of the skb passes
        // to the stack.
        unsafe { bindings::rust_igb_napi_gro_receive(self.slot.napi.get(), skb.into_raw()) };
    }
}

impl<T: Operations> Device<T> {
    fn napi_slot(&self, index: usize) -> Result<&NapiSlot> {
        self.priv_napi().get(index).ok_or(EINVAL)
    }

    /// Add NAPI instance `index` (`netif_napi_add`), disabled. Process
    /// context, RTNL held (from `open`).
    pub(crate) fn napi_add(&self, index: usize) -> Result {
        let slot = self.napi_slot(index)?;
        if slot.state.load(Ordering::Relaxed) != NAPI_NONE {
            return Err(EBUSY);
        }
        // SAFETY: The slot is not added; the net_device is registered and the
        // slot lives in its private area until the device is freed.
        unsafe {
            let p = core::ptr::from_ref(slot).cast_mut();
            (&raw mut (*p).dev).write(self.as_raw());
            (&raw mut (*p).index).write(index as u32);
            bindings::rust_igb_napi_add(self.as_raw(), slot.napi.get(), Some(poll_callback::<T>));
        }
        slot.state.store(NAPI_ADDED, Ordering::Release);
        Ok(())
    }

    /// Enable NAPI instance `index` (`napi_enable`).
    pub(crate) fn napi_enable(&self, index: usize) -> Result {
        let slot = self.napi_slot(index)?;
        if slot.state.load(Ordering::Relaxed) != NAPI_ADDED {
            return Err(EINVAL);
        }
        // SAFETY: The instance is added and disabled.
        unsafe { bindings::napi_enable(slot.napi.get()) };
        slot.state.store(NAPI_ENABLED, Ordering::Release);
        Ok(())
    }

    /// Disable NAPI instance `index` (`napi_disable`), waiting for a running
    /// poll to finish. May sleep. A no-op unless enabled.
    pub(crate) fn napi_disable(&self, index: usize) {
        if let Ok(slot) = self.napi_slot(index) {
            if slot.state.load(Ordering::Relaxed) == NAPI_ENABLED {
                // SAFETY: The instance is enabled.
                unsafe { bindings::napi_disable(slot.napi.get()) };
                slot.state.store(NAPI_ADDED, Ordering::Release);
            }
        }
    }

    /// Delete NAPI instance `index` (`netif_napi_del`), disabling it first if
    /// needed. May sleep. A no-op unless added.
    pub(crate) fn napi_del(&self, index: usize) {
        self.napi_disable(index);
        if let Ok(slot) = self.napi_slot(index) {
            if slot.state.load(Ordering::Relaxed) == NAPI_ADDED {
                // SAFETY: The instance is added and disabled.
                unsafe { bindings::rust_igb_napi_del(slot.napi.get()) };
                slot.state.store(NAPI_NONE, Ordering::Release);
            }
        }
    }

    /// Schedule NAPI instance `index` (`napi_schedule`), typically from the
    /// interrupt handler. A no-op unless enabled.
    pub(crate) fn napi_schedule(&self, index: usize) {
        if let Ok(slot) = self.napi_slot(index) {
            if slot.state.load(Ordering::Acquire) == NAPI_ENABLED {
                // SAFETY: The instance is enabled; `napi_schedule` is callable
                // from any context.
                unsafe { bindings::rust_igb_napi_schedule(slot.napi.get()) };
            }
        }
    }
}

/// # Safety
///
/// Called by the net core for a `napi_struct` that is the first member of a
/// `NapiSlot` added by [`Device::napi_add`] on a device of type `T`.
unsafe extern "C" fn poll_callback<T: Operations>(
    napi: *mut bindings::napi_struct,
    budget: c_int,
) -> c_int {
    // SAFETY: `NapiSlot` is `repr(C)` with the napi_struct first, so the
    // pointers coincide; the slot outlives its registration with the core.
    let slot = unsafe { &*napi.cast::<NapiSlot>() };
    // SAFETY: `dev` was set by `napi_add` to the registered device owning the
    // slot, which outlives all polls (deleted in `stop` at the latest).
    let dev = unsafe { Device::<T>::from_raw(slot.dev) };
    T::poll(dev, &Napi { slot }, budget)
}
