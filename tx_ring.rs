// SPDX-License-Identifier: GPL-2.0

//! The transmit ring: advanced TX descriptors in coherent DMA memory and, per
//! descriptor, the skb mapping it points at.
//!
//! The producer (`start_xmit`) and the consumer (the NAPI poll cleaning
//! completions) share one [`TxRing`] under its queue pair's `tx` lock (a
//! `SoftirqLock`, `net/lock.rs`), so the queue stop/wake decisions are taken
//! under the same lock as the ring indices they depend on and no wake-up can
//! be lost.
//!
//! A packet takes consecutive descriptors: a context descriptor first when it
//! uses an offload (checksum, TSO, VLAN tag; see `offload.rs`), then one data
//! descriptor per buffer, or per [`MAX_DATA_PER_TXD`] bytes of a longer one.
//! Its skb is kept in the slot of the first descriptor, together with the
//! index of the last one (whose DD bit says the whole packet is done), as the
//! C driver's `first` and `next_to_watch`; each mapping is kept in the slot of
//! the first descriptor pointing into it.

use kernel::{
    device::{Bound, Device},
    dma::Coherent,
    io::{io_read, io_write},
    prelude::*,
    sync::barrier::{dma_mb, Read},
};

use crate::{
    desc::{self, AdvTxDesc, MAX_DATA_PER_TXD},
    net::{
        dma::TxMapping,
        skb::{DropReason, SkBuff, SkbBatch, MAX_SKB_FRAGS},
    },
    offload::{self, CsumRequest, TxOffload},
    ring::Ring,
};

/// Default number of TX descriptors (`IGB_DEFAULT_TXD`).
pub(crate) const DEFAULT_TX_DESCS: usize = 256;
/// Most buffers one skb can need: the linear part plus the `MAX_SKB_FRAGS`
/// of the kernel the module is built for (17, or up to 45 with
/// `CONFIG_MAX_SKB_FRAGS`). The 82576 has no per-packet descriptor limit, so
/// every skb the stack may build is sent as it is, like the C driver does.
const MAX_BUFFERS: usize = 1 + MAX_SKB_FRAGS;
/// Free descriptors below which the queue is stopped after a transmit
/// (`DESC_NEEDED`: a worst-case packet plus a context descriptor and a gap).
pub(crate) const DESC_NEEDED: usize = MAX_BUFFERS + 3;

/// Free descriptors at which a stopped queue of a ring of `count`
/// descriptors is woken: `TX_WAKE_THRESHOLD` (twice [`DESC_NEEDED`]), but
/// never more than a drained ring has free (`count - 1`). With 45 fragments
/// twice `DESC_NEEDED` is 98, more than the smallest ring (64) can ever
/// offer: such a queue would stay stopped for good.
pub(crate) fn wake_threshold(count: usize) -> usize {
    wake_threshold_for(DESC_NEEDED, count)
}

fn wake_threshold_for(needed: usize, count: usize) -> usize {
    (needed * 2).min(count.saturating_sub(1))
}
/// Shortest frame handed to the MAC: `ETH_ZLEN`, padded with zeroes.
const ETH_ZLEN: u32 = 60;

/// Software state of one descriptor.
#[derive(Default)]
struct TxSlot {
    /// The mapping this descriptor points at.
    map: Option<TxMapping>,
    /// On the first descriptor of a packet: the packet.
    skb: Option<SkBuff>,
    /// On the first descriptor of a packet: index of its last descriptor.
    last: usize,
    /// On the first descriptor of a packet: bytes on the wire (headers
    /// counted once per TSO segment, as `igb_tso()` counts them for BQL).
    bytes: u32,
    /// On the first descriptor of a packet: frames on the wire (TSO
    /// segments; 1 otherwise).
    segs: u32,
}

/// Data descriptors for a buffer of `len` bytes (`TXD_USE_COUNT`; at least
/// one, also for an empty linear part).
fn data_descs(len: u32) -> usize {
    len.div_ceil(MAX_DATA_PER_TXD).max(1) as usize
}

