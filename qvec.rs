// SPDX-License-Identifier: GPL-2.0

//! Queue vectors: a TX and an RX ring served by one interrupt vector and one
//! NAPI instance (the C driver's `igb_q_vector` with paired queues), with
//! their counters and interrupt moderation state.
//!
//! The adapter holds [`MAX_QUEUES`] of them, initialised once; `open` fills
//! the first `n` with rings and `stop` empties them.
//!
//! Locks ([`SoftirqLock`]: plain in softirq context, interrupts saved in
//! process context; never held across a sleep or while an skb goes up the
//! stack):
//! - `tx`: the TX ring. Taken by `start_xmit` of this queue (softirq or
//!   process context, BH off) and by this vector's NAPI poll (softirq); by
//!   `open`/`stop` (process) only to install or remove the ring while both
//!   are excluded.
//! - `rx`: the RX ring. Taken by this vector's NAPI poll; by `open`/`stop`
//!   likewise.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
};

use crate::{
    itr::Itr,
    net::{
        lock::{new_softirq_lock, SoftirqLock},
        napi::MAX_QUEUE_VECTORS,
    },
    rx_ring::RxRing,
    tx_ring::TxRing,
};

/// Most queue pairs an interface uses: one per vector the abstraction
/// offers (8), which is also the 82576's RSS limit.
pub(crate) const MAX_QUEUES: usize = MAX_QUEUE_VECTORS;

/// Counters of one queue pair, updated locklessly by the datapath (each by
/// one writer: the queue's xmit path or its poll) and summed by readers.
pub(crate) struct QueueStats {
    /// Frames the hardware completed on this TX queue (TSO segments
    /// counted, as the C driver counts `gso_segs`).
    pub(crate) tx_packets: Atomic<u64>,
    /// Their bytes on the wire.
    pub(crate) tx_bytes: Atomic<u64>,
    /// TSO packets among them: skbs the hardware cut into several frames.
    pub(crate) tx_tso: Atomic<u64>,
    /// Times the stopped TX queue was woken (the ring had filled up).
    pub(crate) tx_restart: Atomic<u64>,
    /// Packets dropped by `start_xmit` (mapping failures, interface down).
    pub(crate) tx_dropped: Atomic<u64>,
    /// Frames received and passed up on this RX queue.
    pub(crate) rx_packets: Atomic<u64>,
    /// Their bytes.
    pub(crate) rx_bytes: Atomic<u64>,
    /// Frames the MAC flagged bad or that did not fit a buffer.
    pub(crate) rx_errors: Atomic<u64>,
    /// Good frames dropped for lack of memory.
    pub(crate) rx_dropped: Atomic<u64>,
    /// Frames received with a checksum error flagged by the hardware.
    pub(crate) rx_csum_errors: Atomic<u64>,
    /// `tx_packets` at the watchdog's previous look (hang detection).
    pub(crate) hang_mark: Atomic<u64>,
    /// Consecutive watchdog looks that found work pending and no progress.
    pub(crate) hang_ticks: Atomic<u64>,
}

impl QueueStats {
    const fn new() -> Self {
        Self {
            tx_packets: Atomic::new(0),
            tx_bytes: Atomic::new(0),
            tx_tso: Atomic::new(0),
            tx_restart: Atomic::new(0),
            tx_dropped: Atomic::new(0),
            rx_packets: Atomic::new(0),
            rx_bytes: Atomic::new(0),
            rx_errors: Atomic::new(0),
            rx_dropped: Atomic::new(0),
            rx_csum_errors: Atomic::new(0),
            hang_mark: Atomic::new(0),
            hang_ticks: Atomic::new(0),
        }
    }
}

/// Add `v` to a counter with a single writer.
pub(crate) fn bump(c: &Atomic<u64>, v: u64) {
    c.fetch_add(v, Relaxed);
}

/// One queue vector.
#[pin_data]
pub(crate) struct QVector {
    /// The TX ring while the interface is up.
    #[pin]
    pub(crate) tx: SoftirqLock<Option<TxRing>>,
    /// The RX ring while the interface is up.
    #[pin]
    pub(crate) rx: SoftirqLock<Option<RxRing>>,
    /// Counters.
    pub(crate) stats: QueueStats,
    /// Adaptive interrupt moderation.
    pub(crate) itr: Itr,
}

impl QVector {
    /// An empty queue vector.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            tx <- new_softirq_lock!(None, "rust_igb_tx_ring"),
            rx <- new_softirq_lock!(None, "rust_igb_rx_ring"),
            stats: QueueStats::new(),
            itr: Itr::new(),
        })
    }
}
