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
//! Each instance is added with the persistent configuration of its index
//! (`netif_napi_add_config`): its NAPI ID and the per-NAPI settings user space
//! makes through netdev netlink or sysfs (defer-hard-irqs, GRO flush and
//! IRQ-suspend timeouts, threaded) survive a close and reopen, a channel or
//! ring change and a reset, which all delete and add the instances again. The
//! driver tells the core which interrupt serves an instance
//! ([`Device::napi_set_irq`]) and which RX and TX queues it polls
//! ([`Device::queue_set_napi`]); the abstraction remembers the queue links and
//! removes them when the instance is disabled, so netdev netlink never shows a
//! queue linked to an instance that is not running.
//!
//! Locking: rust_igb's device has no queue-management, ops-lock or shaper
//! operations, so in 7.3 the core runs its `ndo`s and ethtool operations under
//! RTNL alone, never under the instance lock (`netdev->lock`), and the calls
//! here are the unlocked forms that take that lock themselves
//! (`netif_napi_add_config`, `napi_enable`, `netif_napi_set_irq`, ...).
//! `netif_queue_set_napi` wants RTNL for such a device: the [`Rtnl`] token.
//!
//! Contexts: add/enable/disable/del run in process context under RTNL (they
//! may sleep) and take an [`Rtnl`] token; schedule runs in hard-IRQ context;
//! poll runs in softirq (NET_RX_SOFTIRQ) with BHs disabled, serialised per
//! instance by the core. The [`Napi`] handle the poll receives is the proof
//! of that context: only the glue below creates one, it does not outlive
//! the poll and cannot leave its thread, and the functions that need NAPI
//! context (GRO, the per-CPU skb caches) take it.
//!
//! The slots live in the `net_device` private area behind shared references
//! (`&Device<T>`), so every field the abstraction changes after registration
//! is an atomic or inside the C object's `Opaque`. `Registration::register`
//! initialises them explicitly ([`NapiSlot::new`]) to the same all-zero
//! state `alloc_netdev_mqs` (kvzalloc) leaves, which is also what
//! `netif_napi_add` expects of a fresh `napi_struct`.

use core::{
    cell::Cell,
    ptr,
    sync::atomic::{AtomicPtr, AtomicU32, AtomicU8, Ordering},
};

use kernel::{prelude::*, types::Opaque};

use super::{
    bindings,
    device::{Device, Operations},
    rtnl::Rtnl,
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
    /// The owning device, set when added (before the core can poll).
    dev: AtomicPtr<bindings::net_device>,
    /// Index of this slot (the queue vector number), set when added.
    index: AtomicU32,
    /// `NAPI_NONE`, `NAPI_ADDED` or `NAPI_ENABLED`; changed under RTNL only.
    state: AtomicU8,
}

impl NapiSlot {
    /// A slot that is not added, its `napi_struct` zeroed: the state
    /// `netif_napi_add` expects, and the one a zeroed private area holds.
    pub(super) const fn new() -> Self {
        Self {
            napi: Opaque::zeroed(),
            dev: AtomicPtr::new(ptr::null_mut()),
            index: AtomicU32::new(0),
            state: AtomicU8::new(NAPI_NONE),
        }
    }
}

/// No instance linked (a [`QueueLinks`] entry).
const NO_LINK: u8 = u8::MAX;

/// The kind of a queue, for [`Device::queue_set_napi`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QueueKind {
    /// A receive queue.
    Rx,
    /// A transmit queue.
    Tx,
}

/// Which NAPI instance each queue is linked to, as last told to the core
/// (queues `0..MAX_QUEUE_VECTORS` of each kind; [`NO_LINK`]: none). Changed
/// under RTNL only (or with every other state change excluded, in the
/// registration's drop).
pub(super) struct QueueLinks {
    rx: [AtomicU8; MAX_QUEUE_VECTORS],
    tx: [AtomicU8; MAX_QUEUE_VECTORS],
}

impl QueueLinks {
    /// No queue linked.
    pub(super) const fn new() -> Self {
        Self {
            rx: [const { AtomicU8::new(NO_LINK) }; MAX_QUEUE_VECTORS],
            tx: [const { AtomicU8::new(NO_LINK) }; MAX_QUEUE_VECTORS],
        }
    }

    fn of(&self, kind: QueueKind) -> &[AtomicU8; MAX_QUEUE_VECTORS] {
        match kind {
            QueueKind::Rx => &self.rx,
            QueueKind::Tx => &self.tx,
        }
    }
}

/// Whether a poll that did `work` units of its `budget` may complete
/// (`napi_complete_done` requires `work < budget`; a budget of 0, netpoll's,
/// never completes).
pub(crate) fn may_complete(work: i32, budget: i32) -> bool {
    (0..budget).contains(&work)
}

/// What the poll glue returns to the core for a driver poll that returned
/// `work` of `budget`. Not completed: the full budget, so the core polls
/// again (returning less would leave the instance scheduled with nobody to
/// poll it). Completed: below the budget (returning the budget would make
/// the core poll an instance that is no longer scheduled) and not negative.
fn poll_result(work: i32, budget: i32, completed: bool) -> i32 {
    if completed {
        // `complete_done` only completes with `work < budget`, so budget >= 1.
        work.clamp(0, budget.saturating_sub(1).max(0))
    } else {
        budget.max(0)
    }
}

