// SPDX-License-Identifier: GPL-2.0

//! The receive ring: advanced one-buffer RX descriptors in coherent DMA
//! memory, each backed by a buffer of the ring's own `page_pool`: half a
//! page at the standard MTU (as the C driver's half-page buffers), whole
//! pages for larger frames.
//!
//! A received frame is not copied: an skb is built around its buffer and the
//! descriptor gets a fresh one from the pool. When the stack frees the skb
//! the buffer goes back to the pool, already mapped, so steady-state receive
//! allocates and maps no pages (the C driver's half-page flipping reaches
//! the same with its own recycling). If the pool has no buffer to give, the
//! frame is dropped and counted and its page reused, so the ring never has
//! a hole. The descriptors go back to the hardware in batches
//! of at most 16 (`IGB_RX_BUFFER_WRITE`: the poll's batch), one tail write
//! each, made after the ring lock is released.
//!
//! Only the NAPI poll touches a live ring (under the adapter's `rx` lock,
//! uncontended); `open`/`stop` build and drop it while NAPI is disabled.
//! Frames are collected in batches under the lock and passed to the stack
//! after it is released: the stack may answer synchronously (a TCP ACK goes
//! straight back down to `start_xmit`), which must not run with IRQs off.

use kernel::{
    device::{Bound, Device},
    dma::Coherent,
    io::{io_read, io_write},
    prelude::*,
    sync::barrier::{dma_mb, Read, Write},
};

use crate::{
    desc::{AdvRxDesc, RxWriteback},
    net::{
        self,
        features::Features,
        napi::Napi,
        page_pool::{PagePool, PoolPage},
        skb::{SkBuff, SkbBatch},
    },
    netdev::Adapter,
    offload,
    ring::Ring,
    rss::HashType,
};

/// Default number of RX descriptors (`IGB_DEFAULT_RXD`).
pub(crate) const DEFAULT_RX_DESCS: usize = 256;
/// Bytes of each buffer the hardware may fill (SRRCTL.BSIZEPKT) at the
/// standard MTU: a full 1500-byte frame with a VLAN tag fits.
pub(crate) const RX_BUFFER_LEN: u32 = 2048;

/// The buffer length for frames of up to `max_frame` bytes: whole KiB (the
/// unit of SRRCTL.BSIZEPKT), at least [`RX_BUFFER_LEN`].
pub(crate) fn buffer_len(max_frame: u32) -> u32 {
    max_frame
        .div_ceil(1024)
        .saturating_mul(1024)
        .max(RX_BUFFER_LEN)
}
/// Frames up to this length are copied into a small skb and their page
/// reused in place (`IGB_RX_HDR_LEN`).
const COPYBREAK: u32 = 256;
/// `ETH_HLEN`: a frame shorter than an Ethernet header is dropped.
const ETH_HLEN: u32 = 14;
/// `ETH_ZLEN`: shorter frames are padded with zeroes up to it
/// (`eth_skb_pad`).
const ETH_ZLEN: u32 = 60;

/// What the receive path does with one written-back descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RxVerdict {
    /// A whole, good frame in this descriptor's buffer: pass it up (padded
    /// to [`ETH_ZLEN`] if shorter).
    Deliver,
    /// Not the end of a frame: the frame spans descriptors, which a ring of
    /// one-buffer frames never asks for. Discard this buffer and every one
    /// after it through the descriptor with EOP (`igb_is_non_eop`); the
    /// frame is counted once, at its end.
    Skip,
    /// The end of a frame to drop and count as a receive error: the last
    /// piece of a spanning frame, MAC-flagged errors, shorter than an
    /// Ethernet header (`igb_cleanup_headers`) or longer than the buffer.
    Drop,
}

