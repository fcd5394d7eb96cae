// SPDX-License-Identifier: GPL-2.0

//! [`Rtnl`]: proof, checked by the compiler, that the caller holds RTNL (the
//! routing netlink mutex, `rtnl_lock()`).
//!
//! C header: include/linux/rtnetlink.h
//!
//! Several net core calls must be made with RTNL held (`netif_napi_add`,
//! `napi_enable`, `netif_set_real_num_{tx,rx}_queues`, writing
//! `dev->mtu`, and, for our own bookkeeping, requesting and freeing the
//! interrupt handlers whose slots RTNL serialises). Others must run in
//! process context where sleeping is allowed (`napi_disable`,
//! `synchronize_irq`, `netif_tx_disable`, XPS set-up) or not from the
//! watchdog (cancelling it synchronously): an RTNL holder is such a context
//! and never the watchdog. The abstraction's methods for all of them take an
//! `Rtnl<'_>` argument, and only the abstraction can make
//! one: the glue of the callbacks the core calls with RTNL held (`ndo_open`,
//! `ndo_stop`, `ndo_change_mtu`, the ethtool callbacks that reconfigure) and
//! the reset task, which takes RTNL itself. A driver function that needs RTNL
//! says so in its signature by taking the token; calling it from the watchdog,
//! an interrupt handler or the poll does not compile.
//!
//! The token is zero-sized and `Copy` (passing it costs nothing), borrows the
//! callback's lifetime (it cannot be stored beyond the callback) and is
//! neither `Send` nor `Sync` (it cannot be handed to another thread, which
//! would not hold the lock).

use core::marker::PhantomData;

/// Proof that RTNL is held for `'a` on this thread.
///
/// # Invariants
///
/// RTNL is held by the current thread for as long as `'a`.
#[derive(Clone, Copy)]
pub(crate) struct Rtnl<'a> {
    /// Bounds the token by the callback; a raw pointer makes it `!Send` and
    /// `!Sync`.
    _held: PhantomData<(&'a (), *mut ())>,
}

impl Rtnl<'_> {
    /// A token for a section of code that holds RTNL.
    ///
    /// # Safety
    ///
    /// The current thread must hold RTNL for the whole lifetime of the
    /// token, which the caller must not let escape that section.
    pub(super) unsafe fn assume_held() -> Self {
        // INVARIANT: per the safety requirements.
        Self { _held: PhantomData }
    }
}

/// RTNL taken by [`RtnlGuard::lock`] and released when dropped; hands out
/// tokens that borrow the guard.
pub(super) struct RtnlGuard {
    /// `!Send`: the mutex is released by the thread that took it.
    _not_send: PhantomData<*mut ()>,
}

impl RtnlGuard {
    /// Take RTNL (`rtnl_lock`). Process context; may sleep.
    pub(super) fn lock() -> Self {
        // SAFETY: Plain lock call; released in `drop`.
        unsafe { super::bindings::rtnl_lock() };
        Self {
            _not_send: PhantomData,
        }
    }

    /// A token valid while the guard exists.
    pub(super) fn token(&self) -> Rtnl<'_> {
        // SAFETY: RTNL is held until `self` is dropped, which the borrow
        // keeps after the token's last use.
        unsafe { Rtnl::assume_held() }
    }
}

impl Drop for RtnlGuard {
    fn drop(&mut self) {
        // SAFETY: Taken in `lock` by this thread (the guard is `!Send`).
        unsafe { super::bindings::rtnl_unlock() };
    }
}
