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

use crate::{
    intr,
    itr::{Itr, ItrMode, ITR_ADAPTIVE_CONSERVATIVE},
    net::{irq::IrqMode, napi::Napi, skb::SkbBatch, Device},
    netdev::{self, Adapter},
    queue,
    qvec::{bump, QueuePair},
    regs::Bar0,
    tx_ring,
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
            // "Other" causes: reading ICR acknowledges them.
            let icr = intr::read_icr(hw);
            if intr::icr_link_changed(icr) {
                dev.schedule_watchdog(0);
            }
            intr::enable_queue_vector(hw, dev.data().eims_other.load(Relaxed));
            true
        }
        Some(IrqMode::Msi) | Some(IrqMode::Intx) => {
            let icr = intr::read_icr(hw);
            if dev.irq_mode() == Some(IrqMode::Intx) && !intr::icr_is_ours(icr) {
                return false;
            }
            if intr::icr_link_changed(icr) {
                dev.schedule_watchdog(0);
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
                if dev.tx_stopped(queue)
                    && ring.unused() >= tx_ring::wake_threshold(ring.count())
                    && dev.carrier_ok()
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

/// The NAPI poll of queue vector `napi`: TX completions of the ring it
/// serves first (budget 0, from netpoll, does only those), then receive on
/// its RX ring within the budget.
pub(crate) fn poll(dev: &Device<Adapter>, napi: &Napi<'_>) -> i32 {
    let budget = napi.budget();
    let Ok(hw) = Adapter::hw(dev) else {
        return 0;
    };
    let a = dev.data();
    let v = napi.index();
    let map = netdev::vector_map(dev);
    let (Some(serves), Some(itr)) = (map.serves(v), a.itr.get(v)) else {
        return 0;
    };
    let q = serves.queue;
    let Some(qp) = a.pairs.get(q) else {
        return 0;
    };
    let tx_complete = !serves.tx || clean_tx(dev, napi, q, qp, itr);
    if budget <= 0 {
        return 0;
    }
    let work = if serves.rx {
        clean_rx(dev, napi, hw, q, qp, itr, budget as u32) as i32
    } else {
        0
    };
    if !tx_complete || work >= budget {
        // More to do: stay scheduled.
        return budget;
    }
    if napi.complete_done(work) {
        reenable(dev, hw, v, itr, map.vectors());
    }
    work
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
    match mode {
        Some(IrqMode::MsiX) => intr::enable_queue_vector(hw, 1 << vector),
        Some(_) => intr::enable_single(hw),
        None => {}
    }
}