/// The [`RxVerdict`] for a descriptor `wb` of a ring receiving frames of up
/// to `max_frame` bytes. `discarding` is the ring's state across
/// descriptors (and polls): set while the rest of a spanning frame is being
/// discarded. `keep_bad` passes up frames the MAC flagged (receive-all,
/// [`offload::keep_bad_frames`]). Never delivers a continuation buffer as a
/// frame, nor a frame whose Ethernet header was not received.
pub(crate) fn rx_verdict(
    discarding: &mut bool,
    wb: &RxWriteback,
    max_frame: u32,
    keep_bad: bool,
) -> RxVerdict {
    if !wb.eop {
        *discarding = true;
        return RxVerdict::Skip;
    }
    let len = u32::from(wb.length);
    if core::mem::replace(discarding, false)
        || (wb.has_errors() && !keep_bad)
        || len < ETH_HLEN
        || len > max_frame
    {
        return RxVerdict::Drop;
    }
    RxVerdict::Deliver
}

/// What one receive pass did.
#[derive(Default)]
pub(crate) struct Received {
    /// Frames passed to the stack.
    pub(crate) packets: u32,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Frames dropped as bad ([`RxVerdict::Drop`]): flagged by the MAC,
    /// spanning descriptors, shorter than an Ethernet header or longer
    /// than the buffer.
    pub(crate) errors: u32,
    /// Good frames dropped for lack of memory.
    pub(crate) dropped: u32,
    /// Allocations that failed (a replacement page, an skb, the padding of
    /// a runt), as the C driver's `alloc_failed`: each also dropped a frame.
    pub(crate) alloc_failed: u32,
    /// Frames the hardware found a bad IP or L4 checksum in (passed up; the
    /// stack verifies and drops them), as the C driver's `csum_err`.
    pub(crate) csum_err: u32,
}

/// One receive ring.
pub(crate) struct RxRing {
    /// The descriptors as two little-endian words each (the layout of
    /// `union e1000_adv_rx_desc`).
    desc: Coherent<[[u64; 2]]>,
    /// The page behind each descriptor. Declared before `pool`: pages go
    /// back to the pool before it is destroyed. `kvmalloc`ed, as the
    /// TX ring's slots.
    pages: KVVec<PoolPage>,
    pool: PagePool,
    idx: Ring,
    /// Discarding the rest of a frame that spans descriptors (see
    /// [`rx_verdict`]); kept across polls, as the frame may end in a
    /// descriptor not yet written back.
    discarding: bool,
}

impl RxRing {
    /// Allocate a ring of `count` descriptors with `buf_len`-byte buffers
    /// (SRRCTL) receiving frames of up to `max_frame` bytes (RLPML) for
    /// `dev`, each with a buffer from a new pool, all armed.
    pub(crate) fn new(
        dev: &Device<Bound>,
        count: usize,
        buf_len: u32,
        max_frame: u32,
    ) -> Result<Self> {
        let desc = Coherent::<[u64; 2]>::zeroed_slice(dev, count, GFP_KERNEL)?;
        let pool = PagePool::new(dev, count as u32, buf_len, max_frame)?;
        let mut pages = KVVec::with_capacity(count, GFP_KERNEL)?;
        // Atomic, as the C driver fills its rings (`igb_alloc_rx_buffers`:
        // `GFP_ATOMIC | __GFP_NOWARN`, at open too). A sleeping allocation
        // is what 7.3's page pool cannot take here: it tracks the DMA
        // mapping of a new page in an xarray locked with `xa_alloc_bh` but
        // not flagged `XA_FLAGS_LOCK_BH`, so when the node allocation
        // under that lock fails, `__xas_nomem` retries the caller's
        // `GFP_KERNEL` with bottom halves still off ("sleeping function
        // called from invalid context", seen under fault injection).
        for _ in 0..count {
            pages.push(pool.alloc(true).ok_or(ENOMEM)?, GFP_KERNEL)?;
        }
        let ring = Self {
            desc,
            pages,
            pool,
            idx: Ring::new(count)?,
            discarding: false,
        };
        for i in 0..count {
            ring.arm(i)?;
        }
        Ok(ring)
    }

    /// The buffer length programmed into SRRCTL.BSIZEPKT.
    pub(crate) fn buf_len(&self) -> u32 {
        self.pool.buf_len()
    }

