// SPDX-License-Identifier: GPL-2.0

//! [`SoftirqLock`]: a spinlock for data the datapath shares in softirq
//! context (`ndo_start_xmit`, the NAPI poll) with rare process-context users
//! (`open`, `stop`, reconfiguration, the watchdog).
//!
//! The kernel crate's `SpinLockIrq` would do, but it keeps interrupts off for
//! every critical section of the datapath, and under QEMU's TCG that halved
//! the small-packet rate (`Documentation/benchmark.md`). This backend picks
//! the cheapest safe form per acquisition, as C drivers do by hand:
//!
//! - where bottom halves or interrupts are already off (softirq, BH-disabled
//!   `start_xmit`, busy polling, netpoll), a plain `spin_lock`: no softirq
//!   can interrupt the holder, and a hard interrupt never takes the lock
//!   except through netpoll, which excludes itself from a CPU that is inside
//!   this device's NAPI poll (`netpoll_owner_active`) or holds the TX queue's
//!   xmit lock (`HARD_TX_TRYLOCK`), and only try-locks from its poll (see
//!   `napi.rs`);
//! - in process context, `spin_lock_irqsave`, so that neither a softirq nor
//!   netpoll from a hard interrupt can interrupt the holder on its CPU.
//!
//! Lockdep therefore sees the lock used in softirq and only ever taken with
//! softirqs off.

use kernel::{
    ffi::c_ulong,
    sync::lock::{Backend, Lock},
};

use super::bindings;

/// A spinlock for softirq-context data with rare process-context users.
pub(crate) type SoftirqLock<T> = Lock<T, SoftirqLockBackend>;

/// Whether the caller must not spin on a [`SoftirqLock`]: it runs in hard-IRQ
/// or NMI context, or an oops or panic is being printed. In 7.3 netconsole
/// prints from its own thread (an nbcon console whose atomic write is flagged
/// unsafe), so netpoll reaches `start_xmit` from such a context only in the
/// panic flush, where the ring lock may be held by code this CPU interrupted
/// or by a CPU the panic stopped: spinning there would hang the panic. Such
/// callers [`Lock::try_lock`] instead and drop what they cannot send.
pub(crate) fn must_not_spin() -> bool {
    // SAFETY: Reads the preempt count and a global flag; any context.
    unsafe { bindings::rust_igb_must_not_spin() }
}

/// The [`Backend`] of [`SoftirqLock`].
pub(crate) struct SoftirqLockBackend;

/// Creates a [`SoftirqLock`] initialiser with the given name and a new lock
/// class.
macro_rules! new_softirq_lock {
    ($inner:expr, $name:literal $(,)?) => {
        $crate::net::lock::SoftirqLock::new(
            $inner,
            ::kernel::optional_name!($name),
            ::kernel::static_lock_class!(),
        )
    };
}
pub(crate) use new_softirq_lock;

// SAFETY: The kernel's `spinlock_t` provides mutual exclusion; every lock
// form used here takes that same lock, and `unlock` undoes exactly what the
// matching `lock` did (the guard state records whether interrupts were
// saved). `relock` uses the default, `lock`, which re-evaluates the context.
unsafe impl Backend for SoftirqLockBackend {
    type State = bindings::spinlock_t;
    /// The saved interrupt flags when the lock was taken in process context.
    type GuardState = Option<c_ulong>;

    unsafe fn init(
        ptr: *mut Self::State,
        name: *const kernel::ffi::c_char,
        key: *mut bindings::lock_class_key,
    ) {
        // SAFETY: The caller guarantees `ptr` is valid for writes and `name`
        // and `key` valid for reads indefinitely.
        unsafe { bindings::__spin_lock_init(ptr, name, key) }
    }

    unsafe fn lock(ptr: *mut Self::State) -> Self::GuardState {
        let mut flags: c_ulong = 0;
        // SAFETY: The caller guarantees `ptr` was initialised by `init`;
        // `flags` is a valid place for the flags. One call decides the form
        // and takes the lock (two calls cost measurably under TCG).
        let saved = unsafe { bindings::rust_igb_softirq_lock(ptr, &mut flags) };
        saved.then_some(flags)
    }

    unsafe fn unlock(ptr: *mut Self::State, guard_state: &Self::GuardState) {
        // SAFETY: The caller owns the lock, taken by `lock`/`try_lock` on
        // this CPU: plainly (`None`) or with interrupts saved into the flags.
        unsafe {
            bindings::rust_igb_softirq_unlock(ptr, guard_state.is_some(), guard_state.unwrap_or(0))
        }
    }

    unsafe fn try_lock(ptr: *mut Self::State) -> Option<Self::GuardState> {
        let (mut saved, mut flags) = (false, 0);
        // SAFETY: The caller guarantees `ptr` was initialised by `init`; the
        // out-parameters are valid places.
        let locked = unsafe { bindings::rust_igb_softirq_trylock(ptr, &mut saved, &mut flags) };
        locked.then_some(saved.then_some(flags))
    }

    unsafe fn assert_is_held(ptr: *mut Self::State) {
        // `spin_assert_is_held` is `lockdep_assert_held`, empty without
        // lockdep: skip the call (one per acquisition) there.
        #[cfg(CONFIG_LOCKDEP)]
        // SAFETY: The caller guarantees `ptr` was initialised by `init`.
        unsafe {
            bindings::spin_assert_is_held(ptr)
        }
        #[cfg(not(CONFIG_LOCKDEP))]
        let _ = ptr;
    }
}