/// A NAPI instance handed to [`Operations::poll`](super::device::Operations::poll):
/// proof of NAPI (softirq, BHs off) context for the instance, with its budget.
///
/// Only the poll glue creates one; it borrows the poll and is neither `Send`
/// nor `Sync` (the slot holds an `Opaque`), so it cannot leave the poll.
pub(crate) struct Napi<'a> {
    slot: &'a NapiSlot,
    budget: i32,
    /// Whether `napi_complete_done` was called in this poll.
    completed: Cell<bool>,
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
        self.slot.index.load(Ordering::Relaxed) as usize
    }

    /// The budget of this poll: the most units of receive work it may do.
    /// 0 from netpoll, which allows transmit completions only.
    pub(crate) fn budget(&self) -> i32 {
        self.budget
    }

    /// Report that the poll is done with `work` units of work; returns
    /// whether the driver may re-enable its interrupt. With `work` not below
    /// the budget the poll is not done (the core polls again) and nothing is
    /// called: `false`.
    pub(crate) fn complete_done(&self, work: i32) -> bool {
        if !may_complete(work, self.budget) {
            return false;
        }
        self.completed.set(true);
        // SAFETY: The slot is added and enabled while its poll runs, and
        // `0 <= work < budget` (checked above).
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

    /// Add NAPI instance `index` with the persistent configuration of the
    /// same index (`netif_napi_add_config`), disabled. Process context, RTNL
    /// held (from `open`). `EINVAL` if the device has no configuration
    /// `index`.
    pub(crate) fn napi_add(&self, _rtnl: Rtnl<'_>, index: usize) -> Result {
        let slot = self.napi_slot(index)?;
        if slot.state.load(Ordering::Relaxed) != NAPI_NONE {
            return Err(EBUSY);
        }
        // Read by the poll glue, which the core cannot run before the
        // instance is added below.
        slot.dev.store(self.as_raw(), Ordering::Relaxed);
        slot.index.store(index as u32, Ordering::Relaxed);
        // SAFETY: The slot is not added (checked under RTNL, which every
        // state change holds); the net_device is registered and the slot
        // lives in its private area until the device is freed. The shim
        // checks `index` against the device's NAPI configurations.
        let ret = unsafe {
            bindings::rust_igb_napi_add(
                self.as_raw(),
                slot.napi.get(),
                Some(poll_callback::<T>),
                index as u32,
            )
        };
        kernel::error::to_result(ret)?;
        slot.state.store(NAPI_ADDED, Ordering::Release);
        Ok(())
    }

    /// Whether NAPI instance `index` is added (enabled or not).
    pub(crate) fn napi_is_added(&self, index: usize) -> bool {
        self.napi_slot(index)
            .is_ok_and(|slot| slot.state.load(Ordering::Relaxed) != NAPI_NONE)
    }

    /// Tell the core which interrupt serves NAPI instance `index`
    /// (`netif_napi_set_irq`): allocated interrupt vector `vector` of the
    /// device (see `irq.rs`), or none. Shown by netdev netlink's `napi-get`.
    /// RTNL held; `EINVAL` for an instance not added or a vector not
    /// allocated.
    pub(crate) fn napi_set_irq(
        &self,
        _rtnl: Rtnl<'_>,
        index: usize,
        vector: Option<usize>,
    ) -> Result {
        let slot = self.napi_slot(index)?;
        if slot.state.load(Ordering::Relaxed) == NAPI_NONE {
            return Err(EINVAL);
        }
        let irq = match vector {
            None => -1,
            Some(v) if v < self.irq_vectors() => {
                // SAFETY: The device's vectors are allocated (at
                // registration) and `v` is one of them.
                let irq = unsafe { bindings::pci_irq_vector(self.pci_dev(), v as u32) };
                if irq < 0 {
                    return Err(Error::from_errno(irq));
                }
                irq
            }
            Some(_) => return Err(EINVAL),
        };
        // SAFETY: The instance is added (checked under RTNL).
        unsafe { bindings::rust_igb_napi_set_irq(slot.napi.get(), irq) };
        Ok(())
    }

    /// Link queue `queue` of `kind` to NAPI instance `index`
    /// (`netif_queue_set_napi`), or unlink it (`None`): netdev netlink's
    /// `queue-get` then shows the instance's ID. RTNL held. `EINVAL` for a
    /// queue the device does not have or an instance that is not enabled;
    /// disabling the instance unlinks its queues.
    pub(crate) fn queue_set_napi(
        &self,
        _rtnl: Rtnl<'_>,
        kind: QueueKind,
        queue: usize,
        index: Option<usize>,
    ) -> Result {
        let link = self.priv_links().of(kind).get(queue).ok_or(EINVAL)?;
        let napi = match index {
            None => ptr::null_mut(),
            Some(i) => {
                let slot = self.napi_slot(i)?;
                if slot.state.load(Ordering::Relaxed) != NAPI_ENABLED {
                    return Err(EINVAL);
                }
                slot.napi.get()
            }
        };
        // SAFETY: RTNL is held (the token); `napi` is null or an enabled
        // instance of this device, which stays added while linked (its
        // disable unlinks first); the shim checks `queue` against the
        // device's queues.
        let ret = unsafe {
            bindings::rust_igb_queue_set_napi(
                self.as_raw(),
                queue as u32,
                kind == QueueKind::Tx,
                napi,
            )
        };
        kernel::error::to_result(ret)?;
        link.store(index.map_or(NO_LINK, |i| i as u8), Ordering::Relaxed);
        Ok(())
    }

    /// Unlink every queue linked to NAPI instance `index` (before it is
    /// disabled). RTNL held, or every other state change excluded.
    fn unlink_queues(&self, index: usize) {
        for kind in [QueueKind::Rx, QueueKind::Tx] {
            for (q, link) in self.priv_links().of(kind).iter().enumerate() {
                if usize::from(link.load(Ordering::Relaxed)) == index {
                    // SAFETY: As in `queue_set_napi`: unlinking a queue the
                    // device has (it was linked).
                    let _ = unsafe {
                        bindings::rust_igb_queue_set_napi(
                            self.as_raw(),
                            q as u32,
                            kind == QueueKind::Tx,
                            ptr::null_mut(),
                        )
                    };
                    link.store(NO_LINK, Ordering::Relaxed);
                }
            }
        }
    }

    /// Enable NAPI instance `index` (`napi_enable`). RTNL held.
    pub(crate) fn napi_enable(&self, _rtnl: Rtnl<'_>, index: usize) -> Result {
        let slot = self.napi_slot(index)?;
        if slot.state.load(Ordering::Relaxed) != NAPI_ADDED {
            return Err(EINVAL);
        }
        // SAFETY: The instance is added and disabled (checked under RTNL).
        unsafe { bindings::napi_enable(slot.napi.get()) };
        slot.state.store(NAPI_ENABLED, Ordering::Release);
        Ok(())
    }

    /// Disable NAPI instance `index` (`napi_disable`), waiting for a running
    /// poll to finish. May sleep; RTNL held. A no-op unless enabled.
    pub(crate) fn napi_disable(&self, _rtnl: Rtnl<'_>, index: usize) {
        self.napi_disable_excl(index);
    }

    /// Delete NAPI instance `index` (`netif_napi_del`), disabling it first if
    /// needed. May sleep; RTNL held. A no-op unless added.
    pub(crate) fn napi_del(&self, _rtnl: Rtnl<'_>, index: usize) {
        self.napi_del_excl(index);
    }

    /// [`Self::napi_disable`] for a caller that excludes every other state
    /// change by other means than RTNL (the registration's drop, after
    /// unregistering).
    fn napi_disable_excl(&self, index: usize) {
        if let Ok(slot) = self.napi_slot(index) {
            if slot.state.load(Ordering::Relaxed) == NAPI_ENABLED {
                // No queue stays linked to an instance that is not running.
                self.unlink_queues(index);
                // SAFETY: The instance is enabled.
                unsafe { bindings::napi_disable(slot.napi.get()) };
                slot.state.store(NAPI_ADDED, Ordering::Release);
            }
        }
    }

    /// [`Self::napi_del`] for a caller that excludes every other state
    /// change (see [`Self::napi_disable_excl`]).
    pub(super) fn napi_del_excl(&self, index: usize) {
        self.napi_disable_excl(index);
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
    // SAFETY: `dev` was set by `napi_add`, before the instance was added, to
    // the registered device owning the slot, which outlives all polls
    // (deleted in `stop` at the latest).
    let dev = unsafe { Device::<T>::from_raw(slot.dev.load(Ordering::Relaxed)) };
    let napi = Napi {
        slot,
        budget,
        completed: Cell::new(false),
    };
    let work = T::poll(dev, &napi);
    poll_result(work, budget, napi.completed.get())
}

#[kunit_tests(rust_igb_net_napi)]
mod tests {
    use super::*;

    #[test]
    fn completes_only_below_budget() {
        assert!(may_complete(0, 64));
        assert!(may_complete(63, 64));
        assert!(!may_complete(64, 64));
        assert!(!may_complete(65, 64));
        assert!(!may_complete(-1, 64));
        // netpoll's budget 0 never completes.
        assert!(!may_complete(0, 0));
    }

    #[test]
    fn poll_result_keeps_uncompleted_instances_polled() {
        assert_eq!(poll_result(3, 64, true), 3);
        // Not completed: ask to be polled again rather than strand it.
        assert_eq!(poll_result(3, 64, false), 64);
        assert_eq!(poll_result(64, 64, false), 64);
        assert_eq!(poll_result(100, 64, false), 64);
        // Completed: below the budget, never negative.
        assert_eq!(poll_result(64, 64, true), 63);
        assert_eq!(poll_result(-5, 64, true), 0);
        // netpoll's budget 0.
        assert_eq!(poll_result(0, 0, false), 0);
    }
}
