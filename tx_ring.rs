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

/// A packet padded, offload-planned and mapped for the device, ready to post
/// (built before taking the ring lock).
pub(crate) struct Prepared {
    skb: SkBuff,
    maps: [Option<TxMapping>; MAX_BUFFERS],
    buffers: usize,
    /// Context descriptor and descriptor bits of the offloads.
    offload: TxOffload,
    /// Descriptors the packet takes (context + data).
    descs: usize,
}

impl Prepared {
    /// Pad `skb`, plan its offloads (preparing the headers for TSO, or
    /// checksumming in software what the hardware cannot) and map all its
    /// buffers for `dev`. On failure the skb is dropped with a reason (or was
    /// freed by the padding) and `None` returned.
    pub(crate) fn new(dev: &Device<Bound>, mut skb: SkBuff) -> Option<Self> {
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
        let buffers = 1 + skb.nr_frags() as usize;
        if buffers > MAX_BUFFERS {
            skb.drop_with(DropReason::DevHdr);
            return None;
        }
        let offload = match plan_offload(&mut skb) {
            Ok(o) => o,
            Err(_) => {
                skb.drop_with(DropReason::DevHdr);
                return None;
            }
        };
        let mut p = Self {
            skb,
            maps: [const { None }; MAX_BUFFERS],
            buffers,
            offload,
            descs: offload.extra_descs(),
        };
        for i in 0..buffers {
            let m = if i == 0 {
                p.skb.map_head(dev)
            } else {
                p.skb.map_frag(dev, (i - 1) as u32)
            };
            match m {
                Ok(m) => {
                    p.descs += data_descs(m.len());
                    p.maps[i] = Some(m);
                }
                Err(_) => {
                    p.release(dev, DropReason::DevHdr);
                    return None;
                }
            }
        }
        Some(p)
    }

    /// Unmap and drop the packet with `reason`.
    pub(crate) fn release(mut self, dev: &Device<Bound>, reason: DropReason) {
        for m in self.maps.iter_mut().filter_map(Option::take) {
            m.unmap(dev);
        }
        self.skb.drop_with(reason);
    }
}

/// Plans the offloads of `skb` as `igb_tso()`/`igb_tx_csum()` decide them: TSO
/// for a TCP GSO packet (its headers are edited for the hardware), a hardware
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

    /// Fill the descriptors of the prepared packet in `slot` and keep it
    /// until its completion; returns its bytes on the wire (for BQL). Without
    /// room for it, it is left in `slot` (the caller releases it after
    /// unlocking).
    pub(crate) fn post(&mut self, slot: &mut Option<Prepared>) -> Option<u32> {
        let p = slot.as_ref()?;
        let descs = p.descs;
        if descs == 0 || self.unused() < descs || self.write_descs(p).is_err() {
            return None;
        }
        let Prepared {
            skb,
            mut maps,
            buffers,
            offload,
            ..
        } = slot.take()?;
        let first = self.idx.next_to_use();
        let last = self.idx.add(first, descs - 1);
        let mut i = self.idx.add(first, offload.extra_descs());
        for m in maps.iter_mut().take(buffers) {
            let n = m.as_ref().map_or(1, |m| data_descs(m.len()));
            if let Some(slot) = self.slots.get_mut(i) {
                slot.map = m.take();
            }
            i = self.idx.add(i, n);
        }
        if let Some(slot) = self.slots.get_mut(first) {
            slot.skb = Some(skb);
            slot.last = last;
            slot.bytes = offload.bytes;
            slot.segs = offload.segs;
        }
        self.idx.produce(descs);
        Some(offload.bytes)
    }

    /// Write the descriptors of one packet at `next_to_use`: the context
    /// descriptor if any, then the data descriptors, splitting buffers longer
    /// than [`MAX_DATA_PER_TXD`] (`igb_tx_map()`).
    fn write_descs(&self, p: &Prepared) -> Result {
        let mut i = self.idx.next_to_use();
        if let Some(ctx) = p.offload.context {
            let [w0, w1] = ctx.to_qwords();
            io_write!(self.desc, [try: i][build: 0], w0);
            io_write!(self.desc, [try: i][build: 1], w1);
            i = self.idx.add(i, 1);
        }
        let maps = p.maps.get(..p.buffers).ok_or(EINVAL)?;
        let mut first = true;
        for (k, m) in maps.iter().enumerate() {
            let m = m.as_ref().ok_or(EINVAL)?;
            let mut addr = m.addr();
            let mut left = m.len();
            loop {
                let len = left.min(MAX_DATA_PER_TXD);
                left -= len;
                let eop = left == 0 && k + 1 == maps.len();
                let d = AdvTxDesc::data_offload(
                    addr,
                    len,
                    eop,
                    first.then_some(p.offload.paylen),
                    p.offload.cmd,
                    p.offload.popts,
                );
                let [w0, w1] = d.to_qwords();
                io_write!(self.desc, [try: i][build: 0], w0);
                io_write!(self.desc, [try: i][build: 1], w1);
                i = self.idx.add(i, 1);
                first = false;
                addr += u64::from(len);
                if left == 0 {
                    break;
                }
            }
        }
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