    /// Bus address of the descriptors, for RDBAL/RDBAH.
    pub(crate) fn dma_addr(&self) -> u64 {
        self.desc.dma_address()
    }

    /// Number of descriptors.
    pub(crate) fn count(&self) -> usize {
        self.idx.count()
    }

    /// The tail (RDT) that hands the hardware every armed descriptor but the
    /// one before `next_to_clean`, which stays back as the full/empty gap.
    pub(crate) fn tail(&self) -> u32 {
        self.idx.add(self.idx.next_to_clean(), self.idx.count() - 1) as u32
    }

    /// Back to the state of a new ring on the pages it holds, for a restart
    /// after a MAC reset (`igb_reinit_locked` reuses its rings): every
    /// descriptor armed again with its page (a descriptor always has one: a
    /// page leaves only with a replacement in hand), the indices at 0 and no
    /// frame half discarded. Written-back frames not yet received are lost,
    /// as on the C driver's reset. The caller has stopped the hardware.
    pub(crate) fn rearm(&mut self) -> Result {
        for i in 0..self.idx.count() {
            self.arm(i)?;
        }
        self.idx.reset();
        self.discarding = false;
        Ok(())
    }

    /// Point descriptor `i` at its page again, clearing the write-back.
    fn arm(&self, i: usize) -> Result {
        let page = self.pages.get(i).ok_or(EINVAL)?;
        let [w0, w1] = AdvRxDesc::new(page.dma_addr()).to_qwords();
        io_write!(self.desc, [try: i][build: 0], w0);
        io_write!(self.desc, [try: i][build: 1], w1);
        Ok(())
    }

    fn writeback(&self, i: usize) -> Result<RxWriteback> {
        let hi = io_read!(self.desc, [try: i][build: 1]);
        let lo = io_read!(self.desc, [try: i][build: 0]);
        Ok(RxWriteback::parse(lo, hi))
    }

    /// Receive up to `max` frames: good ones go into `batch` ready for the
    /// stack (the caller passes them up after unlocking), bad ones are
    /// counted. Stops early when `batch` is full. Returns, with the counts,
    /// the tail to write if descriptors went back to the hardware: the
    /// caller writes it after releasing the ring lock and passing the frames
    /// up (under QEMU the tail write is where the NIC model delivers queued
    /// frames), after a `dma_wmb` done here. Only this queue's poll writes
    /// the tail.
    pub(crate) fn receive<const N: usize>(
        &mut self,
        dev: &net::Device<Adapter>,
        napi: &Napi<'_>,
        max: u32,
        batch: &mut SkbBatch<N>,
    ) -> (Received, Option<u32>) {
        let mut got = Received::default();
        let mut returned = 0;
        let mut done = 0;
        // The offload features, read once per call rather than per frame
        // (a change applies from the next poll).
        let features = dev.features();
        while done < max && !batch.is_full() {
            let i = self.idx.next_to_clean();
            // Look at the status first: nothing else is valid before DD.
            let Ok(wb) = self.writeback(i) else { break };
            if !wb.dd {
                break;
            }
            dma_mb(Read);
            let Ok(wb) = self.writeback(i) else { break };
            done += 1;
            if let Some(skb) = self.take_frame(dev, napi, i, &wb, features, &mut got) {
                // Cannot fail: the loop runs only while not full.
                if let Err(skb) = batch.push(skb) {
                    napi.gro_receive(skb);
                }
            }
            if self.arm(i).is_err() {
                break;
            }
            self.idx.consume(1);
            returned += 1;
        }
        if returned == 0 {
            return (got, None);
        }
        // Descriptor writes must reach memory before the tail moves.
        dma_mb(Write);
        (got, Some(self.tail()))
    }

