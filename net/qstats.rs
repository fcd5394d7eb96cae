// SPDX-License-Identifier: GPL-2.0

//! Per-queue statistics for netdev netlink (`struct netdev_stat_ops`, what
//! `ynl --family netdev --dump qstats-get` reads).
//!
//! C header: include/net/netdev_queues.h
//!
//! The core asks for one RX or TX queue of the `real_num_*_queues` in use, or
//! for the base: the part of the device's history that belongs to no live
//! queue (queues a channel change removed). A device total is the base plus
//! every live queue, gathered without dropping the lock, and only the
//! counters the base sets are reported at that level. The driver fills a
//! [`QueueStatsRx`] / [`QueueStatsTx`] with the counters it keeps (`None`:
//! not kept, left undefined for the core); the glue copies them into the C
//! structures, which the core pre-fills with its "not set" marker.
//!
//! Context: rust_igb's device has no queue-management, ops-lock or shaper
//! operations, so the core calls these under RTNL (netdev_queues.h:
//! "called under the instance lock if netdev_need_ops_lock() returns true,
//! otherwise under rtnl_lock"): the driver gets an [`Rtnl`] token.

use core::{ffi::c_int, marker::PhantomData};

use kernel::prelude::*;

use super::{
    bindings,
    device::{Device, Operations},
    rtnl::Rtnl,
};

/// What the core pre-fills a counter with (`NETDEV_STAT_NOT_SET`): a value
/// the driver never reports.
const NOT_SET: u64 = u64::MAX;

/// The counters of one RX queue (or of the base), as netdev.yaml defines
/// them. `None`: not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct QueueStatsRx {
    /// Frames received and passed to the stack (`rx-packets`).
    pub(crate) packets: Option<u64>,
    /// Their bytes (`rx-bytes`).
    pub(crate) bytes: Option<u64>,
    /// Failed buffer allocations (`rx-alloc-fail`).
    pub(crate) alloc_fail: Option<u64>,
    /// Frames with a bad checksum, passed to the stack anyway (`rx-csum-bad`).
    pub(crate) csum_bad: Option<u64>,
}

/// The counters of one TX queue (or of the base). `None`: not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct QueueStatsTx {
    /// Frames sent (`tx-packets`).
    pub(crate) packets: Option<u64>,
    /// Their bytes (`tx-bytes`).
    pub(crate) bytes: Option<u64>,
    /// Packets the device segmented (`tx-hw-gso-packets`).
    pub(crate) hw_gso_packets: Option<u64>,
    /// Times the driver stopped the queue because the ring was full
    /// (`tx-stop`).
    pub(crate) stop: Option<u64>,
    /// Times it started it again (`tx-wake`).
    pub(crate) wake: Option<u64>,
}

/// The sum of two counters, kept if either is.
fn sum(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
    }
}

/// `v` as the core may see it: never its "not set" marker.
fn reportable(v: u64) -> u64 {
    v.min(NOT_SET - 1)
}

impl QueueStatsRx {
    /// Every counter kept, at zero (a base with nothing in it yet).
    pub(crate) const fn zero() -> Self {
        Self {
            packets: Some(0),
            bytes: Some(0),
            alloc_fail: Some(0),
            csum_bad: Some(0),
        }
    }

    /// Add `other`'s counters to these (a counter kept by either is kept).
    pub(crate) fn add(&mut self, other: &Self) {
        self.packets = sum(self.packets, other.packets);
        self.bytes = sum(self.bytes, other.bytes);
        self.alloc_fail = sum(self.alloc_fail, other.alloc_fail);
        self.csum_bad = sum(self.csum_bad, other.csum_bad);
    }

    fn write(&self, out: &mut bindings::netdev_queue_stats_rx) {
        for (v, o) in [
            (self.packets, &mut out.packets),
            (self.bytes, &mut out.bytes),
            (self.alloc_fail, &mut out.alloc_fail),
            (self.csum_bad, &mut out.csum_bad),
        ] {
            if let Some(v) = v {
                *o = reportable(v);
            }
        }
    }
}

impl QueueStatsTx {
    /// Every counter kept, at zero.
    pub(crate) const fn zero() -> Self {
        Self {
            packets: Some(0),
            bytes: Some(0),
            hw_gso_packets: Some(0),
            stop: Some(0),
            wake: Some(0),
        }
    }

    /// Add `other`'s counters to these (a counter kept by either is kept).
    pub(crate) fn add(&mut self, other: &Self) {
        self.packets = sum(self.packets, other.packets);
        self.bytes = sum(self.bytes, other.bytes);
        self.hw_gso_packets = sum(self.hw_gso_packets, other.hw_gso_packets);
        self.stop = sum(self.stop, other.stop);
        self.wake = sum(self.wake, other.wake);
    }

