// SPDX-License-Identifier: GPL-2.0

//! Interrupt handlers and the NAPI poll.
//!
//! The handlers run in hard-IRQ context and only acknowledge the cause and
//! schedule NAPI (or, for a link change, the watchdog). The poll of a queue
//! vector runs in NET_RX_SOFTIRQ: it cleans the TX completions of the ring it
//! serves first, then receives on its RX ring within the budget (a vector
//! may serve either or both, see [`crate::qvec::VectorMap`]), and
//! re-enables its interrupt only when it completes NAPI with work left
//! under budget, as `igb_poll` does.

use core::sync::atomic::Ordering::Relaxed;

use kernel::prelude::*;

use crate::{
    intr,
    itr::{Itr, ItrMode, ITR_ADAPTIVE_CONSERVATIVE},
    net::{irq::IrqMode, napi::Napi, skb::SkbBatch, Device},
    netdev::{self, Adapter},
    queue,
    qvec::{bump, QueuePair},
    regs::Bar0,
    removal, tx_ring,
};

/// Most TX packets cleaned per poll (`IGB_DEFAULT_TX_WORK`).
const TX_WORK: u32 = 128;

/// Hard-IRQ handler for interrupt vector `vector`.
pub(crate) fn irq(dev: &Device<Adapter>, vector: usize) -> bool {
    let mode = dev.irq_mode();
    if mode == Some(IrqMode::MsiX) && vector > 0 {
        // Queue vector `vector - 1` was auto-masked (EIAM); its poll
        // unmasks it. No register access: the fast path of every queue
        // interrupt.
        dev.napi_schedule(vector - 1);
        return true;
    }
    let Ok(hw) = Adapter::hw(dev) else {
        return false;
    };
    match mode {
        Some(IrqMode::MsiX) => {
            // "Other" causes: reading ICR acknowledges them. Going down,
            // the vector stays masked and the watchdog unscheduled
            // (`igb_msix_other`: "guard against interrupt when we're going
            // down").
            let icr = intr::read_icr(hw);
            // A device that dropped off the bus: nothing to acknowledge or
            // unmask (`igb_rd32` in `igb_msix_other`).
            if removal::check_read(dev, hw, icr) {
                return true;
            }
            if !dev.data().is_down() {
                if intr::icr_link_changed(icr) {
                    dev.kick_watchdog();
                }
                intr::enable_queue_vector(hw, dev.data().eims_other.load(Relaxed));
            }
            true
        }
        Some(IrqMode::Msi) | Some(IrqMode::Intx) => {
            let icr = intr::read_icr(hw);
            // A gone device raises no interrupt: on a shared INTx line the
            // interrupt is someone else's.
            if removal::check_read(dev, hw, icr) {
                return dev.irq_mode() == Some(IrqMode::Msi);
            }
            if dev.irq_mode() == Some(IrqMode::Intx) && !intr::icr_is_ours(icr) {
                return false;
            }
            if intr::icr_link_changed(icr) && !dev.data().is_down() {
                dev.kick_watchdog();
            }
            dev.napi_schedule(0);
            true
        }
        None => false,
    }
}

/// Skbs moved out from under a ring lock at a time.
const BATCH: usize = 16;

