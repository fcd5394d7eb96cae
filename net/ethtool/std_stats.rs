// SPDX-License-Identifier: GPL-2.0

//! The standard statistics groups of `ethtool -S <if> --groups eth-mac
//! eth-ctrl rmon` (`get_eth_mac_stats`, `get_eth_ctrl_stats`,
//! `get_rmon_stats`) and the pause frame counts of `ethtool -I -a <if>`
//! (`get_pause_stats`), as typed values for the driver's
//! [`Operations`](super::Operations).
//!
//! C headers: include/linux/ethtool.h (`struct ethtool_eth_mac_stats` & co.);
//! the core side is net/ethtool/stats.c and net/ethtool/pause.c.
//!
//! The core fills every counter with `ETHTOOL_STAT_NOT_SET` before the call
//! and leaves out of the reply those still holding it, so the driver answers
//! with `Option`s: `None` is "the hardware does not count this" and leaves the
//! core's marker in place; only `Some` values are written.
//!
//! The structures carry the MAC the request is about (`src`). A driver here
//! has no MAC merge layer: it answers for the aggregate and the express MAC
//! (both are its one MAC) and leaves a pMAC request unanswered, as the C
//! drivers without pMAC do (the core refuses those before calling anyway).
//!
//! Callbacks run in process context (a netlink request) with RTNL held.

use core::marker::PhantomData;

use kernel::prelude::*;

use crate::net::{bindings, device, Device};

/// `ETHTOOL_RMON_HIST_MAX`: most RMON histogram buckets.
pub(crate) const RMON_HIST_MAX: usize = bindings::ETHTOOL_RMON_HIST_MAX as usize;

