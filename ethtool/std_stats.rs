// SPDX-License-Identifier: GPL-2.0

//! The standard statistics of `ethtool -S <if> --groups eth-mac eth-ctrl
//! rmon` and the PAUSE frame counts of `ethtool -I -a <if>`, from the 82576's
//! MAC statistics registers (datasheet 8.19).
//!
//! They are the 64-bit accumulations `ethtool -S` reports too
//! (`stats::current`: the clear-on-read registers are read and added in
//! under the `ctl.mac_counters` mutex, so no read here loses counts for
//! another reader). Counters the 82576 does not have stay unreported.
//!
//! The C igb (7.3) implements none of these callbacks: there, `ethtool -S
//! --all-groups` shows empty groups and `ethtool -I -a` no statistics.

use kernel::prelude::*;

use crate::{
    net::ethtool::{EthCtrlStats, EthMacStats, PauseStats, RmonRange, RmonStats},
    queue::MAX_JUMBO_FRAME_SIZE,
    stats::MacCounters,
};

/// Reads one counter from the accumulated counters.
type Counter = fn(&MacCounters) -> u64;

/// The largest frame the MAC is ever set to accept (RLPML with jumbo
/// frames): the top of the "1024 bytes to the maximum" bucket.
const MAX_FRAME: u16 = MAX_JUMBO_FRAME_SIZE as u16;

/// The packet-size counters: each bucket (frame lengths from Destination
/// Address through CRC), with its receive (PRCn) and transmit (PTCn)
/// register. Good frames shorter than 64 bytes do not exist (runts are
/// RUC/RFC; transmitted frames are padded), so the first bucket holds the
/// 64-byte frames, the RFC's etherStatsPkts64Octets.
const HIST: [(RmonRange, Counter, Counter); 6] = [
    (range(0, 64), |c| c.prc64, |c| c.ptc64),
    (range(65, 127), |c| c.prc127, |c| c.ptc127),
    (range(128, 255), |c| c.prc255, |c| c.ptc255),
    (range(256, 511), |c| c.prc511, |c| c.ptc511),
    (range(512, 1023), |c| c.prc1023, |c| c.ptc1023),
    (range(1024, MAX_FRAME), |c| c.prc1522, |c| c.ptc1522),
];

/// The bucket of frames of `low` to `high` bytes.
const fn range(low: u16, high: u16) -> RmonRange {
    RmonRange { low, high }
}

/// The histogram buckets, in the order of [`HIST`].
pub(super) const RMON_RANGES: [RmonRange; HIST.len()] = {
    let mut r = [RmonRange { low: 0, high: 0 }; HIST.len()];
    let mut i = 0;
    while i < HIST.len() {
        r[i] = HIST[i].0;
        i += 1;
    }
    r
};

/// IEEE 802.3 MAC statistics. MPC (frames missed for lack of receive FIFO
/// space) are the frames lost to an internal MAC receive error; ROC (frames
/// above the maximum length, good CRC) the frames too long. The 82576 has no
/// counter for the other four.
pub(super) fn eth_mac(c: &MacCounters) -> EthMacStats {
    EthMacStats {
        frames_transmitted_ok: Some(c.gptc),
        single_collision_frames: Some(c.scc),
        multiple_collision_frames: Some(c.mcc),
        frames_received_ok: Some(c.gprc),
        frame_check_sequence_errors: Some(c.crcerrs),
        alignment_errors: Some(c.algnerrc),
        octets_transmitted_ok: Some(c.gotc),
        frames_with_deferred_xmissions: Some(c.dc),
        late_collisions: Some(c.latecol),
        frames_aborted_due_to_xs_colls: Some(c.ecol),
        frames_lost_due_to_int_mac_xmit_error: None,
        carrier_sense_errors: Some(c.tncrs),
        octets_received_ok: Some(c.gorc),
        frames_lost_due_to_int_mac_rcv_error: Some(c.mpc),
        multicast_frames_xmitted_ok: Some(c.mptc),
        broadcast_frames_xmitted_ok: Some(c.bptc),
        frames_with_excessive_deferral: None,
        multicast_frames_received_ok: Some(c.mprc),
        broadcast_frames_received_ok: Some(c.bprc),
        in_range_length_errors: None,
        out_of_range_length_field: None,
        frame_too_long_errors: Some(c.roc),
    }
}

/// PAUSE frames: the XON and XOFF counts together.
fn pause_tx(c: &MacCounters) -> u64 {
    c.xontxc.wrapping_add(c.xofftxc)
}

/// See [`pause_tx`].
fn pause_rx(c: &MacCounters) -> u64 {
    c.xonrxc.wrapping_add(c.xoffrxc)
}

/// IEEE 802.3 MAC Control statistics: the 82576 sends no MAC Control frames
/// but PAUSE; it receives PAUSE and counts those with another opcode
/// (FCRUC), which are MAC Control frames too.
pub(super) fn eth_ctrl(c: &MacCounters) -> EthCtrlStats {
    EthCtrlStats {
        mac_control_frames_transmitted: Some(pause_tx(c)),
        mac_control_frames_received: Some(pause_rx(c).wrapping_add(c.fcruc)),
        unsupported_opcodes_received: Some(c.fcruc),
    }
}