    /// Turn the frame of descriptor `i` into an skb (its page goes with it
    /// and a fresh one takes its place), or count its drop.
    fn take_frame(
        &mut self,
        dev: &net::Device<Adapter>,
        napi: &Napi<'_>,
        i: usize,
        wb: &RxWriteback,
        features: Features,
        got: &mut Received,
    ) -> Option<SkBuff> {
        let keep_bad = offload::keep_bad_frames(features);
        match rx_verdict(&mut self.discarding, wb, self.pool.max_frame(), keep_bad) {
            RxVerdict::Deliver => {}
            RxVerdict::Skip => return None,
            RxVerdict::Drop => {
                got.errors += 1;
                return None;
            }
        }
        let len = u32::from(wb.length);
        if len <= COPYBREAK {
            // A small frame is copied out and its page stays with the
            // descriptor: a whole-page skb for a 60-byte frame would charge
            // its socket 4 KiB (truesize) and fill receive buffers early.
            let slot = self.pages.get(i)?;
            slot.sync_for_cpu(len);
            let skb = napi.rx_copy(slot, len);
            slot.sync_for_device(len);
            // A runt is padded with zeroes to the Ethernet minimum
            // (`eth_skb_pad`); the padding frees the skb if it fails.
            let skb = match skb {
                Some(skb) if len < ETH_ZLEN => skb.put_padto(ETH_ZLEN),
                skb => skb,
            };
            let Some(skb) = skb else {
                got.dropped += 1;
                got.alloc_failed += 1;
                return None;
            };
            return Some(self.finish(dev, napi, skb, wb, features, got));
        }
        let fresh = self.pool.alloc(true);
        let slot = self.pages.get_mut(i)?;
        let Some(fresh) = fresh else {
            // No page to replace it: keep this one for the descriptor.
            slot.sync_for_device(len);
            got.dropped += 1;
            got.alloc_failed += 1;
            return None;
        };
        let page = core::mem::replace(slot, fresh);
        page.sync_for_cpu(len);
        let Ok(skb) = page.into_skb(napi, len) else {
            // No skb: the page returns to the pool (the descriptor has its
            // replacement already).
            got.dropped += 1;
            got.alloc_failed += 1;
            return None;
        };
        Some(self.finish(dev, napi, skb, wb, features, got))
    }

    /// Attach the descriptor's metadata (hash, checksum, VLAN, queue) to a
    /// received frame of `wb.length` bytes and count it.
    fn finish(
        &self,
        dev: &net::Device<Adapter>,
        napi: &Napi<'_>,
        mut skb: SkBuff,
        wb: &RxWriteback,
        features: Features,
        got: &mut Received,
    ) -> SkBuff {
        let len = u32::from(wb.length);
        match HashType::from_rss_type(wb.rss_type()) {
            _ if !features.contains(Features::RXHASH) => {}
            HashType::None => {}
            t => skb.set_hash(wb.rss_hash, t == HashType::L4),
        }
        let off = offload::rx_offload(wb, len, features);
        if off.csum_unnecessary {
            skb.set_csum_unnecessary();
        }
        if off.csum_error {
            got.csum_err += 1;
        }
        if let Some(tci) = off.vlan {
            skb.put_vlan_tag(tci);
        }
        skb.rx_finish(dev, napi.index() as u16);
        got.packets += 1;
        got.bytes += u64::from(len);
        skb
    }
}

#[kunit_tests(rust_igb_rx_ring)]
mod tests {
    use super::*;
    use crate::desc::{RXDEXT_STATERR_CE, RXD_STAT_DD, RXD_STAT_EOP};

    /// A written-back descriptor with `status_error` and `len` bytes.
    fn wb(status_error: u32, len: u16) -> RxWriteback {
        RxWriteback::parse(
            0,
            ((u64::from(len) << 32) | u64::from(status_error)).to_le(),
        )
    }

    const MAX: u32 = 1522;

    /// The verdicts for a sequence of descriptors, from a fresh ring.
    fn verdicts<const N: usize>(descs: [RxWriteback; N]) -> [RxVerdict; N] {
        verdicts_keeping(descs, false)
    }

    /// The same, with bad frames kept (`keep_bad`, receive-all) or not.
    fn verdicts_keeping<const N: usize>(descs: [RxWriteback; N], keep_bad: bool) -> [RxVerdict; N] {
        let mut discarding = false;
        descs.map(|d| rx_verdict(&mut discarding, &d, MAX, keep_bad))
    }