/// Defines a group of standard counters: a struct of `Option<u64>` for the
/// driver and its copy into the C structure (whose counters are a
/// `struct_group`, the bindgen union `__bindgen_anon_1`).
macro_rules! std_group {
    (
        $(#[$meta:meta])*
        $name:ident => $c:ident {
            $( $(#[$fmeta:meta])* $field:ident => $cfield:ident, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub(crate) struct $name {
            $( $(#[$fmeta])* pub(crate) $field: Option<u64>, )*
        }

        impl $name {
            /// Write the counters provided into `out`, leaving the others
            /// as the core set them.
            fn store(&self, out: &mut bindings::$c) {
                // SAFETY: Both members of the union are the same `u64`
                // counters (`struct_group`), for which every bit pattern is
                // valid; `out` is borrowed mutably for the whole access.
                let s = unsafe { &mut out.__bindgen_anon_1.__bindgen_anon_1 };
                $( if let Some(v) = self.$field { s.$cfield = v; } )*
            }
        }
    };
}

std_group! {
    /// IEEE 802.3 MAC statistics (30.3.1.1), `struct ethtool_eth_mac_stats`.
    EthMacStats => ethtool_eth_mac_stats {
        /// aFramesTransmittedOK.
        frames_transmitted_ok => FramesTransmittedOK,
        /// aSingleCollisionFrames.
        single_collision_frames => SingleCollisionFrames,
        /// aMultipleCollisionFrames.
        multiple_collision_frames => MultipleCollisionFrames,
        /// aFramesReceivedOK.
        frames_received_ok => FramesReceivedOK,
        /// aFrameCheckSequenceErrors.
        frame_check_sequence_errors => FrameCheckSequenceErrors,
        /// aAlignmentErrors.
        alignment_errors => AlignmentErrors,
        /// aOctetsTransmittedOK.
        octets_transmitted_ok => OctetsTransmittedOK,
        /// aFramesWithDeferredXmissions.
        frames_with_deferred_xmissions => FramesWithDeferredXmissions,
        /// aLateCollisions.
        late_collisions => LateCollisions,
        /// aFramesAbortedDueToXSColls.
        frames_aborted_due_to_xs_colls => FramesAbortedDueToXSColls,
        /// aFramesLostDueToIntMACXmitError.
        frames_lost_due_to_int_mac_xmit_error => FramesLostDueToIntMACXmitError,
        /// aCarrierSenseErrors.
        carrier_sense_errors => CarrierSenseErrors,
        /// aOctetsReceivedOK.
        octets_received_ok => OctetsReceivedOK,
        /// aFramesLostDueToIntMACRcvError.
        frames_lost_due_to_int_mac_rcv_error => FramesLostDueToIntMACRcvError,
        /// aMulticastFramesXmittedOK.
        multicast_frames_xmitted_ok => MulticastFramesXmittedOK,
        /// aBroadcastFramesXmittedOK.
        broadcast_frames_xmitted_ok => BroadcastFramesXmittedOK,
        /// aFramesWithExcessiveDeferral.
        frames_with_excessive_deferral => FramesWithExcessiveDeferral,
        /// aMulticastFramesReceivedOK.
        multicast_frames_received_ok => MulticastFramesReceivedOK,
        /// aBroadcastFramesReceivedOK.
        broadcast_frames_received_ok => BroadcastFramesReceivedOK,
        /// aInRangeLengthErrors.
        in_range_length_errors => InRangeLengthErrors,
        /// aOutOfRangeLengthField.
        out_of_range_length_field => OutOfRangeLengthField,
        /// aFrameTooLongErrors.
        frame_too_long_errors => FrameTooLongErrors,
    }
}

std_group! {
    /// IEEE 802.3 MAC Control statistics (30.3.3), `struct
    /// ethtool_eth_ctrl_stats`.
    EthCtrlStats => ethtool_eth_ctrl_stats {
        /// aMACControlFramesTransmitted.
        mac_control_frames_transmitted => MACControlFramesTransmitted,
        /// aMACControlFramesReceived.
        mac_control_frames_received => MACControlFramesReceived,
        /// aUnsupportedOpcodesReceived.
        unsupported_opcodes_received => UnsupportedOpcodesReceived,
    }
}

std_group! {
    /// IEEE 802.3x PAUSE frame statistics (30.3.4), `struct
    /// ethtool_pause_stats` (`ethtool -I -a`).
    PauseStats => ethtool_pause_stats {
        /// aPAUSEMACCtrlFramesTransmitted.
        tx_pause_frames => tx_pause_frames,
        /// aPAUSEMACCtrlFramesReceived.
        rx_pause_frames => rx_pause_frames,
        /// Pause storms detected on transmit.
        tx_pause_storm_events => tx_pause_storm_events,
    }
}

/// One bucket of the RMON packet-size histograms: frames of `low` to `high`
/// bytes, both inclusive (`struct ethtool_rmon_hist_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RmonRange {
    /// Smallest frame length counted.
    pub(crate) low: u16,
    /// Largest frame length counted.
    pub(crate) high: u16,
}

/// Selected RMON (RFC 2819) statistics, `struct ethtool_rmon_stats`: bucket
/// `i` of the histograms counts the frames of range `i` of
/// [`Operations::RMON_RANGES`](super::Operations::RMON_RANGES) (buckets
/// beyond the ranges are not reported).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct RmonStats {
    /// etherStatsUndersizePkts.
    pub(crate) undersize_pkts: Option<u64>,
    /// etherStatsOversizePkts.
    pub(crate) oversize_pkts: Option<u64>,
    /// etherStatsFragments.
    pub(crate) fragments: Option<u64>,
    /// etherStatsJabbers.
    pub(crate) jabbers: Option<u64>,
    /// Received frames per size bucket.
    pub(crate) hist_rx: [Option<u64>; RMON_HIST_MAX],
    /// Transmitted frames per size bucket.
    pub(crate) hist_tx: [Option<u64>; RMON_HIST_MAX],
}

impl RmonStats {
    /// Write the counters provided into `out`, leaving the others as the
    /// core set them.
    fn store(&self, out: &mut bindings::ethtool_rmon_stats) {
        // SAFETY: As in `std_group!`: both members of the union are the
        // same `u64` counters.
        let s = unsafe { &mut out.__bindgen_anon_1.__bindgen_anon_1 };
        let scalars = [
            (&self.undersize_pkts, &mut s.undersize_pkts),
            (&self.oversize_pkts, &mut s.oversize_pkts),
            (&self.fragments, &mut s.fragments),
            (&self.jabbers, &mut s.jabbers),
        ];
        let hist = self.hist_rx.iter().zip(s.hist.iter_mut());
        let hist_tx = self.hist_tx.iter().zip(s.hist_tx.iter_mut());
        // `Iterator::` spelled out: pin-init's `Init::chain` is in scope too.
        let all = Iterator::chain(Iterator::chain(scalars.into_iter(), hist), hist_tx);
        for (v, d) in all {
            if let Some(v) = *v {
                *d = v;
            }
        }
    }
}

/// The C table of `ranges`: the ranges, then all-zero entries (the core
/// stops at the first, or after [`RMON_HIST_MAX`]). `None` if there are
/// more than [`RMON_HIST_MAX`] ranges, or one is empty (`low > high`) or
/// `0..=0` (which would read as the end of the table).
const fn rmon_table(
    ranges: &[RmonRange],
) -> Option<[bindings::ethtool_rmon_hist_range; RMON_HIST_MAX]> {
    if ranges.len() > RMON_HIST_MAX {
        return None;
    }
    let mut t = [bindings::ethtool_rmon_hist_range { low: 0, high: 0 }; RMON_HIST_MAX];
    let mut i = 0;
    while i < ranges.len() {
        let r = ranges[i];
        if r.low > r.high || r.high == 0 {
            return None;
        }
        t[i] = bindings::ethtool_rmon_hist_range {
            low: r.low,
            high: r.high,
        };
        i += 1;
    }
    Some(t)
}

/// The `'static` C ranges table of `T` the core keeps a pointer to.
struct RmonRanges<T>(PhantomData<T>);

impl<T: device::Operations> RmonRanges<T> {
    /// Checked when the table is built: an invalid `RMON_RANGES` does not
    /// compile.
    const TABLE: [bindings::ethtool_rmon_hist_range; RMON_HIST_MAX] =
        match rmon_table(T::RMON_RANGES) {
            Some(t) => t,
            None => panic!("RMON_RANGES: more than ETHTOOL_RMON_HIST_MAX or invalid ranges"),
        };

    const fn get() -> &'static [bindings::ethtool_rmon_hist_range; RMON_HIST_MAX] {
        &Self::TABLE
    }
}

/// Whether the request is about the MAC this driver has: the aggregate or
/// the express MAC, not a preemptible one.
fn answers(src: bindings::ethtool_mac_stats_src) -> bool {
    src == bindings::ethtool_mac_stats_src_ETHTOOL_MAC_STATS_SRC_AGGREGATE
        || src == bindings::ethtool_mac_stats_src_ETHTOOL_MAC_STATS_SRC_EMAC
}

/// Fill in the callbacks `T` implements.
pub(super) const fn install<T: device::Operations>(
    mut ops: bindings::ethtool_ops,
) -> bindings::ethtool_ops {
    if T::HAS_GET_ETH_MAC_STATS {
        ops.get_eth_mac_stats = Some(get_eth_mac_stats::<T>);
    }
    if T::HAS_GET_ETH_CTRL_STATS {
        ops.get_eth_ctrl_stats = Some(get_eth_ctrl_stats::<T>);
    }
    if T::HAS_GET_RMON_STATS {
        ops.get_rmon_stats = Some(get_rmon_stats::<T>);
    }
    if T::HAS_GET_PAUSE_STATS {
        ops.get_pause_stats = Some(get_pause_stats::<T>);
    }
    ops
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `s`.
unsafe extern "C" fn get_eth_mac_stats<T: device::Operations>(
    dev: *mut bindings::net_device,
    s: *mut bindings::ethtool_eth_mac_stats,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, s) = unsafe { (Device::<T>::from_raw(dev), &mut *s) };
    if answers(s.src) {
        T::get_eth_mac_stats(dev).store(s);
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `s`.
unsafe extern "C" fn get_eth_ctrl_stats<T: device::Operations>(
    dev: *mut bindings::net_device,
    s: *mut bindings::ethtool_eth_ctrl_stats,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, s) = unsafe { (Device::<T>::from_raw(dev), &mut *s) };
    if answers(s.src) {
        T::get_eth_ctrl_stats(dev).store(s);
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`,
/// a valid `s` and a valid `ranges` to store the ranges table pointer in.
unsafe extern "C" fn get_rmon_stats<T: device::Operations>(
    dev: *mut bindings::net_device,
    s: *mut bindings::ethtool_rmon_stats,
    ranges: *mut *const bindings::ethtool_rmon_hist_range,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, s) = unsafe { (Device::<T>::from_raw(dev), &mut *s) };
    if !answers(s.src) {
        return;
    }
    T::get_rmon_stats(dev).store(s);
    if !T::RMON_RANGES.is_empty() {
        // SAFETY: `ranges` is valid for a write per the safety requirements;
        // the table is `'static`.
        unsafe { *ranges = RmonRanges::<T>::get().as_ptr() };
    }
}

/// # Safety
///
/// Called by the ethtool core with a device registered by `Registration<T>`
/// and a valid `s`.
unsafe extern "C" fn get_pause_stats<T: device::Operations>(
    dev: *mut bindings::net_device,
    s: *mut bindings::ethtool_pause_stats,
) {
    // SAFETY: Per the function's safety requirements.
    let (dev, s) = unsafe { (Device::<T>::from_raw(dev), &mut *s) };
    if answers(s.src) {
        T::get_pause_stats(dev).store(s);
    }
}

#[kunit_tests(rust_igb_net_ethtool_std_stats)]
mod tests {
    use super::*;

    /// `ETHTOOL_STAT_NOT_SET`.
    const NOT_SET: u64 = !0;

    /// A C structure as the core hands it over: every byte 0xff.
    macro_rules! prefilled {
        ($t:ty) => {{
            let mut s = core::mem::MaybeUninit::<$t>::uninit();
            // SAFETY: The ethtool stats structures are an enum (`u32`) and
            // `u64` counters, valid for any bit pattern.
            unsafe {
                core::ptr::write_bytes(s.as_mut_ptr(), 0xff, 1);
                s.assume_init()
            }
        }};
    }

    #[test]
    fn only_provided_counters_are_written() {
        let mut c = prefilled!(bindings::ethtool_eth_mac_stats);
        EthMacStats {
            frames_received_ok: Some(5),
            frame_too_long_errors: Some(0),
            ..Default::default()
        }
        .store(&mut c);
        // SAFETY: Plain `u64` counters (see `store`).
        let s = unsafe { c.__bindgen_anon_1.__bindgen_anon_1 };
        assert_eq!(s.FramesReceivedOK, 5);
        assert_eq!(s.FrameTooLongErrors, 0);
        assert_eq!(s.FramesTransmittedOK, NOT_SET);
        assert_eq!(s.OutOfRangeLengthField, NOT_SET);

        let mut r = prefilled!(bindings::ethtool_rmon_stats);
        let mut v = RmonStats {
            jabbers: Some(2),
            ..Default::default()
        };
        v.hist_rx[1] = Some(7);
        v.hist_tx[0] = Some(9);
        v.store(&mut r);
        // SAFETY: Plain `u64` counters.
        let s = unsafe { r.__bindgen_anon_1.__bindgen_anon_1 };
        assert_eq!(s.jabbers, 2);
        assert_eq!(s.undersize_pkts, NOT_SET);
        assert_eq!((s.hist[0], s.hist[1], s.hist[2]), (NOT_SET, 7, NOT_SET));
        assert_eq!((s.hist_tx[0], s.hist_tx[1]), (9, NOT_SET));
    }

    #[test]
    fn only_the_one_mac_answers() {
        assert!(answers(
            bindings::ethtool_mac_stats_src_ETHTOOL_MAC_STATS_SRC_AGGREGATE
        ));
        assert!(answers(
            bindings::ethtool_mac_stats_src_ETHTOOL_MAC_STATS_SRC_EMAC
        ));
        assert!(!answers(
            bindings::ethtool_mac_stats_src_ETHTOOL_MAC_STATS_SRC_PMAC
        ));
    }

    #[test]
    fn rmon_tables() {
        let r = |low, high| RmonRange { low, high };
        let t = rmon_table(&[r(0, 64), r(65, 127)]).unwrap_or_else(|| {
            panic!("valid ranges refused");
        });
        assert_eq!((t[0].low, t[0].high, t[1].low, t[1].high), (0, 64, 65, 127));
        // Zero-terminated after the ranges.
        assert!(t[2..].iter().all(|e| e.low == 0 && e.high == 0));
        // A full table needs no terminator.
        assert!(rmon_table(&[r(1, 1); RMON_HIST_MAX]).is_some());
        assert!(rmon_table(&[r(1, 1); RMON_HIST_MAX + 1]).is_none());
        // An empty range, and 0..=0 (the end marker).
        assert!(rmon_table(&[r(10, 9)]).is_none());
        assert!(rmon_table(&[r(0, 64), r(0, 0)]).is_none());
        assert!(rmon_table(&[]).is_some());
    }
}
