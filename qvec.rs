// SPDX-License-Identifier: GPL-2.0

//! Queue pairs and the queue vectors that serve them.
//!
//! A [`QueuePair`] holds TX and RX ring `i` with their counters. The adapter
//! holds [`MAX_QUEUES`] of them, initialised once; `open` fills the first
//! `n` with rings and `stop` empties them.
//!
//! A queue vector is one MSI-X vector with one NAPI instance (the C driver's
//! `igb_q_vector`). [`VectorMap`] says which rings each serves: with up to
//! four queue pairs and enough vectors, every ring has a vector of its own
//! (RX queues first, then TX), as the C igb does on the 82576; otherwise
//! each vector serves a pair. Separate vectors matter because the
//! interrupt throttle (EITR) is per vector: a TX completion interrupt opens
//! a throttle window that a received frame on the same vector, such as the
//! reply a sender waits for, must sit out.
//!
//! Locks ([`SoftirqLock`]: plain in softirq context, interrupts saved in
//! process context; never held across a sleep or while an skb goes up the
//! stack):
//! - `tx`: the TX ring. Taken by `start_xmit` of this queue (softirq or
//!   process context, BH off) and by its vector's NAPI poll (softirq); by
//!   `open`/`stop` (process) only to install or remove the ring while both
//!   are excluded.
//! - `rx`: the RX ring. Taken by its vector's NAPI poll; by `open`/`stop`
//!   likewise.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

use kernel::prelude::*;

use crate::{
    net::{
        lock::{new_softirq_lock, SoftirqLock},
        napi::MAX_QUEUE_VECTORS,
        qstats::{QueueStatsRx, QueueStatsTx},
    },
    rx_ring::RxRing,
    tx_ring::TxRing,
};

/// Most queue pairs an interface uses: one per vector the abstraction
/// offers (8), which is also the 82576's RSS limit.
pub(crate) const MAX_QUEUES: usize = MAX_QUEUE_VECTORS;

/// Most queue pairs whose rings get vectors of their own: half the RSS
/// limit, the C driver's rule (`igb_set_flag_queue_pairs`).
pub(crate) const MAX_SPLIT_QUEUES: usize = MAX_QUEUES / 2;

/// The queue vectors to allocate for `queues` queue pairs: a vector per
/// ring if the pairs can have them, else one per pair.
pub(crate) const fn vectors_for(queues: usize) -> usize {
    VectorMap::new(queues, MAX_QUEUE_VECTORS).vectors()
}

/// What one queue vector serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Serves {
    /// The queue pair.
    pub(crate) queue: usize,
    /// Whether its TX ring.
    pub(crate) tx: bool,
    /// Whether its RX ring.
    pub(crate) rx: bool,
}

/// How the queue pairs in use map onto queue vectors (numbered from 0: NAPI
/// instance `v`, MSI-X vector `v + 1`; in MSI or INTx mode the one vector).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VectorMap {
    queues: usize,
    split: bool,
}

impl VectorMap {
    /// The map for `queues` queue pairs on `vectors` available queue
    /// vectors: a vector per ring if `queues` is at most
    /// [`MAX_SPLIT_QUEUES`] and the vectors suffice, else a vector per pair
    /// (`queues` is clamped to `1..=MAX_QUEUES`).
    pub(crate) const fn new(queues: usize, vectors: usize) -> Self {
        let queues = if queues == 0 {
            1
        } else if queues > MAX_QUEUES {
            MAX_QUEUES
        } else {
            queues
        };
        Self {
            queues,
            split: queues <= MAX_SPLIT_QUEUES && 2 * queues <= vectors,
        }
    }

    /// The queue pairs.
    pub(crate) const fn queues(&self) -> usize {
        self.queues
    }

    /// Whether TX and RX rings have vectors of their own.
    pub(crate) const fn is_split(&self) -> bool {
        self.split
    }

    /// The queue vectors in use.
    pub(crate) const fn vectors(&self) -> usize {
        if self.split {
            2 * self.queues
        } else {
            self.queues
        }
    }

    /// The queue vector of RX queue `queue`.
    pub(crate) const fn rx_vector(&self, queue: usize) -> usize {
        queue
    }

    /// The queue vector of TX queue `queue`.
    pub(crate) const fn tx_vector(&self, queue: usize) -> usize {
        if self.split {
            self.queues + queue
        } else {
            queue
        }
    }