/// Clean TX completions of queue `q` (at most [`TX_WORK`] packets), freeing
/// the skbs outside the ring lock. Returns whether the ring was cleaned
/// completely.
///
/// Byte queue limits get one report per poll, with its totals, as
/// `igb_clean_tx_irq` makes: BQL sizes its limit from what completes between
/// two reports, and a report per batch of [`BATCH`] looks like a queue that
/// never drains (its limit then shrinks to a few dozen small frames).
fn clean_tx(dev: &Device<Adapter>, napi: &Napi<'_>, q: usize, qp: &QueuePair, itr: &Itr) -> bool {
    let bound = dev.parent_bound();
    let budget = napi.budget();
    let queue = q as u16;
    // Packets count against the work limit, frames for BQL and statistics.
    let (mut packets, mut frames, mut bytes) = (0u32, 0u32, 0u32);
    loop {
        let mut batch = SkbBatch::<BATCH>::new();
        let done = {
            // From netpoll (budget 0, possibly in a hard interrupt that
            // arrived while this CPU's `start_xmit` held the lock), only try.
            let mut guard = if budget == 0 {
                match qp.tx.try_lock() {
                    Some(g) => g,
                    None => {
                        // What earlier batches cleaned still reaches BQL
                        // (lockless against `start_xmit`); the next poll
                        // wakes the queue if it is stopped.
                        if packets > 0 {
                            dev.tx_completed(queue, frames, bytes);
                        }
                        return true;
                    }
                }
            } else {
                qp.tx.lock()
            };
            let Some(ring) = &mut *guard else {
                return true;
            };
            let done = ring.clean(bound, &mut batch);
            packets += done.packets;
            frames += done.frames;
            bytes = bytes.saturating_add(done.bytes);
            if done.complete || packets >= TX_WORK {
                if packets > 0 {
                    dev.tx_completed(queue, frames, bytes);
                }
                // Wake under the ring lock: `start_xmit` stops the queue
                // under the same lock, so the wake-up cannot be lost.
                // Not while going down: the teardown stopped the queues.
                if dev.tx_stopped(queue)
                    && ring.unused() >= tx_ring::wake_threshold(ring.count())
                    && dev.carrier_ok()
                    && !dev.data().is_down()
                {
                    dev.tx_wake(queue);
                    bump(&qp.stats.tx_restart, 1);
                }
            }
            done
        };
        for skb in batch.drain() {
            skb.consume(napi);
        }
        bump(&qp.stats.tx_packets, u64::from(done.frames));
        bump(&qp.stats.tx_bytes, u64::from(done.bytes));
        bump(&qp.stats.tx_tso, u64::from(done.tso));
        itr.add_tx(done.frames, done.bytes);
        if done.complete {
            return true;
        }
        if packets >= TX_WORK {
            return false;
        }
    }
}

/// Receive up to `budget` frames on queue `q`, passing them up outside the
/// ring lock. Returns the work done (frames received or dropped).
fn clean_rx(
    dev: &Device<Adapter>,
    napi: &Napi<'_>,
    hw: &Bar0<'_>,
    q: usize,
    qp: &QueuePair,
    itr: &Itr,
    budget: u32,
) -> u32 {
    let mut work = 0;
    while work < budget {
        let mut batch = SkbBatch::<BATCH>::new();
        let (got, tail) = {
            let mut guard = qp.rx.lock();
            let Some(ring) = &mut *guard else {
                break;
            };
            ring.receive(dev, napi, budget - work, &mut batch)
        };
        // Frames go up before the tail write, as `igb_clean_rx_irq` passes
        // each up before refilling: under QEMU the tail write traps and
        // the model delivers queued frames there, which would otherwise sit
        // in front of every received frame (a ping's reply included).
        for skb in batch.drain() {
            napi.gro_receive(skb);
        }
        if let Some(tail) = tail {
            queue::write_rx_tail(hw, q, tail);
        }
        let s = &qp.stats;
        bump(&s.rx_packets, u64::from(got.packets));
        bump(&s.rx_bytes, got.bytes);
        bump(&s.rx_errors, u64::from(got.errors));
        bump(&s.rx_dropped, u64::from(got.dropped));
        bump(&s.rx_alloc_failed, u64::from(got.alloc_failed));
        itr.add_rx(got.packets, u32::try_from(got.bytes).unwrap_or(u32::MAX));
        bump(&s.rx_csum_errors, u64::from(got.csum_err));
        let n = got.packets + got.errors + got.dropped;
        work += n;
        if n == 0 || (n as usize) < BATCH {
            break;
        }
    }
    work
}

/// How a poll ends (`igb_poll`'s tail), decided from the budget it was
/// given, whether the TX ring was cleaned completely and the receive work
/// done (at most the budget).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PollEnd {
    /// From netpoll (budget 0): TX completions only; NAPI must not be
    /// completed and 0 is reported.
    Netpoll,
    /// More to do: report the whole budget and stay scheduled.
    Busy,
    /// Done: complete NAPI with this work (below the budget) and unmask.
    Complete(i32),
}

/// The [`PollEnd`] for `budget`, `tx_complete` and `work`. Every return of a
/// poll goes through it, so none can report less than the budget while
/// leaving NAPI scheduled: the core would neither poll it again nor let
/// `napi_disable` finish.
fn poll_end(budget: i32, tx_complete: bool, work: i32) -> PollEnd {
    if budget <= 0 {
        PollEnd::Netpoll
    } else if !tx_complete || work >= budget {
        PollEnd::Busy
    } else {
        PollEnd::Complete(work.max(0))
    }
}