/// A packet padded and offload-planned, with the number of descriptors it
/// takes, ready to post (built before taking the ring lock). Its buffers are
/// mapped by [`TxRing::post`], straight into the ring's slots, as
/// `igb_tx_map` does: a packet carries no array of mappings around.
pub(crate) struct Prepared {
    skb: SkBuff,
    /// Context descriptor and descriptor bits of the offloads.
    offload: TxOffload,
    /// Page fragments (buffers after the linear part).
    frags: u32,
    /// Descriptors the packet takes (context + data).
    descs: usize,
}

impl Prepared {
    /// Pad `skb`, plan its offloads (preparing the headers for TSO, or
    /// checksumming in software what the hardware cannot) and count its
    /// descriptors. On failure the skb is dropped with a reason (or was freed
    /// by the padding) and `None` returned.
    pub(crate) fn new(mut skb: SkBuff) -> Option<Self> {
        // A short frame asking for a checksum gets it in software before it
        // is padded: the padding would be summed as payload by QEMU, which
        // rebuilds the pseudo-header from the frame length (a bad UDP/TCP
        // checksum), and by any hardware for an SCTP CRC32c (a 50-byte
        // COOKIE-ACK, for one).
        if skb.len() < ETH_ZLEN && skb.tx_headers().csum_partial && skb.checksum_help().is_err() {
            skb.drop_with(DropReason::DevHdr);
            return None;
        }
        let mut skb = skb.put_padto(ETH_ZLEN)?;
        let offload = match plan_offload(&mut skb) {
            Ok(o) => o,
            Err(_) => {
                skb.drop_with(DropReason::DevHdr);
                return None;
            }
        };
        let lens = skb.frag_lens();
        let frags = lens.len();
        let descs = lens.fold(
            offload.extra_descs() + data_descs(skb.headlen()),
            |n, len| n + data_descs(len),
        );
        if frags >= MAX_BUFFERS {
            skb.drop_with(DropReason::DevHdr);
            return None;
        }
        // Below MAX_BUFFERS: fits.
        let frags = frags as u32;
        Some(Self {
            skb,
            offload,
            frags,
            descs,
        })
    }

    /// Drop the packet with `reason`.
    pub(crate) fn release(self, reason: DropReason) {
        self.skb.drop_with(reason);
    }
}

/// Plans the offloads of `skb` as `igb_tso()`/`igb_tx_csum()` decide them:
/// segmentation for a TCP or UDP GSO packet, tunnelled or not (its headers
/// are edited for the hardware), a hardware
/// checksum where the hardware can place it, else a software checksum; a VLAN
/// tag rides in the context descriptor either way.
fn plan_offload(skb: &mut SkBuff) -> Result<TxOffload> {
    let h = skb.tx_headers();
    if h.gso.is_some() && h.csum_partial {
        let t = skb.tso_prepare()?;
        return offload::plan_tso(&skb.tx_headers(), &t);
    }
    let planned = match offload::csum_request(&h) {
        CsumRequest::None => return offload::plan_csum(&h, None),
        CsumRequest::Hardware(kind) => offload::plan_csum(&h, Some(kind)),
        CsumRequest::Software => Err(EOPNOTSUPP),
    };
    planned.or_else(|_| {
        skb.checksum_help()?;
        offload::plan_csum(&skb.tx_headers(), None)
    })
}

/// What a completion pass cleaned.
#[derive(Default)]
pub(crate) struct Cleaned {
    /// Packets (skbs) completed.
    pub(crate) packets: u32,
    /// The frames they became on the wire (TSO segments counted, as the
    /// C driver counts `gso_segs` for its statistics and moderation).
    pub(crate) frames: u32,
    /// Their bytes on the wire.
    pub(crate) bytes: u32,
    /// Packets among them that were sent as several TSO segments.
    pub(crate) tso: u32,
    /// Whether the ring was cleaned up to the hardware's position (rather
    /// than stopping because the batch was full).
    pub(crate) complete: bool,
}