    /// What queue vector `vector` serves; `None` if it is not in use.
    pub(crate) const fn serves(&self, vector: usize) -> Option<Serves> {
        if vector >= self.vectors() {
            None
        } else if !self.split {
            Some(Serves {
                queue: vector,
                tx: true,
                rx: true,
            })
        } else if vector < self.queues {
            Some(Serves {
                queue: vector,
                tx: false,
                rx: true,
            })
        } else {
            Some(Serves {
                queue: vector - self.queues,
                tx: true,
                rx: false,
            })
        }
    }
}

/// Counters of one queue pair, updated locklessly by the datapath (each by
/// one writer: the queue's xmit path or its poll) and summed by readers.
///
/// The driver's counters and flags are `core` atomics with relaxed ordering
/// (no ordering is derived from them): the kernel crate's `Atomic` calls an
/// out-of-line C helper for every access, which cannot be inlined here
/// (`CONFIG_RUST_INLINE_HELPERS` needs matching clang and rustc LLVM), while
/// `core`'s compile to the same plain or locked instructions C's `atomic_*`
/// inline to. Under QEMU's TCG those helper calls
/// cost measurable latency (Documentation/benchmark.md).
pub(crate) struct QueueStats {
    /// Frames the hardware completed on this TX queue (TSO segments
    /// counted, as the C driver counts `gso_segs`).
    pub(crate) tx_packets: AtomicU64,
    /// Their bytes on the wire.
    pub(crate) tx_bytes: AtomicU64,
    /// TSO packets among them: skbs the hardware cut into several frames.
    pub(crate) tx_tso: AtomicU64,
    /// Times the stopped TX queue was woken (the ring had filled up).
    pub(crate) tx_restart: AtomicU64,
    /// Times `start_xmit` stopped the queue because the ring was nearly full
    /// (netdev netlink's `tx-stop`).
    pub(crate) tx_stop: AtomicU64,
    /// Packets dropped by `start_xmit` (mapping failures, interface down).
    pub(crate) tx_dropped: AtomicU64,
    /// Frames received and passed up on this RX queue.
    pub(crate) rx_packets: AtomicU64,
    /// Their bytes.
    pub(crate) rx_bytes: AtomicU64,
    /// Frames the MAC flagged bad or that did not fit a buffer.
    pub(crate) rx_errors: AtomicU64,
    /// Good frames dropped for lack of memory.
    pub(crate) rx_dropped: AtomicU64,
    /// Failed allocations on the receive path (pages, skbs), as the C
    /// driver's `rx_stats.alloc_failed`.
    pub(crate) rx_alloc_failed: AtomicU64,
    /// Frames received with a checksum error flagged by the hardware.
    pub(crate) rx_csum_errors: AtomicU64,
    /// `tx_packets` at the watchdog's previous look (hang detection).
    pub(crate) hang_mark: AtomicU64,
    /// Consecutive watchdog looks that found work pending and no progress.
    pub(crate) hang_ticks: AtomicU64,
}

impl QueueStats {
    /// The RX counters netdev netlink reports for this pair's queue.
    pub(crate) fn qstats_rx(&self) -> QueueStatsRx {
        QueueStatsRx {
            packets: Some(self.rx_packets.load(Relaxed)),
            bytes: Some(self.rx_bytes.load(Relaxed)),
            alloc_fail: Some(self.rx_alloc_failed.load(Relaxed)),
            csum_bad: Some(self.rx_csum_errors.load(Relaxed)),
        }
    }

    /// The TX counters netdev netlink reports for this pair's queue.
    pub(crate) fn qstats_tx(&self) -> QueueStatsTx {
        QueueStatsTx {
            packets: Some(self.tx_packets.load(Relaxed)),
            bytes: Some(self.tx_bytes.load(Relaxed)),
            hw_gso_packets: Some(self.tx_tso.load(Relaxed)),
            stop: Some(self.tx_stop.load(Relaxed)),
            wake: Some(self.tx_restart.load(Relaxed)),
        }
    }

