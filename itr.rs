// SPDX-License-Identifier: GPL-2.0

//! Interrupt moderation: the adaptive interrupt throttle rate of each queue
//! vector, with the C driver's two algorithms.
//!
//! After each poll that completes, the traffic seen since the previous one
//! (packets and bytes, TX and RX separately) sets the vector's next EITR
//! interval:
//!
//! - With one queue vector, by latency classes (`igb_update_itr`/
//!   `igb_set_itr`): each direction moves between three classes and the busier
//!   one picks the interval: lowest latency (~70000 interrupts/s), low
//!   latency (~20000/s) or bulk (~4000/s). (The C driver's "intermediate
//!   steps" formula always yields the target, so there are none here either.)
//! - With several, by the average frame size (`igb_update_ring_itr`): half
//!   the average wire size (a third for mid-size frames) in EITR units, so
//!   full-size frames get ~5000 interrupts/s and small ones more; of a queue
//!   pair's two directions the one with smaller frames counts (see
//!   [`ring_itr`]).
//!
//! The "conservative" setting never goes below the low-latency interval.
//!
//! Values are kept in the C driver's units, the EITR register's: bits 14:2
//! hold the interval in microseconds, so a value is `4 * us`.
//!
//! The state of a vector is only touched by its own NAPI poll (serialised by
//! the core) and by `open` before interrupts are enabled, so relaxed atomics
//! suffice; [`ItrSetting`] is written by ethtool under RTNL.

use core::sync::atomic::{AtomicU32, Ordering::Relaxed};

use kernel::prelude::*;

/// `IGB_70K_ITR`: the lowest-latency interval (14 us).
pub(crate) const ITR_70K: u32 = 56;
/// `IGB_20K_ITR`: the low-latency interval (49 us).
pub(crate) const ITR_20K: u32 = 196;
/// `IGB_4K_ITR`: the bulk interval (245 us), also used below 1 Gb/s.
pub(crate) const ITR_4K: u32 = 980;
/// `IGB_START_ITR`: the interval an adaptive vector starts at (162 us).
pub(crate) const ITR_START: u32 = 648;

/// Latency classes (`enum latency_range`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub(crate) enum Latency {
    /// Few small packets: interrupt as soon as possible.
    Lowest = 0,
    /// Moderate traffic.
    Low = 1,
    /// Bulk transfer: few interrupts.
    Bulk = 2,
}

impl Latency {
    fn from_u32(v: u32) -> Self {
        match v {
            0 => Self::Lowest,
            2 => Self::Bulk,
            _ => Self::Low,
        }
    }

    /// The class for `packets` of `bytes` seen since the last update, from
    /// class `self` (`igb_update_itr`).
    pub(crate) fn update(self, packets: u32, bytes: u32) -> Self {
        if packets == 0 {
            return self;
        }
        let per_packet = bytes / packets;
        match self {
            Self::Lowest => {
                // TSO and jumbo frames.
                if per_packet > 8000 {
                    Self::Bulk
                } else if packets < 5 && bytes > 512 {
                    Self::Low
                } else {
                    self
                }
            }
            Self::Low => {
                if bytes > 10000 {
                    if per_packet > 8000 || packets < 10 || per_packet > 1200 {
                        Self::Bulk
                    } else if packets > 35 {
                        Self::Lowest
                    } else {
                        self
                    }
                } else if per_packet > 2000 {
                    Self::Bulk
                } else if packets <= 2 && bytes < 512 {
                    Self::Lowest
                } else {
                    self
                }
            }
            Self::Bulk => {
                if bytes > 25000 {
                    if packets > 35 {
                        Self::Low
                    } else {
                        self
                    }
                } else if bytes < 1500 {
                    Self::Low
                } else {
                    self
                }
            }
        }
    }

    /// The EITR value of the class.
    pub(crate) const fn itr(self) -> u32 {
        match self {
            Self::Lowest => ITR_70K,
            Self::Low => ITR_20K,
            Self::Bulk => ITR_4K,
        }
    }
}

/// The moderation a user asked for (`ethtool -C rx-usecs`), in the C
/// driver's encoding: 0 no throttling, 1 adaptive, 3 adaptive conservative,
/// otherwise a fixed interval of `value / 4` microseconds.
pub(crate) struct ItrSetting(AtomicU32);

/// `IGB_DEFAULT_ITR`: adaptive, conservative.
pub(crate) const ITR_ADAPTIVE_CONSERVATIVE: u32 = 3;
/// Adaptive, including the lowest-latency class.
pub(crate) const ITR_ADAPTIVE: u32 = 1;

impl ItrSetting {
    /// The default: adaptive, conservative.
    pub(crate) const fn new() -> Self {
        Self(AtomicU32::new(ITR_ADAPTIVE_CONSERVATIVE))
    }

    /// The raw setting.
    pub(crate) fn get(&self) -> u32 {
        self.0.load(Relaxed)
    }

    /// Replace the setting (RTNL, from `ethtool -C`).
    pub(crate) fn set(&self, v: u32) {
        self.0.store(v, Relaxed)
    }

