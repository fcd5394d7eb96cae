// SPDX-License-Identifier: GPL-2.0

//! Interrupt moderation: the adaptive interrupt throttle rate of each queue
//! vector, as the C driver's `igb_update_itr`/`igb_set_itr`.
//!
//! After each poll that completes, the traffic seen since the previous one
//! (packets and bytes, TX and RX separately) moves each direction between
//! three classes, and the busier class picks the EITR interval: lowest
//! latency (~70000 interrupts/s), low latency (~20000/s) or bulk (~4000/s).
//! The "conservative" setting never picks lowest latency. (The C driver's
//! "intermediate steps" formula always yields the target, so there are none
//! here either.)
//!
//! Values are kept in the C driver's units, the EITR register's: bits 14:2
//! hold the interval in microseconds, so a value is `4 * us`.
//!
//! The state of a vector is only touched by its own NAPI poll (serialised by
//! the core) and by `open` before interrupts are enabled, so relaxed atomics
//! suffice; [`ItrSetting`] is written by ethtool under RTNL.

use kernel::{
    prelude::*,
    sync::atomic::{Atomic, Relaxed},
};

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
pub(crate) struct ItrSetting(Atomic<u32>);

/// `IGB_DEFAULT_ITR`: adaptive, conservative.
pub(crate) const ITR_ADAPTIVE_CONSERVATIVE: u32 = 3;
/// Adaptive, including the lowest-latency class.
pub(crate) const ITR_ADAPTIVE: u32 = 1;

impl ItrSetting {
    /// The default: adaptive, conservative.
    pub(crate) const fn new() -> Self {
        Self(Atomic::new(ITR_ADAPTIVE_CONSERVATIVE))
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
    value: Atomic<u32>,
    /// [`Latency`] class of the TX side.
    tx_class: Atomic<u32>,
    /// [`Latency`] class of the RX side.
    rx_class: Atomic<u32>,
    /// TX packets and bytes since the last update.
    tx_packets: Atomic<u32>,
    tx_bytes: Atomic<u32>,
    /// RX packets and bytes since the last update.
    rx_packets: Atomic<u32>,
    rx_bytes: Atomic<u32>,
}

impl Itr {
    /// Fresh state.
    pub(crate) const fn new() -> Self {
        Self {
            value: Atomic::new(ITR_START),
            tx_class: Atomic::new(Latency::Low as u32),
            rx_class: Atomic::new(Latency::Low as u32),
            tx_packets: Atomic::new(0),
            tx_bytes: Atomic::new(0),
            rx_packets: Atomic::new(0),
            rx_bytes: Atomic::new(0),
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

    /// Recompute the interval from the traffic since the last call
    /// (`igb_set_itr`); returns the new EITR value if it changed.
    /// `conservative` excludes the lowest-latency class; below 1 Gb/s the
    /// C driver fixes the rate at [`ITR_4K`].
    pub(crate) fn update(&self, conservative: bool, gigabit: bool) -> Option<u32> {
        let tx = Latency::from_u32(self.tx_class.load(Relaxed)).update(
            self.tx_packets.xchg(0, Relaxed),
            self.tx_bytes.xchg(0, Relaxed),
        );
        let rx = Latency::from_u32(self.rx_class.load(Relaxed)).update(
            self.rx_packets.xchg(0, Relaxed),
            self.rx_bytes.xchg(0, Relaxed),
        );
        self.tx_class.store(tx as u32, Relaxed);
        self.rx_class.store(rx as u32, Relaxed);
        let target = if gigabit {
            let mut class = tx.max(rx);
            if conservative && class == Latency::Lowest {
                class = Latency::Low;
            }
            class.itr()
        } else {
            ITR_4K
        };
        (self.value.xchg(target, Relaxed) != target).then_some(target)
    }
}

fn add(c: &Atomic<u32>, v: u32) {
    c.store(c.load(Relaxed).saturating_add(v), Relaxed);
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
        // Bulk traffic: straight to 4K (a longer interval than the start).
        itr.add_rx(40, 60000);
        assert_eq!(itr.update(true, true), Some(ITR_4K));
        assert_eq!(itr.update(true, true), None);
        // Light traffic: 20K.
        itr.add_rx(1, 100);
        assert_eq!(itr.update(true, true), Some(ITR_20K));
        // Pings both ways: lowest latency, which conservative mode turns
        // into low latency (unchanged) and the plain adaptive mode into 70K.
        itr.add_rx(1, 60);
        itr.add_tx(1, 60);
        assert_eq!(itr.update(true, true), None);
        assert_eq!(itr.update(false, true), Some(ITR_70K));
        // Below gigabit: fixed at 4K.
        assert_eq!(itr.update(false, false), Some(ITR_4K));
    }
}