/// Whether `start_xmit` writes the tail now. Descriptors posted since the
/// last tail write (`unannounced`) are announced when this call posted the
/// last frame the stack has for the queue (`last`: no `xmit_more`, or BQL
/// stopped the queue), when the queue is stopped (`stopped`, asked only if
/// needed: it is an out-of-line call), and when this call's frame was
/// dropped (`dropped`): the frames earlier calls deferred with `xmit_more`
/// must not wait for a transmit that may not come, or for a reset. (A drop
/// in the middle of a batch rings early; drops are rare.)
pub(crate) fn doorbell_now(
    unannounced: bool,
    last: bool,
    dropped: bool,
    stopped: impl FnOnce() -> bool,
) -> bool {
    unannounced && (last || dropped || stopped())
}

/// One transmit ring.
pub(crate) struct TxRing {
    /// The descriptors as two little-endian words each (the layout of
    /// `union e1000_adv_tx_desc`).
    desc: Coherent<[[u64; 2]]>,
    /// Per-descriptor state; `kvmalloc`ed (up to 4096 slots, about 230
    /// KiB: an order-6 `kmalloc` that fragmented memory may not have, which
    /// is why the C driver `vmalloc`s its `tx_buffer_info`).
    slots: KVVec<TxSlot>,
    idx: Ring,
    /// `next_to_use` at the last tail write ([`TxRing::doorbell`]).
    announced: usize,
}

impl TxRing {
    /// Allocate a ring of `count` descriptors for `dev`.
    pub(crate) fn new(dev: &Device<Bound>, count: usize) -> Result<Self> {
        let desc = Coherent::<[u64; 2]>::zeroed_slice(dev, count, GFP_KERNEL)?;
        let mut slots = KVVec::with_capacity(count, GFP_KERNEL)?;
        for _ in 0..count {
            slots.push(TxSlot::default(), GFP_KERNEL)?;
        }
        Ok(Self {
            desc,
            slots,
            idx: Ring::new(count)?,
            announced: 0,
        })
    }

    /// The tail value to write to TDT now, recorded as announced.
    pub(crate) fn doorbell(&mut self) -> u32 {
        self.announced = self.idx.next_to_use();
        self.announced as u32
    }

    /// Whether descriptors were posted since the last [`TxRing::doorbell`].
    pub(crate) fn unannounced(&self) -> bool {
        self.announced != self.idx.next_to_use()
    }

    /// Bus address of the descriptors, for TDBAL/TDBAH.
    pub(crate) fn dma_addr(&self) -> u64 {
        self.desc.dma_address()
    }

    /// Number of descriptors.
    pub(crate) fn count(&self) -> usize {
        self.idx.count()
    }

    /// The tail value to write to TDT.
    pub(crate) fn tail(&self) -> u32 {
        self.idx.next_to_use() as u32
    }

    /// Free descriptors.
    pub(crate) fn unused(&self) -> usize {
        self.idx.unused()
    }

    /// The next descriptor to clean (for diagnostics).
    pub(crate) fn next_to_clean(&self) -> u32 {
        self.idx.next_to_clean() as u32
    }

    /// Descriptors posted and not yet cleaned (for diagnostics).
    pub(crate) fn in_flight(&self) -> usize {
        self.idx.used()
    }

    /// Whether packets are posted and not yet completed.
    pub(crate) fn pending(&self) -> bool {
        self.idx.next_to_clean() != self.idx.next_to_use()
    }

