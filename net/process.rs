// SPDX-License-Identifier: GPL-2.0

//! [`Process`]: proof, checked by the compiler, that the caller runs in
//! process context where it may sleep, in a work item the layer runs.
//!
//! C header: include/linux/workqueue.h
//!
//! Some calls take mutexes or allocate with `GFP_KERNEL` and must never come
//! from an interrupt handler, a NAPI poll, a timer (`ndo_tx_timeout`) or
//! `start_xmit`: reporting an error to devlink's health core
//! (`devlink_health_report` takes the devlink instance lock and builds the
//! dump, see `net/devlink.rs`) is the first. The abstraction's methods for
//! them take a `Process<'_>` argument, and only the abstraction makes one:
//! the glue of the driver's watchdog work item ([`Operations::watchdog`]),
//! which the workqueue runs in process context without RTNL and without any
//! lock of the layer held.
//!
//! Like [`Rtnl`](super::Rtnl), the token is zero-sized and `Copy`, borrows
//! the callback's lifetime (it cannot be stored beyond it) and is neither
//! `Send` nor `Sync`. It does not prove that the driver itself holds no
//! spinlock at the call: a call made under one of the driver's spinlock
//! guards compiles, and the debug kernel's atomic-sleep check
//! (`CONFIG_DEBUG_ATOMIC_SLEEP`) reports it.
//!
//! [`Operations::watchdog`]: super::device::Operations::watchdog

use core::marker::PhantomData;

/// Proof that the current thread runs the layer's process-context work for
/// `'a` and may sleep.
///
/// # Invariants
///
/// The current thread is in process context, not atomic (no spinlock of the
/// layer held, interrupts and bottom halves on), for as long as `'a`.
#[derive(Clone, Copy)]
pub(crate) struct Process<'a> {
    /// Bounds the token by the callback; a raw pointer makes it `!Send` and
    /// `!Sync`.
    _ctx: PhantomData<(&'a (), *mut ())>,
}

impl Process<'_> {
    /// A token for a section of code in sleepable process context.
    ///
    /// # Safety
    ///
    /// The current thread must be in process context and allowed to sleep
    /// for the whole lifetime of the token, which the caller must not let
    /// escape that section.
    pub(super) unsafe fn assume() -> Self {
        // INVARIANT: per the safety requirements.
        Self { _ctx: PhantomData }
    }
}
