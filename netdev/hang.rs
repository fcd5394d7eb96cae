// SPDX-License-Identifier: GPL-2.0

//! TX hang detection, from the watchdog (`igb_clean_tx_irq`'s "Detected Tx
//! Unit Hang" check, moved to the watchdog's period): a queue with work
//! pending that completes nothing for two looks in a row, with the link up
//! and no PAUSE from the partner, is reported (log, devlink health) and
//! reset.

use core::sync::atomic::Ordering::Relaxed;

use kernel::{
    io::Io,
    prelude::*,
    sync::atomic::{self as katomic},
    time::{delay::fsleep, Delta},
};

use super::{Adapter, WATCHDOG_PERIOD_MS};
use crate::{
    devlink::HangReport,
    net::{Device, Process},
    queue,
    regs::{self, Bar0},
};

/// The shortest time between two hang looks: a link-change interrupt runs
/// the watchdog at once (`kick_watchdog`), between its periodic runs, and
/// two looks in quick succession must not make a hang out of a queue that
/// had no time to progress. Three quarters of the period, so that periodic
/// runs (a period apart, give or take scheduling) always look.
const HANG_LOOK_MIN_INTERVAL: Delta = Delta::from_millis(WATCHDOG_PERIOD_MS as i64 * 3 / 4);

/// Whether a watchdog run at `now_ns` looks for hangs, the previous look
/// having been at `last_ns` (nanoseconds on one clock).
fn hang_look_due(last_ns: i64, now_ns: i64) -> bool {
    now_ns.saturating_sub(last_ns) >= HANG_LOOK_MIN_INTERVAL.as_nanos()
}

/// Watchdog looks without progress after which a TX queue with pending
/// packets counts as hung (the C driver waits a second; looks are a second
/// apart, and this also rides out a look that lands just before a
/// completion).
const HANG_TICKS: u64 = 2;

/// One watchdog look at a TX queue for hang detection: returns the new count
/// of consecutive looks without progress and whether the queue is hung
/// (`igb_clean_tx_irq`'s `detect_tx_hung` test). `pending`: packets are
/// posted and not completed; `progressed`: some completed since the last
/// look; `paused`: STATUS.TXOFF, the transmitter is held off by PAUSE frames
/// from the link partner; `link`: the carrier is on. A paused transmitter is
/// not hung (the C driver tests `!(rd32(E1000_STATUS) & E1000_STATUS_TXOFF)`),
/// nor is one without a link (the C driver arms its hang check only with the
/// carrier on): the count starts over, so a queue is declared hung only after
/// [`HANG_TICKS`] consecutive looks with the link up, without progress and
/// without a pause; a look before a link loss never counts towards a hang
/// after it.
fn hang_look(ticks: u64, pending: bool, progressed: bool, paused: bool, link: bool) -> (u64, bool) {
    if !pending || progressed || paused || !link {
        return (0, false);
    }
    let ticks = ticks.saturating_add(1);
    if ticks >= HANG_TICKS {
        (0, true)
    } else {
        (ticks, false)
    }
}

/// Detect hung TX queues (`igb_clean_tx_irq`'s `detect_tx_hung`): packets
/// pending and no completion over [`HANG_TICKS`] watchdog looks while the
/// link is up and the transmitter is not paused ([`hang_look`]). A hung
/// queue is logged like the C driver does, its state captured in a
/// [`HangReport`] and reported to the devlink health reporter, whose
/// recovery resets the adapter (`devlink.rs`), without waiting for the
/// stack's longer TX timeout.
pub(super) fn check_tx_hang(dev: &Device<Adapter>, hw: &Bar0<'_>, ctx: Process<'_>) {
    let a = dev.data();
    if !dev.is_running() || a.tx_stall.load(katomic::Relaxed) == 2 {
        return;
    }
    let now = a.epoch.elapsed().as_nanos();
    if !hang_look_due(a.last_hang_look.load(Relaxed), now) {
        return;
    }
    a.last_hang_look.store(now, Relaxed);
    // Without a carrier the looks still run, to start the counts over.
    let link = dev.carrier_ok();
    let status = hw.read(regs::STATUS);
    let paused = status.txoff();
    for (q, qp) in a.active().iter().enumerate() {
        let (pending, ntu, ntc, descs) = match qp.tx.lock().as_ref() {
            Some(r) => (r.pending(), r.tail(), r.next_to_clean(), r.in_flight()),
            None => continue,
        };
        let s = &qp.stats;
        let done = s.tx_packets.load(Relaxed);
        let progressed = done != s.hang_mark.swap(done, Relaxed);
        let (ticks, hung) = hang_look(
            s.hang_ticks.load(Relaxed),
            pending,
            progressed,
            paused,
            link,
        );
        s.hang_ticks.store(ticks, Relaxed);
        if !hung {
            continue;
        }
        let report = HangReport {
            queue: q as u32,
            tdh: queue::read_tx_head(hw, q),
            tdt: queue::read_tx_tail(hw, q),
            next_to_use: ntu,
            next_to_clean: ntc,
            pending_descs: descs as u32,
            looks: HANG_TICKS,
            link,
            txoff: paused,
            status: status.into_raw(),
            eims: hw.read(regs::EIMS).into_raw(),
            ims: hw.read(regs::IMS).into_raw(),
        };
        dev_err!(
            dev.parent(),
            "{}: Detected Tx Unit Hang: queue {}, TDH {}, TDT {}, next_to_use {}, next_to_clean {}\n",
            dev.name(),
            report.queue,
            report.tdh,
            report.tdt,
            report.next_to_use,
            report.next_to_clean
        );
        a.tx_hangs.fetch_add(1, Relaxed);
        dev.tx_stop(q as u16);
        crate::devlink::report_tx_hang(dev, ctx, &report);
        // Test knob (see `tx_stall`): the overlap of the two work items that
        // lockdep once reported as recursive locking (see `net/shim.c`).
        if a.tx_stall.load(katomic::Relaxed) == 3 {
            fsleep(Delta::from_millis(500));
        }
        return;
    }
}