    /// Map the buffers of `p` for `dev` and write its descriptors at
    /// `next_to_use`: the context descriptor if any, then a data descriptor
    /// per buffer, or per [`MAX_DATA_PER_TXD`] bytes of a longer one
    /// (`igb_tx_map`). Each mapping is kept in the slot of its first
    /// descriptor, the skb in the slot of the packet's first, until the
    /// completion. Returns the packet's bytes on the wire (for BQL).
    ///
    /// Without room for it, or if a mapping fails (then every mapping made
    /// for it is undone and its slots left empty), the packet is handed back
    /// with the reason to drop it; the caller frees it after unlocking.
    pub(crate) fn post(
        &mut self,
        dev: &Device<Bound>,
        p: Prepared,
    ) -> core::result::Result<u32, (Prepared, DropReason)> {
        if p.descs == 0 || self.unused() < p.descs {
            return Err((p, DropReason::DevReady));
        }
        let first = self.idx.next_to_use();
        let mut i = first;
        if let Some(ctx) = p.offload.context {
            if self.write_desc(i, ctx.to_qwords()).is_err() {
                return Err((p, DropReason::DevHdr));
            }
            i = self.idx.add(i, 1);
        }
        if let Err(end) = self.map_buffers(dev, &p, i) {
            self.unmap_range(dev, i, end);
            return Err((p, DropReason::DevHdr));
        }
        let last = self.idx.add(first, p.descs - 1);
        let Prepared {
            skb,
            offload,
            descs,
            ..
        } = p;
        if let Some(slot) = self.slots.get_mut(first) {
            slot.skb = Some(skb);
            slot.last = last;
            slot.bytes = offload.bytes;
            slot.segs = offload.segs;
        } else {
            // Cannot happen (`first` is an index of the ring); the packet
            // must not vanish unaccounted either way.
            skb.drop_with(DropReason::DevHdr);
        }
        self.idx.produce(descs);
        Ok(offload.bytes)
    }