    /// Whether the rate adapts to the traffic.
    pub(crate) fn is_adaptive(&self) -> bool {
        matches!(self.get(), ITR_ADAPTIVE | ITR_ADAPTIVE_CONSERVATIVE)
    }

    /// The EITR value a vector starts with.
    pub(crate) fn initial(&self) -> u32 {
        match self.get() {
            ITR_ADAPTIVE | ITR_ADAPTIVE_CONSERVATIVE => ITR_START,
            v => v,
        }
    }
}

/// Adaptive moderation state of one queue vector.
pub(crate) struct Itr {
    /// The EITR value in force.
    value: AtomicU32,
    /// [`Latency`] class of the TX side.
    tx_class: AtomicU32,
    /// [`Latency`] class of the RX side.
    rx_class: AtomicU32,
    /// TX packets and bytes since the last update.
    tx_packets: AtomicU32,
    tx_bytes: AtomicU32,
    /// RX packets and bytes since the last update.
    rx_packets: AtomicU32,
    rx_bytes: AtomicU32,
}

impl Itr {
    /// Fresh state.
    pub(crate) const fn new() -> Self {
        Self {
            value: AtomicU32::new(ITR_START),
            tx_class: AtomicU32::new(Latency::Low as u32),
            rx_class: AtomicU32::new(Latency::Low as u32),
            tx_packets: AtomicU32::new(0),
            tx_bytes: AtomicU32::new(0),
            rx_packets: AtomicU32::new(0),
            rx_bytes: AtomicU32::new(0),
        }
    }

    /// Start over at `value` (in `open`, and when the setting changes).
    pub(crate) fn reset(&self, value: u32) {
        self.value.store(value, Relaxed);
        self.tx_class.store(Latency::Low as u32, Relaxed);
        self.rx_class.store(Latency::Low as u32, Relaxed);
        for c in [
            &self.tx_packets,
            &self.tx_bytes,
            &self.rx_packets,
            &self.rx_bytes,
        ] {
            c.store(0, Relaxed);
        }
    }

    /// Account TX work of one poll.
    pub(crate) fn add_tx(&self, packets: u32, bytes: u32) {
        add(&self.tx_packets, packets);
        add(&self.tx_bytes, bytes);
    }

    /// Account RX work of one poll.
    pub(crate) fn add_rx(&self, packets: u32, bytes: u32) {
        add(&self.rx_packets, packets);
        add(&self.rx_bytes, bytes);
    }

    /// Recompute the interval from the traffic since the last call; returns
    /// the new EITR value if it changed. `mode` picks the algorithm (the C
    /// driver's choice: [`ItrMode::Classes`] for a single vector);
    /// `conservative` keeps the interval at or above [`ITR_20K`]; below
    /// 1 Gb/s the rate is fixed at [`ITR_4K`]. Only the vector's poll calls
    /// it (the counters' one writer, with `add_tx`/`add_rx`).
    pub(crate) fn update(&self, mode: ItrMode, conservative: bool, gigabit: bool) -> Option<u32> {
        let tx = (take(&self.tx_packets), take(&self.tx_bytes));
        let rx = (take(&self.rx_packets), take(&self.rx_bytes));
        let target = if !gigabit {
            ITR_4K
        } else if mode == ItrMode::Classes {
            let tx = Latency::from_u32(self.tx_class.load(Relaxed)).update(tx.0, tx.1);
            let rx = Latency::from_u32(self.rx_class.load(Relaxed)).update(rx.0, rx.1);
            self.tx_class.store(tx as u32, Relaxed);
            self.rx_class.store(rx as u32, Relaxed);
            let mut class = tx.max(rx);
            if conservative && class == Latency::Lowest {
                class = Latency::Low;
            }
            class.itr()
        } else {
            // No traffic: keep the interval.
            ring_itr(tx, rx, conservative)?
        };
        let changed = self.value.load(Relaxed) != target;
        self.value.store(target, Relaxed);
        changed.then_some(target)
    }
}

/// Which adaptive algorithm a vector uses (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItrMode {
    /// Latency classes (`igb_set_itr`): the only vector of the interface.
    Classes,
    /// Average frame size (`igb_update_ring_itr`): one of several vectors.
    FrameSize,
}

impl ItrMode {
    /// The C driver's choice for `vectors` queue vectors.
    pub(crate) fn for_vectors(vectors: usize) -> Self {
        if vectors > 1 {
            Self::FrameSize
        } else {
            Self::Classes
        }
    }
}