/// The NAPI poll of queue vector `napi`: TX completions of the ring it
/// serves first (budget 0, from netpoll, does only those), then receive on
/// its RX ring within the budget.
pub(crate) fn poll(dev: &Device<Adapter>, napi: &Napi<'_>) -> i32 {
    let budget = napi.budget();
    let a = dev.data();
    let v = napi.index();
    let map = netdev::vector_map(dev);
    let target = match (Adapter::hw(dev), map.serves(v), a.itr.get(v)) {
        (Ok(hw), Some(serves), Some(itr)) => {
            a.pairs.get(serves.queue).map(|qp| (hw, serves, itr, qp))
        }
        _ => None,
    };
    let Some((hw, serves, itr, qp)) = target else {
        // Nothing to poll (the device is gone, or the vector serves no
        // ring): complete NAPI without unmasking the vector.
        if let PollEnd::Complete(work) = poll_end(budget, true, 0) {
            napi.complete_done(work);
        }
        return 0;
    };
    let q = serves.queue;
    let tx_complete = !serves.tx || clean_tx(dev, napi, q, qp, itr);
    let work = if serves.rx && budget > 0 {
        clean_rx(dev, napi, hw, q, qp, itr, budget as u32) as i32
    } else {
        0
    };
    match poll_end(budget, tx_complete, work) {
        PollEnd::Netpoll => 0,
        PollEnd::Busy => budget,
        PollEnd::Complete(work) => {
            if napi.complete_done(work) {
                reenable(dev, hw, v, itr, map.vectors());
            }
            work
        }
    }
}

/// Adapt the interrupt rate of queue vector `v` (of `vectors`) to its recent
/// traffic (`igb_set_itr` or `igb_update_ring_itr`, see `itr.rs`), then
/// unmask its interrupt (`igb_ring_irq_enable`).
fn reenable(dev: &Device<Adapter>, hw: &Bar0<'_>, v: usize, itr: &Itr, vectors: usize) {
    let a = dev.data();
    let mode = dev.irq_mode();
    let vector = netdev::msix_vector(dev, v);
    if a.itr_setting.is_adaptive() {
        let conservative = a.itr_setting.get() == ITR_ADAPTIVE_CONSERVATIVE;
        let gigabit = a.link_speed.load(Relaxed) == 1000;
        if let Some(value) = itr.update(ItrMode::for_vectors(vectors), conservative, gigabit) {
            let _ = intr::write_itr(hw, vector, value >> 2);
        }
    }
    // Going down (`igb_ring_irq_enable` tests `__IGB_DOWN`): the teardown
    // masked everything and must find it masked. The one load of the flag
    // per poll.
    if a.is_down() {
        return;
    }
    match mode {
        Some(IrqMode::MsiX) => intr::enable_queue_vector(hw, 1 << vector),
        Some(_) => intr::enable_single(hw),
        None => {}
    }
}

#[kunit_tests(rust_igb_napi)]
mod tests {
    use super::*;

    #[test]
    fn poll_ends() {
        // Netpoll (budget 0, or a negative one): never complete.
        assert_eq!(poll_end(0, true, 0), PollEnd::Netpoll);
        assert_eq!(poll_end(0, false, 0), PollEnd::Netpoll);
        assert_eq!(poll_end(-1, true, 0), PollEnd::Netpoll);
        // Nothing to do (also the early exits: no device, no ring):
        // complete with 0, never "0 and still scheduled".
        assert_eq!(poll_end(64, true, 0), PollEnd::Complete(0));
        assert_eq!(poll_end(64, true, 63), PollEnd::Complete(63));
        // Budget used up, or TX not cleaned: stay scheduled, report it all.
        assert_eq!(poll_end(64, true, 64), PollEnd::Busy);
        assert_eq!(poll_end(64, false, 0), PollEnd::Busy);
        assert_eq!(poll_end(64, false, 10), PollEnd::Busy);
        // A completion always reports less than the budget.
        for budget in 1..=4 {
            for work in 0..=budget {
                for tx in [false, true] {
                    match poll_end(budget, tx, work) {
                        PollEnd::Complete(w) => assert!(w < budget && tx),
                        PollEnd::Busy => assert!(!tx || work >= budget),
                        PollEnd::Netpoll => assert!(budget <= 0),
                    }
                }
            }
        }
    }
}