    /// Map every buffer of `p` and write its data descriptors from index
    /// `data`. On failure returns the end (exclusive) of the slots from
    /// `data` that may hold one of its mappings, for
    /// [`TxRing::unmap_range`]: all within the room `post` checked.
    fn map_buffers(
        &mut self,
        dev: &Device<Bound>,
        p: &Prepared,
        data: usize,
    ) -> core::result::Result<(), usize> {
        let mut i = data;
        // Data descriptors still allowed: what `Prepared::new` counted.
        let mut budget = p.descs - p.offload.extra_descs();
        for b in 0..=p.frags {
            let m = if b == 0 {
                p.skb.map_head(dev)
            } else {
                p.skb.map_frag(dev, b - 1)
            };
            let Ok(m) = m else {
                return Err(i);
            };
            let (mut addr, mut left) = (m.addr(), m.len());
            let start = i;
            // The mapping goes into its slot first, so that a failure below
            // undoes it with the others.
            match self.slots.get_mut(start) {
                Some(slot) => slot.map = Some(m),
                None => {
                    m.unmap(dev);
                    return Err(i);
                }
            }
            loop {
                let len = left.min(MAX_DATA_PER_TXD);
                left -= len;
                // The lengths are those `Prepared::new` counted; more
                // descriptors than counted would overrun the packet's room.
                if budget == 0 {
                    // Past the mapping's slot, whether or not one of its
                    // descriptors was written.
                    return Err(if i == start {
                        self.idx.add(start, 1)
                    } else {
                        i
                    });
                }
                budget -= 1;
                let d = AdvTxDesc::data_offload(
                    addr,
                    len,
                    left == 0 && b == p.frags,
                    (i == data).then_some(p.offload.paylen),
                    p.offload.cmd,
                    p.offload.popts,
                );
                if self.write_desc(i, d.to_qwords()).is_err() {
                    return Err(self.idx.add(i, 1));
                }
                i = self.idx.add(i, 1);
                addr += u64::from(len);
                if left == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Undo the mappings kept in the slots from `from` up to (not
    /// including) `to`: a packet that could not be posted whole.
    fn unmap_range(&mut self, dev: &Device<Bound>, from: usize, to: usize) {
        let n = self.idx.distance(from, to);
        for k in 0..n {
            let i = self.idx.add(from, k);
            if let Some(m) = self.slots.get_mut(i).and_then(|s| s.map.take()) {
                m.unmap(dev);
            }
        }
    }

    /// Write descriptor `i`.
    fn write_desc(&self, i: usize, [w0, w1]: [u64; 2]) -> Result {
        io_write!(self.desc, [try: i][build: 0], w0);
        io_write!(self.desc, [try: i][build: 1], w1);
        Ok(())
    }

    /// Clean completed packets: unmap them and move their skbs into
    /// `done` until it is full or the hardware has no more completions
    /// (then `complete` is set). The caller frees the skbs after unlocking.
    pub(crate) fn clean<const N: usize>(
        &mut self,
        dev: &Device<Bound>,
        done: &mut SkbBatch<N>,
    ) -> Cleaned {
        let mut c = Cleaned::default();
        while !done.is_full() {
            let ntc = self.idx.next_to_clean();
            let Some(last) = self
                .slots
                .get(ntc)
                .and_then(|s| s.skb.as_ref().map(|_| s.last))
            else {
                c.complete = true;
                break;
            };
            let Ok(status) = (|| -> Result<u32> {
                Ok((io_read!(self.desc, [try: last][build: 1]) >> 32) as u32)
            })() else {
                c.complete = true;
                break;
            };
            if !desc::tx_done(status) {
                c.complete = true;
                break;
            }
            // Read nothing else of the descriptors before DD was seen.
            dma_mb(Read);
            let n = self.idx.distance(ntc, last) + 1;
            for k in 0..n {
                let i = self.idx.add(ntc, k);
                if let Some(slot) = self.slots.get_mut(i) {
                    if let Some(m) = slot.map.take() {
                        m.unmap(dev);
                    }
                    if let Some(skb) = slot.skb.take() {
                        c.packets += 1;
                        c.frames += slot.segs.max(1);
                        c.tso += u32::from(slot.segs > 1);
                        c.bytes += slot.bytes;
                        // Cannot fail: the loop runs only while not full.
                        if let Err(skb) = done.push(skb) {
                            skb.consume_any();
                        }
                    }
                }
            }
            self.idx.consume(n);
        }
        c
    }

    /// Unmap and free every packet still in the ring (the hardware is
    /// stopped), and reset the indices.
    pub(crate) fn drain(&mut self, dev: &Device<Bound>) {
        for slot in self.slots.iter_mut() {
            if let Some(m) = slot.map.take() {
                m.unmap(dev);
            }
            if let Some(skb) = slot.skb.take() {
                skb.drop_with(DropReason::DevReady);
            }
        }
        self.idx.reset();
        self.announced = 0;
    }
}

#[kunit_tests(rust_igb_tx_ring)]
mod tests {
    use super::*;
    use crate::tuning::{MAX_DESCS, MIN_DESCS};

    #[test]
    fn doorbell() {
        let mut asked = false;
        // The last frame of a batch: ring, without asking whether the queue
        // is stopped.
        assert!(doorbell_now(true, true, false, || {
            asked = true;
            false
        }));
        assert!(!asked);
        // Deferred by `xmit_more`, queue running: not yet.
        assert!(!doorbell_now(true, false, false, || false));
        // Queue stopped: now.
        assert!(doorbell_now(true, false, false, || true));
        // This call's frame was dropped (mapping error, no room) after
        // earlier calls deferred theirs: ring for those.
        assert!(doorbell_now(true, false, true, || false));
        // Nothing posted since the last tail write: nothing to ring.
        assert!(!doorbell_now(false, false, true, || true));
        assert!(!doorbell_now(false, true, false, || true));
    }

    /// For the default 17 fragments and the largest 45, on every ring size
    /// `ethtool -G` accepts: the queue stops with room for a worst-case
    /// packet left, and a drained ring always reaches the wake threshold.
    #[test]
    fn thresholds_fit_every_ring() {
        for frags in [17usize, 45] {
            let needed = 1 + frags + 3;
            let mut count = MIN_DESCS as usize;
            while count <= MAX_DESCS as usize {
                let wake = wake_threshold_for(needed, count);
                // A worst-case packet fits; the wake threshold is at least the
                // stop threshold and reachable by a drained ring.
                assert!(needed < count);
                assert!(wake >= needed);
                assert!(wake < count);
                count += 8;
            }
        }
        assert_eq!(wake_threshold_for(21, 256), 42);
        assert_eq!(wake_threshold_for(49, 64), 63);
        assert_eq!(MAX_BUFFERS, 1 + MAX_SKB_FRAGS);
    }
}