/// PAUSE frame statistics (no pause storm detection on the 82576).
pub(super) fn pause(c: &MacCounters) -> PauseStats {
    PauseStats {
        tx_pause_frames: Some(pause_tx(c)),
        rx_pause_frames: Some(pause_rx(c)),
        tx_pause_storm_events: None,
    }
}

/// RMON statistics: the length error counters and the size histograms.
pub(super) fn rmon(c: &MacCounters) -> RmonStats {
    let mut r = RmonStats {
        undersize_pkts: Some(c.ruc),
        oversize_pkts: Some(c.roc),
        fragments: Some(c.rfc),
        jabbers: Some(c.rjc),
        ..Default::default()
    };
    for (i, (_, rx, tx)) in HIST.iter().enumerate() {
        if let Some(d) = r.hist_rx.get_mut(i) {
            *d = Some(rx(c));
        }
        if let Some(d) = r.hist_tx.get_mut(i) {
            *d = Some(tx(c));
        }
    }
    r
}

#[kunit_tests(rust_igb_ethtool_std_stats)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_up_to_the_largest_frame() {
        assert_eq!(u32::from(MAX_FRAME), MAX_JUMBO_FRAME_SIZE);
        assert_eq!(RMON_RANGES[0], RmonRange { low: 0, high: 64 });
        for w in RMON_RANGES.windows(2) {
            assert!(w[0].low <= w[0].high);
            assert_eq!(u32::from(w[0].high) + 1, u32::from(w[1].low));
        }
        assert_eq!(RMON_RANGES[RMON_RANGES.len() - 1].high, MAX_FRAME);
        assert!(RMON_RANGES.len() <= crate::net::ethtool::std_stats::RMON_HIST_MAX);
    }

    #[test]
    fn histograms_follow_the_size_registers() {
        let c = MacCounters {
            prc64: 1,
            prc127: 2,
            prc255: 3,
            prc511: 4,
            prc1023: 5,
            prc1522: 6,
            ptc64: 11,
            ptc127: 12,
            ptc255: 13,
            ptc511: 14,
            ptc1023: 15,
            ptc1522: 16,
            ruc: 21,
            roc: 22,
            rfc: 23,
            rjc: 24,
            ..Default::default()
        };
        let r = rmon(&c);
        for i in 0..6 {
            assert_eq!(r.hist_rx[i], Some(i as u64 + 1));
            assert_eq!(r.hist_tx[i], Some(i as u64 + 11));
        }
        // No bucket beyond the ranges.
        assert!(r.hist_rx[6..].iter().all(Option::is_none));
        assert!(r.hist_tx[6..].iter().all(Option::is_none));
        assert_eq!(
            (r.undersize_pkts, r.oversize_pkts, r.fragments, r.jabbers),
            (Some(21), Some(22), Some(23), Some(24))
        );
    }

    #[test]
    fn pause_and_control_frames_fold_xon_and_xoff() {
        let c = MacCounters {
            xontxc: 1,
            xofftxc: 2,
            xonrxc: 4,
            xoffrxc: 8,
            fcruc: 16,
            ..Default::default()
        };
        let p = pause(&c);
        assert_eq!((p.tx_pause_frames, p.rx_pause_frames), (Some(3), Some(12)));
        assert_eq!(p.tx_pause_storm_events, None);
        let e = eth_ctrl(&c);
        assert_eq!(e.mac_control_frames_transmitted, Some(3));
        assert_eq!(e.mac_control_frames_received, Some(28));
        assert_eq!(e.unsupported_opcodes_received, Some(16));
        // Folding never overflows into a panic.
        let big = MacCounters {
            xonrxc: u64::MAX,
            xoffrxc: 2,
            ..Default::default()
        };
        assert_eq!(pause(&big).rx_pause_frames, Some(1));
    }

    #[test]
    fn mac_counters_map_to_their_registers() {
        let c = MacCounters {
            gptc: 1,
            gprc: 2,
            gotc: 3,
            gorc: 4,
            mptc: 5,
            bptc: 6,
            mprc: 7,
            bprc: 8,
            crcerrs: 9,
            roc: 10,
            ..Default::default()
        };
        let m = eth_mac(&c);
        assert_eq!(
            (m.frames_transmitted_ok, m.frames_received_ok),
            (Some(1), Some(2))
        );
        assert_eq!(
            (m.octets_transmitted_ok, m.octets_received_ok),
            (Some(3), Some(4))
        );
        assert_eq!(
            (m.multicast_frames_xmitted_ok, m.broadcast_frames_xmitted_ok),
            (Some(5), Some(6))
        );
        assert_eq!(
            (
                m.multicast_frames_received_ok,
                m.broadcast_frames_received_ok
            ),
            (Some(7), Some(8))
        );
        assert_eq!(m.frame_check_sequence_errors, Some(9));
        assert_eq!(m.frame_too_long_errors, Some(10));
        // What the 82576 does not count stays unreported.
        assert_eq!(m.frames_lost_due_to_int_mac_xmit_error, None);
        assert_eq!(m.frames_with_excessive_deferral, None);
        assert_eq!(m.in_range_length_errors, None);
        assert_eq!(m.out_of_range_length_field, None);
    }
}
