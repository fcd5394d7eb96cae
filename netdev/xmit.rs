// SPDX-License-Identifier: GPL-2.0

//! The transmit entry point (`ndo_start_xmit`): one frame from the stack to
//! its queue's ring and, unless more follow (`xmit_more`), the doorbell.

use kernel::sync::{
    atomic::{self as katomic},
    barrier::{dma_mb, Write},
};

use super::Adapter;
use crate::{
    net::{
        lock::must_not_spin,
        skb::{DropReason, SkBuff},
        Device,
    },
    queue,
    qvec::bump,
    tx_ring::{doorbell_now, Prepared, DESC_NEEDED},
};

/// `ndo_start_xmit` (`igb_xmit_frame_ring`): pad and plan the offloads of
/// `skb`, post it to its queue's ring (mapping its buffers there), account
/// it for byte queue limits, stop the queue before the ring could overflow
/// and ring the doorbell unless the stack has more frames for the queue.
/// Every frame that cannot go is a counted drop, never `NETDEV_TX_BUSY`.
pub(super) fn start_xmit(dev: &Device<Adapter>, skb: SkBuff) {
    let a = dev.data();
    let (q, qp) = a.tx_pair(skb.queue_mapping());
    let queue = q as u16;
    let Ok(hw) = Adapter::hw(dev) else {
        skb.drop_with(DropReason::DevReady);
        bump(&qp.stats.tx_dropped, 1);
        return;
    };
    let bound = dev.parent_bound();
    // Pad and plan the offloads before taking the ring lock; the
    // buffers are mapped under it, into the ring. `None`: dropped and
    // freed already.
    let p = Prepared::new(skb);
    let mut dropped = p.is_none();
    // Netpoll at panic (hard-IRQ/NMI context) only tries the ring lock
    // (`net::lock::must_not_spin`): a lost netconsole line, not a hung
    // panic.
    let guard = if must_not_spin() {
        qp.tx.try_lock()
    } else {
        Some(qp.tx.lock())
    };
    // A packet not posted, with the reason to drop it after unlocking.
    let mut refused = p.map(|p| (p, DropReason::DevReady));
    let doorbell = if let Some(mut guard) = guard {
        match &mut *guard {
            Some(ring) => {
                let mut last = false;
                if let Some((p, _)) = refused.take() {
                    match ring.post(bound, p) {
                        Ok(bytes) => last = dev.tx_sent(queue, bytes),
                        Err(r) => {
                            refused = Some(r);
                            dropped = true;
                        }
                    }
                }
                // Stop before the ring could overflow; the poll wakes
                // the queue under this same lock once there is room.
                if ring.unused() < DESC_NEEDED {
                    dev.tx_stop(queue);
                    bump(&qp.stats.tx_stop, 1);
                }
                let stalled = a.tx_stall.load(katomic::Relaxed) != 0;
                // Defer the tail write while the stack has more frames
                // for this queue (`xmit_more`), as `igb_tx_map` does,
                // but not past a frame that was not posted.
                let now = doorbell_now(ring.unannounced(), last, dropped, || dev.tx_stopped(queue));
                (!stalled && now).then(|| ring.doorbell())
            }
            None => None,
        }
    } else {
        None
    };
    // The doorbell is rung after the lock is released (with interrupts
    // on): under QEMU the tail write is where the NIC model transmits.
    // Only this queue's `start_xmit` writes its tail (the core
    // serialises them), so tails stay in order; `stop` waits for
    // `start_xmit` (`netif_tx_disable`) before the ring can go.
    if let Some(tail) = doorbell {
        // Descriptor writes must be visible before the tail.
        dma_mb(Write);
        queue::write_tx_tail(hw, q, tail);
    }
    if dropped && refused.is_none() {
        // Freed by `Prepared::new` already.
        bump(&qp.stats.tx_dropped, 1);
    }
    if let Some((p, reason)) = refused {
        // No room (the queue is stopped early, so this is not
        // expected), a mapping failed, or the interface is going down:
        // a counted drop, never BUSY.
        p.release(reason);
        bump(&qp.stats.tx_dropped, 1);
    }
}
