// SPDX-License-Identifier: GPL-2.0

//! Interrupt handlers and the NAPI poll.
//!
//! The handlers run in hard-IRQ context and only acknowledge the cause and
//! schedule NAPI (or, for a link change, the watchdog). The poll runs in
//! NET_RX_SOFTIRQ: it cleans TX completions first, then receives within the
//! budget, and re-enables the queue interrupt only when it completes NAPI
//! with work left under budget, as `igb_poll` does.

use kernel::sync::atomic::Relaxed;

use crate::{
    intr,
    net::{irq::IrqMode, napi::Napi, skb::SkbBatch, Device},
    netdev::Adapter,
    queue,
    regs::Bar0,
    tx_ring::TX_WAKE_THRESHOLD,
};

/// The only queue pair (queue vector 0) until multi-queue support.
pub(crate) const QUEUE: usize = 0;

/// Most TX packets cleaned per poll (`IGB_DEFAULT_TX_WORK`).
const TX_WORK: u32 = 128;

/// Hard-IRQ handler for interrupt vector `vector`.
pub(crate) fn irq(dev: &Device<Adapter>, vector: usize) -> bool {
    let Ok(hw) = Adapter::hw(dev) else {
        return false;
    };
    match dev.irq_mode() {
        Some(IrqMode::MsiX) if vector == 0 => {
            // "Other" causes: reading ICR acknowledges them.
            let icr = intr::read_icr(hw);
            if intr::icr_link_changed(icr) {
                dev.schedule_watchdog(0);
            }
            intr::enable_queue_vector(hw, dev.data().eims_other.load(Relaxed));
            true
        }
        Some(IrqMode::MsiX) => {
            // The queue vector was auto-masked (EIAM); the poll unmasks it.
            dev.napi_schedule(QUEUE);
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
            dev.napi_schedule(QUEUE);
            true
        }
        None => false,
    }
}

/// Skbs moved out from under a ring lock at a time.
const BATCH: usize = 16;

/// Clean TX completions (at most [`TX_WORK`] packets), freeing the skbs
/// outside the ring lock. Returns whether the ring was cleaned completely.
fn clean_tx(dev: &Device<Adapter>, budget: i32) -> bool {
    let a = dev.data();
    let bound = dev.parent_bound();
    let mut cleaned = 0;
    loop {
        let mut batch = SkbBatch::<BATCH>::new();
        let done = {
            let mut guard = a.tx.lock();
            let Some(ring) = &mut *guard else {
                return true;
            };
            let done = ring.clean(bound, &mut batch);
            if done.packets > 0 {
                dev.tx_completed(QUEUE as u16, done.packets, done.bytes);
            }
            // Wake under the ring lock: `start_xmit` stops the queue under
            // the same lock, so the wake-up cannot be lost.
            if dev.tx_stopped(QUEUE as u16)
                && ring.unused() >= TX_WAKE_THRESHOLD
                && dev.carrier_ok()
            {
                dev.tx_wake(QUEUE as u16);
                dev.data().ctl.tx_restart.fetch_add(1, Relaxed);
            }
            done
        };
        for skb in batch.drain() {
            skb.consume(budget);
        }
        a.stats
            .tx_packets
            .fetch_add(u64::from(done.packets), Relaxed);
        a.stats.tx_bytes.fetch_add(u64::from(done.bytes), Relaxed);
        cleaned += done.packets;
        if done.complete {
            return true;
        }
        if cleaned >= TX_WORK {
            return false;
        }
    }
}

/// Receive up to `budget` frames, passing them up outside the ring lock.
/// Returns the work done (frames received or dropped).
fn clean_rx(dev: &Device<Adapter>, napi: &Napi<'_>, hw: &Bar0<'_>, budget: u32) -> u32 {
    let a = dev.data();
    let mut work = 0;
    while work < budget {
        let mut batch = SkbBatch::<BATCH>::new();
        let got = {
            let mut guard = a.rx.lock();
            let Some(ring) = &mut *guard else {
                break;
            };
            ring.receive(dev, napi, budget - work, &mut batch, |tail| {
                queue::write_rx_tail(hw, QUEUE, tail)
            })
        };
        for skb in batch.drain() {
            napi.gro_receive(skb);
        }
        a.stats
            .rx_packets
            .fetch_add(u64::from(got.packets), Relaxed);
        a.stats.rx_bytes.fetch_add(got.bytes, Relaxed);
        a.stats.rx_errors.fetch_add(u64::from(got.errors), Relaxed);
        a.stats
            .rx_dropped
            .fetch_add(u64::from(got.dropped), Relaxed);
        let n = got.packets + got.errors + got.dropped;
        work += n;
        if n == 0 || (n as usize) < BATCH {
            break;
        }
    }
    work
}

/// The NAPI poll of queue vector `napi`: TX completions first (budget 0,
/// from netpoll, does only those), then receive within the budget.
pub(crate) fn poll(dev: &Device<Adapter>, napi: &Napi<'_>, budget: i32) -> i32 {
    let Ok(hw) = Adapter::hw(dev) else {
        return 0;
    };
    let tx_complete = clean_tx(dev, budget);
    if budget <= 0 {
        return 0;
    }
    let work = clean_rx(dev, napi, hw, budget as u32) as i32;
    if !tx_complete || work >= budget {
        // More to do: stay scheduled.
        return budget;
    }
    if napi.complete_done(work) {
        reenable(dev, hw);
    }
    work
}

/// Unmask the queue interrupt after NAPI completed.
fn reenable(dev: &Device<Adapter>, hw: &Bar0<'_>) {
    match dev.irq_mode() {
        Some(IrqMode::MsiX) => intr::enable_queue_vector(hw, dev.data().eims_queue.load(Relaxed)),
        Some(_) => intr::enable_single(hw),
        None => {}
    }
}
