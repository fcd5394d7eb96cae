// SPDX-License-Identifier: GPL-2.0

//! Descriptor ring index arithmetic, shared by the TX and RX rings.
//!
//! `next_to_use` is where software produces the next descriptor,
//! `next_to_clean` the oldest one not yet reclaimed. One descriptor always
//! stays unused so that a full ring is distinguishable from an empty one
//! (the hardware stops when head reaches tail).

use kernel::prelude::*;

/// Indices of a ring of `count` descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ring {
    count: usize,
    ntu: usize,
    ntc: usize,
}

impl Ring {
    /// An empty ring of `count` (at least 2) descriptors.
    pub(crate) fn new(count: usize) -> Result<Self> {
        if count < 2 {
            return Err(EINVAL);
        }
        Ok(Self {
            count,
            ntu: 0,
            ntc: 0,
        })
    }

    /// Number of descriptors.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Where the next descriptor is produced.
    pub(crate) fn next_to_use(&self) -> usize {
        self.ntu
    }

    /// The oldest descriptor not yet reclaimed.
    pub(crate) fn next_to_clean(&self) -> usize {
        self.ntc
    }

    /// `i + k`, wrapping.
    pub(crate) fn add(&self, i: usize, k: usize) -> usize {
        (i % self.count + k % self.count) % self.count
    }

    /// How many steps from `from` to `to`, wrapping.
    pub(crate) fn distance(&self, from: usize, to: usize) -> usize {
        (to % self.count + self.count - from % self.count) % self.count
    }

    /// Descriptors in use (produced, not reclaimed).
    pub(crate) fn used(&self) -> usize {
        self.distance(self.ntc, self.ntu)
    }

    /// Descriptors that can still be produced.
    pub(crate) fn unused(&self) -> usize {
        self.count - 1 - self.used()
    }

    /// Produce `n` descriptors (the caller checked `n <= unused()`).
    pub(crate) fn produce(&mut self, n: usize) {
        self.ntu = self.add(self.ntu, n);
    }

    /// Reclaim `n` descriptors.
    pub(crate) fn consume(&mut self, n: usize) {
        self.ntc = self.add(self.ntc, n);
    }

    /// Back to empty at index 0.
    pub(crate) fn reset(&mut self) {
        self.ntu = 0;
        self.ntc = 0;
    }
}

#[kunit_tests(rust_igb_ring)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_full() -> Result {
        let mut r = Ring::new(8)?;
        assert_eq!(r.used(), 0);
        assert_eq!(r.unused(), 7);
        r.produce(7);
        assert_eq!(r.unused(), 0);
        assert_eq!(r.next_to_use(), 7);
        r.consume(3);
        assert_eq!(r.used(), 4);
        assert_eq!(r.unused(), 3);
        Ok(())
    }

    #[test]
    fn wraps() -> Result {
        let mut r = Ring::new(8)?;
        r.produce(6);
        r.consume(6);
        r.produce(5);
        assert_eq!(r.next_to_use(), 3);
        assert_eq!(r.used(), 5);
        assert_eq!(r.add(6, 5), 3);
        assert_eq!(r.distance(6, 3), 5);
        assert_eq!(r.distance(3, 3), 0);
        Ok(())
    }

    #[test]
    fn rejects_tiny() {
        assert!(Ring::new(1).is_err());
        assert!(Ring::new(0).is_err());
    }
}