    #[test]
    fn whole_frames() {
        let good = wb(RXD_STAT_DD | RXD_STAT_EOP, 60);
        assert_eq!(verdicts([good, good]), [RxVerdict::Deliver; 2]);
        // MAC-flagged (CRC error) or longer than the buffer: dropped.
        let crc = wb(RXD_STAT_DD | RXD_STAT_EOP | RXDEXT_STATERR_CE, 60);
        let long = wb(RXD_STAT_DD | RXD_STAT_EOP, (MAX + 1) as u16);
        assert_eq!(
            verdicts([crc, long, good]),
            [RxVerdict::Drop, RxVerdict::Drop, RxVerdict::Deliver]
        );
        assert_eq!(
            verdicts([wb(RXD_STAT_DD | RXD_STAT_EOP, MAX as u16)]),
            [RxVerdict::Deliver]
        );
    }

    #[test]
    fn receive_all_keeps_flagged_frames_only() {
        // With receive-all a MAC-flagged frame goes up (igb_cleanup_headers());
        // what the buffer cannot hold, or lacks a header, is still dropped.
        let good = wb(RXD_STAT_DD | RXD_STAT_EOP, 60);
        let crc = wb(RXD_STAT_DD | RXD_STAT_EOP | RXDEXT_STATERR_CE, 60);
        let long = wb(RXD_STAT_DD | RXD_STAT_EOP, (MAX + 1) as u16);
        let runt = wb(RXD_STAT_DD | RXD_STAT_EOP, 10);
        assert_eq!(
            verdicts_keeping([crc, long, runt, good], true),
            [
                RxVerdict::Deliver,
                RxVerdict::Drop,
                RxVerdict::Drop,
                RxVerdict::Deliver
            ]
        );
        // A spanning frame is discarded through its end either way.
        let first = wb(RXD_STAT_DD, 2048);
        let end = wb(RXD_STAT_DD | RXD_STAT_EOP | RXDEXT_STATERR_CE, 100);
        assert_eq!(
            verdicts_keeping([first, end, good], true),
            [RxVerdict::Skip, RxVerdict::Drop, RxVerdict::Deliver]
        );
    }

    #[test]
    fn spanning_frame_discarded_through_eop() {
        let first = wb(RXD_STAT_DD, 2048);
        let middle = wb(RXD_STAT_DD, 2048);
        // The continuation has EOP and a plausible length: its first bytes
        // are payload, not an Ethernet header, and must not go up.
        let end = wb(RXD_STAT_DD | RXD_STAT_EOP, 100);
        let next = wb(RXD_STAT_DD | RXD_STAT_EOP, 60);
        assert_eq!(
            verdicts([first, end, next]),
            [RxVerdict::Skip, RxVerdict::Drop, RxVerdict::Deliver]
        );
        // Over three descriptors: one drop (one error counted), at the end.
        assert_eq!(
            verdicts([first, middle, end, next]),
            [
                RxVerdict::Skip,
                RxVerdict::Skip,
                RxVerdict::Drop,
                RxVerdict::Deliver
            ]
        );
        // The state survives between polls: the end may be written back
        // later.
        let mut discarding = false;
        assert_eq!(
            rx_verdict(&mut discarding, &first, MAX, false),
            RxVerdict::Skip
        );
        assert!(discarding);
        assert_eq!(
            rx_verdict(&mut discarding, &end, MAX, false),
            RxVerdict::Drop
        );
        assert!(!discarding);
    }

    #[test]
    fn runts() {
        // 0 to 13 bytes: no complete Ethernet header, dropped.
        for len in 0..ETH_HLEN as u16 {
            assert_eq!(
                verdicts([wb(RXD_STAT_DD | RXD_STAT_EOP, len)]),
                [RxVerdict::Drop]
            );
        }
        // A header and more: delivered, padded up to ETH_ZLEN.
        for len in [14u16, 15, 59, 60] {
            assert_eq!(
                verdicts([wb(RXD_STAT_DD | RXD_STAT_EOP, len)]),
                [RxVerdict::Deliver]
            );
        }
    }
}