/// The interval for `(packets, bytes)` sent and received since the last
/// update, from the average frame (`igb_update_ring_itr`); `None` without
/// traffic.
///
/// Up to four queue pairs TX and RX rings have vectors of their own (as in
/// the C driver on an 82576, see `qvec.rs`), so one direction is zero here
/// and a bulk sender's ACKs arrive on a vector moderated for small frames
/// while its completions are moderated for full-size ones. When a vector
/// serves a pair, of the directions that carried traffic the one with the
/// smaller frames sets the interval: the same interrupt latency for the
/// small-frame side, the completions of the other side riding along. (The
/// C driver, when it pairs queues, takes the larger and delays those ACKs
/// by up to ~200 us.)
fn ring_itr(tx: (u32, u32), rx: (u32, u32), conservative: bool) -> Option<u32> {
    let avg = |(packets, bytes): (u32, u32)| bytes.checked_div(packets).filter(|&a| a > 0);
    let wire = match (avg(tx), avg(rx)) {
        (Some(t), Some(r)) => t.min(r),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => return None,
    };
    // CRC, preamble and inter-frame gap; jumbo frames are not starved.
    let wire = (wire + 24).min(3000);
    // Mid-size frames get a little boost.
    let itr = if wire > 300 && wire < 1200 {
        wire / 3
    } else {
        wire / 2
    };
    Some(if conservative { itr.max(ITR_20K) } else { itr })
}

/// Add to a counter of the vector's poll, its one writer: a plain load and
/// store, no locked read-modify-write.
fn add(c: &AtomicU32, v: u32) {
    c.store(c.load(Relaxed).saturating_add(v), Relaxed);
}

/// Read a counter of the vector's poll and start it over, likewise without a
/// locked exchange (`swap` is an `xchg`, a full barrier on x86, four of them
/// per poll).
fn take(c: &AtomicU32) -> u32 {
    let v = c.load(Relaxed);
    c.store(0, Relaxed);
    v
}

#[kunit_tests(rust_igb_itr)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        // One 64-byte ping each way: lowest latency from low.
        assert_eq!(Latency::Low.update(1, 98), Latency::Lowest);
        // A TSO burst: 64 KiB in 2 packets is bulk from any class.
        assert_eq!(Latency::Lowest.update(2, 65536), Latency::Bulk);
        assert_eq!(Latency::Low.update(2, 65536), Latency::Bulk);
        // Full-size frames at high rate stay bulk.
        assert_eq!(Latency::Bulk.update(30, 45000), Latency::Bulk);
        // Many small frames leave bulk for low.
        assert_eq!(Latency::Bulk.update(40, 26000), Latency::Low);
        // A trickle leaves bulk.
        assert_eq!(Latency::Bulk.update(1, 100), Latency::Low);
        // No traffic: unchanged.
        assert_eq!(Latency::Bulk.update(0, 0), Latency::Bulk);
    }

    #[test]
    fn adaptive() {
        let itr = Itr::new();
        itr.reset(ITR_START);
        let c = ItrMode::Classes;
        // Bulk traffic: straight to 4K (a longer interval than the start).
        itr.add_rx(40, 60000);
        assert_eq!(itr.update(c, true, true), Some(ITR_4K));
        assert_eq!(itr.update(c, true, true), None);
        // Light traffic: 20K.
        itr.add_rx(1, 100);
        assert_eq!(itr.update(c, true, true), Some(ITR_20K));
        // Pings both ways: lowest latency, which conservative mode turns
        // into low latency (unchanged) and the plain adaptive mode into 70K.
        itr.add_rx(1, 60);
        itr.add_tx(1, 60);
        assert_eq!(itr.update(c, true, true), None);
        assert_eq!(itr.update(c, false, true), Some(ITR_70K));
        // Below gigabit: fixed at 4K.
        assert_eq!(itr.update(c, false, false), Some(ITR_4K));
    }

    #[test]
    fn frame_size() {
        assert_eq!(ItrMode::for_vectors(1), ItrMode::Classes);
        assert_eq!(ItrMode::for_vectors(2), ItrMode::FrameSize);
        // Full-size frames: (1514 + 24) / 2.
        assert_eq!(ring_itr((10, 15140), (0, 0), true), Some(769));
        // Jumbo frames: the average is capped at 3000 wire bytes.
        assert_eq!(ring_itr((0, 0), (2, 18000), true), Some(1500));
        // A bulk sender's ACKs set the interval.
        assert_eq!(ring_itr((40, 60560), (20, 1320), false), Some(45));
        assert_eq!(ring_itr((40, 60560), (20, 1320), true), Some(ITR_20K));
        // Mid-size frames: (600 + 24) / 3.
        assert_eq!(ring_itr((0, 0), (4, 2400), false), Some(208));
        // Small frames: 44, or the 20K floor when conservative.
        assert_eq!(ring_itr((3, 192), (0, 0), false), Some(44));
        assert_eq!(ring_itr((3, 192), (0, 0), true), Some(ITR_20K));
        // No traffic: unchanged.
        assert_eq!(ring_itr((0, 0), (0, 0), true), None);

        let itr = Itr::new();
        itr.reset(ITR_START);
        let f = ItrMode::FrameSize;
        itr.add_tx(10, 15140);
        assert_eq!(itr.update(f, true, true), Some(769));
        assert_eq!(itr.update(f, true, true), None);
        itr.add_rx(1, 98);
        assert_eq!(itr.update(f, true, true), Some(ITR_20K));
        assert_eq!(itr.update(f, true, false), Some(ITR_4K));
    }
}