#[kunit_tests(rust_igb_netdev)]
mod tests {
    use super::*;

    /// Run `looks` watchdog looks (pending, progressed, paused) with the
    /// link up from a fresh queue; returns the index of the look that
    /// declared a hang.
    fn first_hang(looks: &[(bool, bool, bool)]) -> Option<usize> {
        let mut ticks = 0;
        for (i, &(pending, progressed, paused)) in looks.iter().enumerate() {
            let (t, hung) = hang_look(ticks, pending, progressed, paused, true);
            if hung {
                return Some(i);
            }
            ticks = t;
        }
        None
    }

    /// The same with the link state of each look (the fourth element).
    fn first_hang_link(looks: &[(bool, bool, bool, bool)]) -> Option<usize> {
        let mut ticks = 0;
        for (i, &(pending, progressed, paused, link)) in looks.iter().enumerate() {
            let (t, hung) = hang_look(ticks, pending, progressed, paused, link);
            if hung {
                return Some(i);
            }
            ticks = t;
        }
        None
    }

    #[test]
    fn tx_hang() {
        const STUCK: (bool, bool, bool) = (true, false, false);
        const PAUSED: (bool, bool, bool) = (true, false, true);
        const MOVING: (bool, bool, bool) = (true, true, false);
        const IDLE: (bool, bool, bool) = (false, false, false);
        // Work pending and nothing completing: hung at the second look.
        assert_eq!(first_hang(&[STUCK, STUCK, STUCK]), Some(1));
        // Progress or an empty ring in between starts the count over.
        assert_eq!(first_hang(&[STUCK, MOVING, STUCK, IDLE, STUCK]), None);
        assert_eq!(first_hang(&[STUCK, MOVING, STUCK, STUCK]), Some(3));
        // The link partner sends PAUSE frames (STATUS.TXOFF) for seconds:
        // not a hang, however long it lasts.
        assert_eq!(first_hang(&[PAUSED; 10]), None);
        assert_eq!(first_hang(&[STUCK, PAUSED, STUCK, PAUSED, STUCK]), None);
        // Once the pause is over, a queue that still does not move is hung
        // after the usual number of looks.
        assert_eq!(first_hang(&[PAUSED, PAUSED, STUCK, STUCK]), Some(3));
    }

    #[test]
    fn hang_look_spacing() {
        let period = i64::from(WATCHDOG_PERIOD_MS) * 1_000_000;
        // The first look, and periodic runs (a period apart, some early).
        assert!(hang_look_due(i64::MIN, 0));
        assert!(hang_look_due(0, period));
        assert!(hang_look_due(0, period * 9 / 10));
        // A run kicked by a link interrupt right after a look does not look.
        assert!(!hang_look_due(period, period + 1_000_000));
        assert!(!hang_look_due(period, period + period / 2));
    }

    #[test]
    fn tx_hang_link_loss() {
        const STUCK: (bool, bool, bool, bool) = (true, false, false, true);
        const NO_LINK: (bool, bool, bool, bool) = (true, false, false, false);
        // Frames stay queued while the cable is out: not a hang, however
        // long it lasts.
        assert_eq!(first_hang_link(&[NO_LINK; 10]), None);
        // A look without progress before the link went does not count
        // after it: the first look with the link back starts over.
        assert_eq!(first_hang_link(&[STUCK, NO_LINK, STUCK]), None);
        assert_eq!(first_hang_link(&[STUCK, NO_LINK, STUCK, STUCK]), Some(3));
    }
}
