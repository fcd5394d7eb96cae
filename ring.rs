// SPDX-License-Identifier: GPL-2.0

//! Descriptor ring index arithmetic, shared by the TX and RX rings.
//!
//! `next_to_use` is where software produces the next descriptor,
//! `next_to_clean` the oldest one not yet reclaimed. One descriptor always
//! stays unused so that a full ring is distinguishable from an empty one
//! (the hardware stops when head reaches tail).

use core::num::NonZeroUsize;

use kernel::prelude::*;

/// Indices of a ring of `count` descriptors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ring {
    /// Non-zero by type, so that reducing a value modulo it has no
    /// division-by-zero panic path.
    count: NonZeroUsize,
    ntu: usize,
    ntc: usize,
}

impl Ring {
    /// An empty ring of `count` descriptors: at least 2, at most
    /// [`Ring::MAX_COUNT`] (so that the sum of two indices cannot overflow).
    pub(crate) fn new(count: usize) -> Result<Self> {
        if !(2..=Self::MAX_COUNT).contains(&count) {
            return Err(EINVAL);
        }
        Ok(Self {
            count: NonZeroUsize::new(count).ok_or(EINVAL)?,
            ntu: 0,
            ntc: 0,
        })
    }

    /// The largest ring [`Ring::new`] accepts (far above the 4096 descriptors
    /// the hardware allows).
    pub(crate) const MAX_COUNT: usize = 1 << 20;

    /// Number of descriptors.
    pub(crate) fn count(&self) -> usize {
        self.count.get()
    }

    /// Where the next descriptor is produced.
    pub(crate) fn next_to_use(&self) -> usize {
        self.ntu
    }

    /// The oldest descriptor not yet reclaimed.
    pub(crate) fn next_to_clean(&self) -> usize {
        self.ntc
    }

    /// `v` as an index of the ring. The ring's own indices and the steps
    /// the rings take are already below `count`: then this is one compare,
    /// and the division only runs for a value from elsewhere.
    fn wrap(&self, v: usize) -> usize {
        if v < self.count() {
            v
        } else {
            v % self.count
        }
    }

    /// `i + k`, wrapping: a compare and a subtraction, as the C driver's
    /// `if (++i == count) i = 0`, where it used to take three divisions.
    pub(crate) fn add(&self, i: usize, k: usize) -> usize {
        // Both below `count` <= MAX_COUNT: the sum cannot overflow.
        let s = self.wrap(i) + self.wrap(k);
        if s >= self.count() {
            s - self.count()
        } else {
            s
        }
    }

    /// How many steps from `from` to `to`, wrapping.
    pub(crate) fn distance(&self, from: usize, to: usize) -> usize {
        let (from, to) = (self.wrap(from), self.wrap(to));
        if to >= from {
            to - from
        } else {
            to + self.count() - from
        }
    }

    /// Descriptors in use (produced, not reclaimed).
    pub(crate) fn used(&self) -> usize {
        self.distance(self.ntc, self.ntu)
    }

    /// Descriptors that can still be produced.
    pub(crate) fn unused(&self) -> usize {
        // `used()` is below `count`.
        self.count() - 1 - self.used()
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
    fn rejects_tiny_and_huge() {
        assert!(Ring::new(1).is_err());
        assert!(Ring::new(0).is_err());
        assert!(Ring::new(Ring::MAX_COUNT + 1).is_err());
        assert!(Ring::new(Ring::MAX_COUNT).is_ok());
    }

    /// The compare-and-subtract arithmetic agrees with the modular one for
    /// every index and step of small rings, including values that are not
    /// indices of the ring (reduced first), and at the largest ring.
    #[test]
    fn matches_modular_arithmetic() -> Result {
        for count in [2usize, 3, 8, 64, 100] {
            let r = Ring::new(count)?;
            for i in 0..3 * count {
                for k in 0..3 * count {
                    assert_eq!(r.add(i, k), (i % count + k % count) % count);
                    assert_eq!(r.distance(i, k), (k % count + count - i % count) % count);
                }
            }
        }
        let big = Ring::new(Ring::MAX_COUNT)?;
        let last = Ring::MAX_COUNT - 1;
        assert_eq!(big.add(last, last), last - 1);
        assert_eq!(big.distance(last, 0), 1);
        assert_eq!(
            big.add(usize::MAX, usize::MAX),
            (usize::MAX % Ring::MAX_COUNT) * 2 - Ring::MAX_COUNT
        );
        Ok(())
    }
}
