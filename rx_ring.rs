// SPDX-License-Identifier: GPL-2.0

//! The receive ring: advanced one-buffer RX descriptors in coherent DMA
//! memory, each backed by its own page mapped for the device.
//!
//! Received frames are copied into a fresh skb from `napi_alloc_skb` and the
//! page is handed straight back to the hardware, so the pages are allocated
//! and mapped once, in `open`, and never per packet. The descriptors go back
//! to the hardware in batches of [`RX_BUFFER_WRITE`] (one tail write each).
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
        dma::RxPage,
        napi::Napi,
        skb::{SkBuff, SkbBatch},
    },
    netdev::Adapter,
    offload,
    ring::Ring,
};

/// Default number of RX descriptors (`IGB_DEFAULT_RXD`).
pub(crate) const DEFAULT_RX_DESCS: usize = 256;
/// Bytes of each buffer the hardware may fill (SRRCTL.BSIZEPKT): a full
/// 1500-byte-MTU frame with a VLAN tag fits.
pub(crate) const RX_BUFFER_LEN: u32 = 2048;
/// Descriptors returned to the hardware per tail write (`IGB_RX_BUFFER_WRITE`).
const RX_BUFFER_WRITE: usize = 16;

/// What one receive pass did.
#[derive(Default)]
pub(crate) struct Received {
    /// Frames passed to the stack.
    pub(crate) packets: u32,
    /// Their bytes.
    pub(crate) bytes: u64,
    /// Frames the MAC flagged bad or that did not fit one buffer: dropped.
    pub(crate) errors: u32,
    /// Good frames dropped for lack of memory.
    pub(crate) dropped: u32,
    /// Frames the hardware found a bad IP or L4 checksum in (passed up; the
    /// stack verifies and drops them), as the C driver's `csum_err`.
    pub(crate) csum_err: u32,
}

/// One receive ring.
pub(crate) struct RxRing {
    /// The descriptors as two little-endian words each (the layout of
    /// `union e1000_adv_rx_desc`).
    desc: Coherent<[[u64; 2]]>,
    pages: KVec<RxPage>,
    idx: Ring,
}

impl RxRing {
    /// Allocate a ring of `count` descriptors for `dev`, each with a mapped
    /// page, all armed.
    pub(crate) fn new(dev: &Device<Bound>, count: usize) -> Result<Self> {
        let desc = Coherent::<[u64; 2]>::zeroed_slice(dev, count, GFP_KERNEL)?;
        let mut pages = KVec::with_capacity(count, GFP_KERNEL)?;
        for _ in 0..count {
            pages.push(RxPage::new(dev, GFP_KERNEL)?, GFP_KERNEL)?;
        }
        let ring = Self {
            desc,
            pages,
            idx: Ring::new(count)?,
        };
        for i in 0..count {
            ring.arm(i)?;
        }
        Ok(ring)
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
    /// counted. Stops early when `batch` is full. Calls `write_tail`
    /// whenever descriptors go back to the hardware.
    pub(crate) fn receive<const N: usize>(
        &mut self,
        dev: &net::Device<Adapter>,
        napi: &Napi<'_>,
        max: u32,
        batch: &mut SkbBatch<N>,
        mut write_tail: impl FnMut(u32),
    ) -> Received {
        let mut got = Received::default();
        let mut returned = 0;
        let mut done = 0;
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
            if let Some(skb) = self.take_frame(dev, napi, i, &wb, &mut got) {
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
            if returned == RX_BUFFER_WRITE {
                // Descriptor writes must reach memory before the tail moves.
                dma_mb(Write);
                write_tail(self.tail());
                returned = 0;
            }
        }
        if returned > 0 {
            dma_mb(Write);
            write_tail(self.tail());
        }
        got
    }

    /// Copy the frame of descriptor `i` into a new skb, or count its drop.
    fn take_frame(
        &self,
        dev: &net::Device<Adapter>,
        napi: &Napi<'_>,
        i: usize,
        wb: &RxWriteback,
        got: &mut Received,
    ) -> Option<SkBuff> {
        let len = u32::from(wb.length);
        if !wb.eop || wb.has_errors() || len == 0 || len > RX_BUFFER_LEN {
            got.errors += 1;
            return None;
        }
        let Some(page) = self.pages.get(i) else {
            got.errors += 1;
            return None;
        };
        page.sync_for_cpu(0, len);
        let skb = napi.rx_copy(page.page(), 0, len);
        page.sync_for_device(0, len);
        let Some(mut skb) = skb else {
            got.dropped += 1;
            return None;
        };
        let off = offload::rx_offload(wb, len, dev.features());
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
        Some(skb)
    }
}