    fn write(&self, out: &mut bindings::netdev_queue_stats_tx) {
        for (v, o) in [
            (self.packets, &mut out.packets),
            (self.bytes, &mut out.bytes),
            (self.hw_gso_packets, &mut out.hw_gso_packets),
            (self.stop, &mut out.stop),
            (self.wake, &mut out.wake),
        ] {
            if let Some(v) = v {
                *o = reportable(v);
            }
        }
    }
}

/// The `netdev_stat_ops` table for `T`: set only if `T` reports all three
/// (per-queue RX and TX and the base), which is what the core's totals need.
pub(super) struct StatOpsTable<T>(PhantomData<T>);

impl<T: Operations> StatOpsTable<T> {
    const OPS: bindings::netdev_stat_ops = bindings::netdev_stat_ops {
        get_queue_stats_rx: Some(get_queue_stats_rx::<T>),
        get_queue_stats_tx: Some(get_queue_stats_tx::<T>),
        get_base_stats: Some(get_base_stats::<T>),
    };

    /// The table, or null if `T` does not report queue statistics.
    pub(super) const fn stat_ops() -> *const bindings::netdev_stat_ops {
        if T::HAS_QUEUE_STATS_RX && T::HAS_QUEUE_STATS_TX && T::HAS_BASE_STATS {
            &Self::OPS
        } else {
            core::ptr::null()
        }
    }
}

/// # Safety
///
/// Called by the net core, under RTNL (see the module documentation), for a
/// device registered by `Registration<T>` and a valid `stats`.
unsafe extern "C" fn get_queue_stats_rx<T: Operations>(
    dev: *mut bindings::net_device,
    idx: c_int,
    stats: *mut bindings::netdev_queue_stats_rx,
) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: The core holds RTNL for a device without an ops lock; the
    // token does not outlive this call.
    let rtnl = unsafe { Rtnl::assume_held() };
    let Ok(queue) = u32::try_from(idx) else {
        return;
    };
    let mut s = QueueStatsRx::default();
    T::queue_stats_rx(dev, rtnl, queue, &mut s);
    // SAFETY: `stats` is valid for writes per the safety requirements.
    s.write(unsafe { &mut *stats });
}

/// # Safety
///
/// As [`get_queue_stats_rx`].
unsafe extern "C" fn get_queue_stats_tx<T: Operations>(
    dev: *mut bindings::net_device,
    idx: c_int,
    stats: *mut bindings::netdev_queue_stats_tx,
) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: As in `get_queue_stats_rx`.
    let rtnl = unsafe { Rtnl::assume_held() };
    let Ok(queue) = u32::try_from(idx) else {
        return;
    };
    let mut s = QueueStatsTx::default();
    T::queue_stats_tx(dev, rtnl, queue, &mut s);
    // SAFETY: `stats` is valid for writes per the safety requirements.
    s.write(unsafe { &mut *stats });
}

/// # Safety
///
/// As [`get_queue_stats_rx`], with `rx` and `tx` valid.
unsafe extern "C" fn get_base_stats<T: Operations>(
    dev: *mut bindings::net_device,
    rx: *mut bindings::netdev_queue_stats_rx,
    tx: *mut bindings::netdev_queue_stats_tx,
) {
    // SAFETY: Per the function's safety requirements.
    let dev = unsafe { Device::<T>::from_raw(dev) };
    // SAFETY: As in `get_queue_stats_rx`.
    let rtnl = unsafe { Rtnl::assume_held() };
    let (mut r, mut t) = (QueueStatsRx::default(), QueueStatsTx::default());
    T::base_stats(dev, rtnl, &mut r, &mut t);
    // SAFETY: `rx` and `tx` are valid for writes per the safety requirements.
    unsafe {
        r.write(&mut *rx);
        t.write(&mut *tx);
    }
}

#[kunit_tests(rust_igb_net_qstats)]
mod tests {
    use super::*;

    #[test]
    fn sums_keep_what_either_counts() {
        let mut a = QueueStatsRx {
            packets: Some(3),
            ..Default::default()
        };
        a.add(&QueueStatsRx {
            packets: Some(4),
            bytes: Some(10),
            ..Default::default()
        });
        assert_eq!(a.packets, Some(7));
        assert_eq!(a.bytes, Some(10));
        assert_eq!(a.alloc_fail, None);
        let mut t = QueueStatsTx {
            stop: Some(u64::MAX - 1),
            ..Default::default()
        };
        t.add(&QueueStatsTx {
            stop: Some(5),
            ..Default::default()
        });
        assert_eq!(t.stop, Some(u64::MAX));
    }

    #[test]
    fn never_reports_the_not_set_marker() {
        assert_eq!(reportable(u64::MAX), u64::MAX - 1);
        assert_eq!(reportable(7), 7);
    }
}