    const fn new() -> Self {
        Self {
            tx_packets: AtomicU64::new(0),
            tx_bytes: AtomicU64::new(0),
            tx_tso: AtomicU64::new(0),
            tx_restart: AtomicU64::new(0),
            tx_stop: AtomicU64::new(0),
            tx_dropped: AtomicU64::new(0),
            rx_packets: AtomicU64::new(0),
            rx_bytes: AtomicU64::new(0),
            rx_errors: AtomicU64::new(0),
            rx_dropped: AtomicU64::new(0),
            rx_alloc_failed: AtomicU64::new(0),
            rx_csum_errors: AtomicU64::new(0),
            hang_mark: AtomicU64::new(0),
            hang_ticks: AtomicU64::new(0),
        }
    }
}

/// Add `v` to a counter with a single writer (each [`QueueStats`] counter
/// has one: its queue's xmit path, serialised by the core, or its vector's
/// poll), so a plain load and store suffice, as `u64_stats` on 64-bit.
pub(crate) fn bump(c: &AtomicU64, v: u64) {
    c.store(c.load(Relaxed).wrapping_add(v), Relaxed);
}

/// One queue pair.
#[pin_data]
pub(crate) struct QueuePair {
    /// The TX ring while the interface is up.
    #[pin]
    pub(crate) tx: SoftirqLock<Option<TxRing>>,
    /// The RX ring while the interface is up.
    #[pin]
    pub(crate) rx: SoftirqLock<Option<RxRing>>,
    /// Counters.
    pub(crate) stats: QueueStats,
}

impl QueuePair {
    /// An empty queue pair.
    pub(crate) fn new() -> impl PinInit<Self> {
        pin_init!(Self {
            tx <- new_softirq_lock!(None, "rust_igb_tx_ring"),
            rx <- new_softirq_lock!(None, "rust_igb_rx_ring"),
            stats: QueueStats::new(),
        })
    }
}

#[kunit_tests(rust_igb_qvec)]
mod tests {
    use super::*;

    #[test]
    fn split_vectors() {
        // Two queue pairs on four vectors: RX 0, RX 1, TX 0, TX 1 (the C
        // driver's order: igb_alloc_q_vectors() gives RX rings theirs first).
        let m = VectorMap::new(2, 4);
        assert!(m.is_split());
        assert_eq!(m.vectors(), 4);
        assert_eq!((m.rx_vector(0), m.rx_vector(1)), (0, 1));
        assert_eq!((m.tx_vector(0), m.tx_vector(1)), (2, 3));
        let rx1 = Serves {
            queue: 1,
            tx: false,
            rx: true,
        };
        let tx0 = Serves {
            queue: 0,
            tx: true,
            rx: false,
        };
        assert_eq!(m.serves(1), Some(rx1));
        assert_eq!(m.serves(2), Some(tx0));
        assert_eq!(m.serves(4), None);
        // Every ring has exactly one vector.
        for q in 0..m.queues() {
            assert_eq!(
                m.serves(m.rx_vector(q)).map(|s| (s.queue, s.rx)),
                Some((q, true))
            );
            assert_eq!(
                m.serves(m.tx_vector(q)).map(|s| (s.queue, s.tx)),
                Some((q, true))
            );
        }
    }

    #[test]
    fn paired_vectors() {
        // Too few vectors, more than four queues, or one vector (MSI, INTx):
        // a vector per pair.
        for (queues, vectors) in [(2, 3), (5, 16), (8, 8), (1, 1)] {
            let m = VectorMap::new(queues, vectors);
            assert!(!m.is_split());
            assert_eq!(m.vectors(), queues);
            assert_eq!(m.tx_vector(queues - 1), queues - 1);
            let last = Serves {
                queue: queues - 1,
                tx: true,
                rx: true,
            };
            assert_eq!(m.serves(queues - 1), Some(last));
            assert_eq!(m.serves(queues), None);
        }
        // What probe allocates: two vectors per CPU up to four CPUs.
        assert_eq!((vectors_for(1), vectors_for(2), vectors_for(4)), (2, 4, 8));
        assert_eq!((vectors_for(5), vectors_for(64)), (5, MAX_QUEUES));
        // Four pairs on eight vectors still split; out-of-range counts clamp.
        assert!(VectorMap::new(4, 8).is_split());
        assert_eq!(VectorMap::new(0, 8).queues(), 1);
        assert_eq!(VectorMap::new(100, 8).queues(), MAX_QUEUES);
    }
}
