// SPDX-License-Identifier: GPL-2.0

//! Transmit and receive unit and queue programming for the 82576.
//!
//! Follows `igb_setup_tctl()`, `igb_configure_tx_ring()`, `igb_setup_rctl()`,
//! `igb_configure_rx_ring()`, `igb_setup_srrctl()`, `igb_set_vmolr()`, the RLPML part of
//! `igb_set_rx_mode()` and the quiescing part of `igb_down()` (`igb_main.c`), at the 82576 values
//! of the thresholds in `igb.h`.
//!
//! # Order
//!
//! `igb_configure()` runs [`setup_tctl`] (TCTL.EN set), `igb_setup_mrqc()`, [`setup_rctl`]
//! (the C driver sets RCTL.EN there, *before* the rings: it first zeroes RXDCTL(0), which the
//! 82576 and QEMU enable at reset, so nothing is fetched from an unprogrammed ring), then
//! [`configure_tx_ring`] and [`configure_rx_ring`] per queue (each ends with the queue's ENABLE
//! bit), then fills the Rx rings and writes RDT. Here [`setup_rctl`] leaves RCTL.EN clear and
//! [`rx_enable`] sets it once the rings are programmed and RDT written; both orders are safe,
//! because a queue only receives with RXDCTL.ENABLE set and a non-empty ring.
//!
//! # Context
//!
//! Functions documented "may sleep" poll with `read_poll_timeout()` or sleep; call them from
//! process context without spinlocks held (e.g. `ndo_open`/`ndo_stop`). All others are single
//! register accesses or read-modify-writes, callable from any context (hard IRQ, NAPI,
//! `start_xmit`).
//!
//! # QEMU (`hw/net/igb_core.c`)
//!
//! - RXDCTL/TXDCTL are plain storage (`igb_mac_writereg`): ENABLE reads back at once and the
//!   write starts nothing. Reset values: TXDCTL(0) = ENABLE, RXDCTL(0) = ENABLE | WTHRESH 1,
//!   RXDCTL(n) = WTHRESH 1 (`igb_mac_reg_init[]`). The thresholds are ignored.
//! - A queue transmits only on a TDT write (`igb_set_tdt()` → `igb_start_xmit()`), and only if
//!   TCTL.EN and TXDCTL.ENABLE are set; all descriptors up to TDT are processed synchronously.
//!   Setting TCTL.EN or TXDCTL.ENABLE later does not kick a queue: write TDT again.
//! - Reception needs RCTL.EN, link up and bus mastering (`e1000x_rx_ready()`), RXDCTL.ENABLE
//!   and RDH != RDT (`igb_ring_empty()`; a TDT/RDT beyond RDLEN also reads as empty). RDT and
//!   RCTL.EN writes flush the packets QEMU queued meanwhile (`igb_start_recv()`).
//! - The buffer size is SRRCTL.BSIZEPACKET (RCTL.BSIZE if 0); a frame larger than one buffer
//!   spans several descriptors. QEMU also emulates the header-split DESCTYPEs; only one-buffer
//!   descriptors are used here.
//! - RCTL.LPE: frames with `len + 4 > RLPML` (`igb_rx_is_oversized()`) are dropped; RLPML
//!   resets to 0x2600. VMOLR only matters with VMDq (MRQC bit 0).
//! - SRRCTL.RDMTS: RXDMT0 is raised when exactly `RDMTS * 16` descriptors are left; Drop_En is
//!   not emulated (a frame that does not fit raises ICR.RXO and is dropped anyway).

#![allow(dead_code)] // Part of the datapath API ahead of its users (multi-queue, offloads, ITR).

use kernel::{
    io::{
        poll::read_poll_timeout,
        register::Array,
        Io, //
    },
    num::Bounded,
    prelude::*,
    time::{
        delay::fsleep,
        Delta, //
    },
};

use crate::{
    ctl_regs::CtlOwner,
    regs::{
        self,
        Bar0,
        NUM_QUEUES, //
    },
};

/// Size of one advanced descriptor (`sizeof(union e1000_adv_tx_desc)`).
pub(crate) const DESC_LEN: u32 = 16;
/// Fewest descriptors a ring may have here: RDLEN/TDLEN must be a multiple of 128 bytes.
pub(crate) const MIN_DESCS: u32 = 8;
/// Most descriptors per ring (`IGB_MAX_TXD`, `IGB_MAX_RXD`).
pub(crate) const MAX_DESCS: u32 = 4096;
/// Ring sizes must be a multiple of this (`REQ_TX_DESCRIPTOR_MULTIPLE`,
/// `REQ_RX_DESCRIPTOR_MULTIPLE`): 128 bytes.
pub(crate) const DESC_MULTIPLE: u32 = 8;
/// Required alignment of a ring's bus address (RDBAL/TDBAL low 7 bits are reserved).
pub(crate) const RING_ALIGN: u64 = 128;

/// `IGB_TX_PTHRESH` on the 82576.
pub(crate) const TX_PTHRESH: u32 = 8;
/// `IGB_TX_HTHRESH`.
pub(crate) const TX_HTHRESH: u32 = 1;
/// `IGB_TX_WTHRESH` on the 82576 with MSI-X. The C driver uses 16 without MSI-X; 1 (write back
/// every RS descriptor at once) is correct in every mode and is what QEMU does anyway.
pub(crate) const TX_WTHRESH: u32 = 1;
/// `IGB_RX_PTHRESH` on the 82576.
pub(crate) const RX_PTHRESH: u32 = 8;
/// `IGB_RX_HTHRESH`.
pub(crate) const RX_HTHRESH: u32 = 8;
/// `IGB_RX_WTHRESH` on the 82576 with MSI-X (4 without MSI-X in the C driver; see
/// [`TX_WTHRESH`]).
pub(crate) const RX_WTHRESH: u32 = 1;

/// `IGB_RX_HDR_LEN`, programmed in SRRCTL.BSIZEHEADER (unused with one-buffer descriptors).
pub(crate) const RX_HDR_LEN: u32 = 256;
/// SRRCTL.BSIZEPACKET unit (`E1000_SRRCTL_BSIZEPKT_SHIFT`): 1 KB.
const SRRCTL_BSIZEPKT_SHIFT: u32 = 10;
/// SRRCTL.BSIZEHEADER unit: 64 bytes (`IGB_RX_HDR_LEN << E1000_SRRCTL_BSIZEHDRSIZE_SHIFT`
/// places `len / 64` in bits 11:8).
const SRRCTL_BSIZEHDR_UNIT: u32 = 64;
/// Largest SRRCTL.BSIZEPACKET (7 bits, in KB).
const SRRCTL_BSIZEPKT_MAX: u32 = 0x7f;
/// `E1000_SRRCTL_DESCTYPE_ADV_ONEBUF` (DESCTYPE field value 001b).
const SRRCTL_DESCTYPE_ADV_ONEBUF: u32 = 1;

/// `E1000_COLLISION_THRESHOLD`: TCTL.CT.
const COLLISION_THRESHOLD: u8 = 15;
/// `E1000_COLLISION_DISTANCE`: TCTL.COLD.
const COLLISION_DISTANCE: u32 = 63;
/// `MAX_JUMBO_FRAME_SIZE`: RLPML for frames above `IGB_MAX_FRAME_BUILD_SKB` (and QEMU's reset
/// value of RLPML).
pub(crate) const MAX_JUMBO_FRAME_SIZE: u32 = 0x2600;
/// `IGB_MAX_FRAME_BUILD_SKB` on x86 (`IGB_RXBUFFER_1536 - NET_IP_ALIGN`, NET_IP_ALIGN 0): the
/// RLPML `igb_set_rx_mode()` programs for standard frames.
pub(crate) const MAX_FRAME_BUILD_SKB: u32 = 1536;
/// RLPML (and VMOLR.RLPML) is 14 bits wide.
const RLPML_MAX: u32 = 0x3fff;

/// Poll interval for a queue's ENABLE bit to reach the requested state.
const QUEUE_POLL_STEP: Delta = Delta::from_micros(100);
/// How long a queue may take to report ENABLE set or clear. The C driver sleeps 10-20 ms after
/// disabling Tx queues (`igb_configure_tx()`) and waits 10 ms for Rx queues
/// (`igb_rx_fifo_flush_82575()`).
const QUEUE_POLL_TIMEOUT: Delta = Delta::from_millis(10);
/// The settle time `igb_down()` gives Rx and Tx after clearing RCTL.EN and TCTL.EN
/// (`usleep_range(10000, 11000)`).
const QUIESCE_DELAY: Delta = Delta::from_millis(10);

/// Flushes posted writes by reading STATUS (`wrfl()`).
fn flush(bar: &Bar0<'_>) {
    let _ = bar.read(regs::STATUS);
}

/// Returns the register value of `raw` or `ENODEV` if the device reads as all ones (surprise
/// removal, as `igb_rd32()` detects it).
fn present(raw: u32) -> Result {
    if raw == u32::MAX {
        Err(ENODEV)
    } else {
        Ok(())
    }
}

/// Checks a ring's bus address and descriptor count and returns its length in bytes for
/// RDLEN/TDLEN.
///
/// # Errors
///
/// `EINVAL` if `dma` is not [`RING_ALIGN`]-aligned, or `count` is not a multiple of
/// [`DESC_MULTIPLE`] between [`MIN_DESCS`] and [`MAX_DESCS`].
pub(crate) fn ring_bytes(dma: u64, count: u32) -> Result<u32> {
    if dma % RING_ALIGN != 0
        || !(MIN_DESCS..=MAX_DESCS).contains(&count)
        || count % DESC_MULTIPLE != 0
    {
        return Err(EINVAL);
    }
    Ok(count * DESC_LEN)
}

// Transmit.

/// Returns TCTL as `igb_setup_tctl()` programs it from `tctl`: CT = 15, PSP, RTLC and EN set,
/// and COLD = 63 (`igb_config_collision_dist()`), other bits kept.
///
/// The C function writes COLD through `igb_config_collision_dist()` and then overwrites TCTL
/// with the value it read before, so on the 82576 COLD keeps its previous value until
/// `igb_check_for_copper_link()` sets it again at link-up ([`crate::mac::config_after_link_up`]);
/// the intended value is written here directly.
pub(crate) fn tctl_value(tctl: regs::TCTL) -> regs::TCTL {
    tctl.with_ct(COLLISION_THRESHOLD)
        .with_psp(true)
        .with_rtlc(true)
        .with_const_cold::<COLLISION_DISTANCE>()
        .with_en(true)
}

/// Programs the transmit unit (`igb_setup_tctl()`): disables Tx queue 0, which the 82576 (and
/// QEMU) enable at reset, and writes TCTL with EN set. Follow with [`configure_tx_ring`] for
/// every queue in use. Non-sleeping.
pub(crate) fn setup_tctl(bar: &Bar0<'_>, ctl: &impl CtlOwner) {
    bar.write(regs::TXDCTL::at(0), regs::TXDCTL::zeroed());
    ctl.with(|c| c.update_tctl(bar, tctl_value));
    flush(bar);
}

/// Returns TXDCTL for an enabled queue (`igb_configure_tx_ring()`): PTHRESH 8, HTHRESH 1,
/// WTHRESH 1, ENABLE.
pub(crate) fn txdctl_value() -> regs::TXDCTL {
    regs::TXDCTL::zeroed()
        .with_const_pthresh::<TX_PTHRESH>()
        .with_const_hthresh::<TX_HTHRESH>()
        .with_const_wthresh::<TX_WTHRESH>()
        .with_enable(true)
}

/// Waits until TXDCTL(`queue`).ENABLE reads `enabled`.
fn poll_tx_enable(bar: &Bar0<'_>, queue: usize, enabled: bool) -> Result {
    let loc = || regs::TXDCTL::try_at(queue).ok_or(EINVAL);
    let r = read_poll_timeout(
        || bar.try_read(loc()?),
        |r: &regs::TXDCTL| r.enable() == enabled || r.into_raw() == u32::MAX,
        QUEUE_POLL_STEP,
        QUEUE_POLL_TIMEOUT,
    )?;
    present(r.into_raw())
}

/// Programs Tx queue `queue` for a ring of `count` descriptors at bus address `dma`
/// (`igb_configure_tx_ring()`): disables the queue and waits for it to stop, writes
/// TDLEN/TDBAL/TDBAH, zeroes TDH and TDT, then enables the queue with the [`txdctl_value`]
/// thresholds and waits (at most 10 ms) until ENABLE reads back set, as the datasheet asks
/// (the C driver does not wait; QEMU sets it at once).
///
/// The ring must be zeroed (no stale DD bits) and its software indices reset. Transmission
/// starts with the first [`write_tx_tail`]. May sleep.
///
/// # Errors
///
/// `EINVAL` for a bad queue, address or count (see [`ring_bytes`]); `ETIMEDOUT` if ENABLE does
/// not reach the requested state; `ENODEV` if the device reads as all ones.
pub(crate) fn configure_tx_ring(bar: &Bar0<'_>, queue: usize, dma: u64, count: u32) -> Result {
    let bytes = ring_bytes(dma, count)?;

    disable_tx_ring(bar, queue)?;

    bar.try_write(
        regs::TDLEN::try_at(queue).ok_or(EINVAL)?,
        regs::TDLEN::zeroed().try_with_len(bytes)?,
    )?;
    bar.try_write(
        regs::TDBAL::try_at(queue).ok_or(EINVAL)?,
        regs::TDBAL::from_raw(dma as u32),
    )?;
    bar.try_write(
        regs::TDBAH::try_at(queue).ok_or(EINVAL)?,
        regs::TDBAH::from_raw((dma >> 32) as u32),
    )?;
    bar.try_write(regs::TDH::try_at(queue).ok_or(EINVAL)?, regs::TDH::zeroed())?;
    bar.try_write(regs::TDT::try_at(queue).ok_or(EINVAL)?, regs::TDT::zeroed())?;

    bar.try_write(regs::TXDCTL::try_at(queue).ok_or(EINVAL)?, txdctl_value())?;
    poll_tx_enable(bar, queue, true)
}

/// Disables Tx queue `queue` (TXDCTL = 0) and waits, at most 10 ms, for ENABLE to read clear:
/// the queue finishes the packet in flight and fetches no more descriptors. May sleep.
///
/// # Errors
///
/// `EINVAL` for a bad queue, `ETIMEDOUT` if the queue does not stop, `ENODEV` if the device
/// reads as all ones.
pub(crate) fn disable_tx_ring(bar: &Bar0<'_>, queue: usize) -> Result {
    bar.try_write(
        regs::TXDCTL::try_at(queue).ok_or(EINVAL)?,
        regs::TXDCTL::zeroed(),
    )?;
    flush(bar);
    poll_tx_enable(bar, queue, false)
}

/// Writes TDT of `queue`: hands the hardware every descriptor before index `tail` (which must
/// be below the ring's count). Issue a DMA write barrier after the descriptor writes first (the
/// C driver's `dma_wmb()`). On QEMU the descriptors are processed during this write.
/// Non-sleeping; a `queue` of [`NUM_QUEUES`] or more is ignored.
pub(crate) fn write_tx_tail(bar: &Bar0<'_>, queue: usize, tail: u32) {
    if let Some(loc) = regs::TDT::try_at(queue) {
        let _ = bar.try_write(loc, regs::TDT::zeroed().with_tdt(tail as u16));
    }
}

/// Returns TDH of `queue`, the next descriptor the hardware will fetch (for Tx hang detection
/// and its report, as `igb_clean_tx_irq()` prints it). Non-sleeping; 0 for a `queue` of
/// [`NUM_QUEUES`] or more, 0xffff if the device is gone.
pub(crate) fn read_tx_head(bar: &Bar0<'_>, queue: usize) -> u32 {
    regs::TDH::try_at(queue)
        .and_then(|loc| bar.try_read(loc).ok())
        .map_or(0, |r: regs::TDH| u32::from(r.tdh()))
}

/// Returns TDT of `queue` (for the Tx hang report). Non-sleeping; 0 for a `queue` of
/// [`NUM_QUEUES`] or more.
pub(crate) fn read_tx_tail(bar: &Bar0<'_>, queue: usize) -> u32 {
    regs::TDT::try_at(queue)
        .and_then(|loc| bar.try_read(loc).ok())
        .map_or(0, |r: regs::TDT| u32::from(r.tdt()))
}

// Receive.

/// Returns RCTL as `igb_setup_rctl()` programs it from `rctl`, except for EN, which is left
/// clear (see [`rx_enable`]): MO = 0 (`mc_filter_type`), no loopback, BAM, RDMTS half (0, as
/// the C driver leaves it), SECRC (strip the CRC), SBP and BSIZE cleared, LPE set. UPE, MPE and
/// VFE (set by the Rx mode code) are kept.
pub(crate) fn rctl_value(rctl: regs::RCTL) -> regs::RCTL {
    rctl.with_const_mo::<0>()
        .with_const_lbm::<0>()
        .with_bam(true)
        .with_secrc(true)
        .with_sbp(false)
        .with_const_bsize::<0>()
        .with_lpe(true)
        .with_en(false)
}

/// Programs the receive unit (`igb_setup_rctl()`), receiver still disabled: disables Rx queue
/// 0, which the 82576 and QEMU enable at reset ("to prevent tail write w/o re-config"), writes
/// [`rctl_value`], and sets RFCTL.IPV6_EX_DIS as `igb_rx_fifo_flush_82575()` does on every MAC
/// (an erratum workaround; the rest of that function is 82575-only). Follow with
/// [`configure_rx_ring`] per queue, [`set_max_frame`], the ring fill and RDT, then
/// [`rx_enable`]. Non-sleeping.
pub(crate) fn setup_rctl(bar: &Bar0<'_>, ctl: &impl CtlOwner) {
    bar.write(regs::RXDCTL::at(0), regs::RXDCTL::zeroed());
    ctl.with(|c| c.update_rctl(bar, rctl_value));
    bar.update(regs::RFCTL, |r| r.with_ipv6_ex_dis(true));
    flush(bar);
}

/// Sets RCTL.UPE (unicast promiscuous) and RCTL.MPE (multicast promiscuous).
/// Non-sleeping.
pub(crate) fn set_promisc(bar: &Bar0<'_>, ctl: &impl CtlOwner, unicast: bool, multicast: bool) {
    ctl.with(|c| c.update_rctl(bar, |r| r.with_upe(unicast).with_mpe(multicast)));
}

/// Sets or clears RCTL.EN. Enable once the Rx rings are configured and filled; disabling stops
/// reception into the FIFO (see [`disable_all`] for a full quiesce). Non-sleeping.
pub(crate) fn rx_enable(bar: &Bar0<'_>, ctl: &impl CtlOwner, on: bool) {
    ctl.with(|c| c.update_rctl(bar, |r| r.with_en(on)));
    flush(bar);
}

/// Returns SRRCTL for a one-buffer advanced-descriptor queue with `buf_len`-byte buffers
/// (`igb_setup_srrctl()`): BSIZEHEADER = `IGB_RX_HDR_LEN` (256), BSIZEPACKET = `buf_len / 1024`,
/// DESCTYPE = advanced one buffer, Drop_En = `drop_en`. No TIMESTAMP (82580 and later only).
///
/// The C driver sets Drop_En only with VFs, or with more than one Rx queue and Rx flow control
/// off (a full queue then drops instead of blocking the others).
///
/// # Errors
///
/// `EINVAL` unless `buf_len` is a multiple of 1024 between 1 KB and 127 KB.
pub(crate) fn srrctl_value(buf_len: u32, drop_en: bool) -> Result<regs::SRRCTL> {
    let kb = buf_len >> SRRCTL_BSIZEPKT_SHIFT;
    if buf_len % (1 << SRRCTL_BSIZEPKT_SHIFT) != 0 || !(1..=SRRCTL_BSIZEPKT_MAX).contains(&kb) {
        return Err(EINVAL);
    }
    Ok(regs::SRRCTL::zeroed()
        .with_const_bsizeheader::<{ RX_HDR_LEN / SRRCTL_BSIZEHDR_UNIT }>()
        .try_with_bsizepacket(kb)?
        .with_const_desctype::<SRRCTL_DESCTYPE_ADV_ONEBUF>()
        .with_drop_en(drop_en))
}

/// Returns RXDCTL for an enabled queue (`igb_configure_rx_ring()`): PTHRESH 8, HTHRESH 8,
/// WTHRESH 1, ENABLE.
pub(crate) fn rxdctl_value() -> regs::RXDCTL {
    regs::RXDCTL::zeroed()
        .with_const_pthresh::<RX_PTHRESH>()
        .with_const_hthresh::<RX_HTHRESH>()
        .with_const_wthresh::<RX_WTHRESH>()
        .with_enable(true)
}

/// Waits until RXDCTL(`queue`).ENABLE reads `enabled`.
fn poll_rx_enable(bar: &Bar0<'_>, queue: usize, enabled: bool) -> Result {
    let loc = || regs::RXDCTL::try_at(queue).ok_or(EINVAL);
    let r = read_poll_timeout(
        || bar.try_read(loc()?),
        |r: &regs::RXDCTL| r.enable() == enabled || r.into_raw() == u32::MAX,
        QUEUE_POLL_STEP,
        QUEUE_POLL_TIMEOUT,
    )?;
    present(r.into_raw())
}

/// Programs Rx queue `queue` for a ring of `count` one-buffer descriptors at bus address `dma`,
/// each buffer `buf_len` bytes (`igb_configure_rx_ring()`): disables the queue and waits for it
/// to stop, writes RDBAL/RDBAH/RDLEN, zeroes RDH and RDT, writes SRRCTL ([`srrctl_value`],
/// Drop_En clear: one queue), sets VMOLR(`queue & 7`).AUPE/BAM and clears RSSE
/// (`igb_set_vmolr()`), then enables the queue with the [`rxdctl_value`] thresholds and waits
/// (at most 10 ms) for ENABLE to read back set (QEMU: at once).
///
/// Every descriptor must be armed (buffer address, DD clear) before the driver hands them over
/// with [`write_rx_tail`]; nothing is received before that, nor before [`rx_enable`]. With one
/// buffer per frame, keep RLPML ([`set_max_frame`]) at or below `buf_len`. May sleep.
///
/// # Errors
///
/// `EINVAL` for a bad queue, address, count (see [`ring_bytes`]) or buffer length (see
/// [`srrctl_value`]); `ETIMEDOUT` if ENABLE does not reach the requested state; `ENODEV` if the
/// device reads as all ones.
pub(crate) fn configure_rx_ring(
    bar: &Bar0<'_>,
    ctl: &impl CtlOwner,
    queue: usize,
    dma: u64,
    count: u32,
    buf_len: u32,
) -> Result {
    let bytes = ring_bytes(dma, count)?;
    let srrctl = srrctl_value(buf_len, false)?;

    disable_rx_ring(bar, queue)?;

    bar.try_write(
        regs::RDBAL::try_at(queue).ok_or(EINVAL)?,
        regs::RDBAL::from_raw(dma as u32),
    )?;
    bar.try_write(
        regs::RDBAH::try_at(queue).ok_or(EINVAL)?,
        regs::RDBAH::from_raw((dma >> 32) as u32),
    )?;
    bar.try_write(
        regs::RDLEN::try_at(queue).ok_or(EINVAL)?,
        regs::RDLEN::zeroed().try_with_len(bytes)?,
    )?;
    bar.try_write(regs::RDH::try_at(queue).ok_or(EINVAL)?, regs::RDH::zeroed())?;
    bar.try_write(regs::RDT::try_at(queue).ok_or(EINVAL)?, regs::RDT::zeroed())?;
    bar.try_write(regs::SRRCTL::try_at(queue).ok_or(EINVAL)?, srrctl)?;
    ctl.with(|c| {
        c.update_vmolr(bar, queue & 7, |r| {
            r.with_aupe(true).with_bam(true).with_rsse(false)
        })
    })?;

    bar.try_write(regs::RXDCTL::try_at(queue).ok_or(EINVAL)?, rxdctl_value())?;
    poll_rx_enable(bar, queue, true)
}

/// Sets or clears SRRCTL(`queue`).Drop_En (see [`srrctl_value`] for when the C driver sets it).
/// Non-sleeping.
///
/// # Errors
///
/// `EINVAL` for a `queue` of [`NUM_QUEUES`] or more.
pub(crate) fn set_rx_drop_enable(bar: &Bar0<'_>, queue: usize, on: bool) -> Result {
    bar.try_update(
        regs::SRRCTL::try_at(queue).ok_or(EINVAL)?,
        |r: regs::SRRCTL| r.with_drop_en(on),
    )
}

/// Disables Rx queue `queue` (RXDCTL = 0) and waits, at most 10 ms, for ENABLE to read clear:
/// the queue writes back what it holds and fetches no more descriptors. May sleep.
///
/// # Errors
///
/// `EINVAL` for a bad queue, `ETIMEDOUT` if the queue does not stop, `ENODEV` if the device
/// reads as all ones.
pub(crate) fn disable_rx_ring(bar: &Bar0<'_>, queue: usize) -> Result {
    bar.try_write(
        regs::RXDCTL::try_at(queue).ok_or(EINVAL)?,
        regs::RXDCTL::zeroed(),
    )?;
    flush(bar);
    poll_rx_enable(bar, queue, false)
}

/// Writes RDT of `queue`: hands the hardware every descriptor before index `tail` (below the
/// ring's count). Keep one descriptor back (RDT one behind the next descriptor to clean): the
/// hardware, and QEMU's `igb_ring_empty()`, take RDH == RDT as empty. Issue a DMA write barrier
/// after arming the descriptors first. Non-sleeping; a `queue` of [`NUM_QUEUES`] or more is
/// ignored.
pub(crate) fn write_rx_tail(bar: &Bar0<'_>, queue: usize, tail: u32) {
    if let Some(loc) = regs::RDT::try_at(queue) {
        let _ = bar.try_write(loc, regs::RDT::zeroed().with_rdt(tail as u16));
    }
}

/// Returns RDH of `queue`, the next descriptor the hardware will fill (for diagnostics).
/// Non-sleeping; 0 for a `queue` of [`NUM_QUEUES`] or more.
pub(crate) fn read_rx_head(bar: &Bar0<'_>, queue: usize) -> u32 {
    regs::RDH::try_at(queue)
        .and_then(|loc| bar.try_read(loc).ok())
        .map_or(0, |r: regs::RDH| u32::from(r.rdh()))
}

/// Sets the longest frame accepted with RCTL.LPE (RLPML), including the FCS, and the same limit
/// in VMOLR(0) (RLPML and LPE), as `igb_set_rx_mode()` does on the 82576 for the PF pool.
///
/// The C driver programs `IGB_MAX_FRAME_BUILD_SKB` ([`MAX_FRAME_BUILD_SKB`], 1536) when the
/// maximum frame (MTU + 14 + 4 + 4) fits it, else [`MAX_JUMBO_FRAME_SIZE`]; longer frames are
/// dropped and counted in ROC. A ring that does not chain buffers should pass at most its
/// buffer length, e.g. `max_frame.max(1536).min(buf_len)`. Non-sleeping.
///
/// # Errors
///
/// `EINVAL` unless `max_frame_size` is between 64 and 16383 (14 bits).
pub(crate) fn set_max_frame(bar: &Bar0<'_>, ctl: &impl CtlOwner, max_frame_size: u32) -> Result {
    if !(64..=RLPML_MAX).contains(&max_frame_size) {
        return Err(EINVAL);
    }
    let rlpml = Bounded::<u32, 14>::try_new(max_frame_size).ok_or(EINVAL)?;
    bar.write_reg(regs::RLPML::zeroed().with_rlpml(rlpml));
    ctl.with(|c| c.update_vmolr0(bar, |r| r.with_rlpml(rlpml).with_lpe(true)));
    Ok(())
}

/// Stops all DMA of the Rx and Tx units before their memory is freed, as `igb_down()` does:
/// clears RCTL.EN and TCTL.EN, flushes and sleeps 10 ms (`usleep_range(10000, 11000)`), then
/// disables every enabled Rx and Tx queue and waits for each to report stopped (at most 10 ms
/// each; the C driver relies on the MAC reset that follows in `igb_reset()` instead).
///
/// Interrupts are not touched: mask them with [`crate::intr::disable_all_irqs`], then
/// synchronize the IRQs and disable NAPI before freeing buffers. If this fails, reset the MAC
/// ([`crate::mac::reset`]) before freeing anything the hardware may still access. Ring
/// registers (base, length, head, tail) are left as they are. May sleep (10 ms or more).
///
/// # Errors
///
/// `ETIMEDOUT` if a queue did not report stopped (the others are still disabled), `ENODEV` if
/// the device reads as all ones.
pub(crate) fn disable_all(bar: &Bar0<'_>, ctl: &impl CtlOwner) -> Result {
    ctl.with(|c| c.update_rctl(bar, |r| r.with_en(false)));
    ctl.with(|c| c.update_tctl(bar, |r| r.with_en(false)));
    flush(bar);
    fsleep(QUIESCE_DELAY);

    let mut res = Ok(());
    for queue in 0..NUM_QUEUES {
        let tx: regs::TXDCTL = bar.try_read(regs::TXDCTL::try_at(queue).ok_or(EINVAL)?)?;
        present(tx.into_raw())?;
        if tx.enable() {
            if let Err(e) = disable_tx_ring(bar, queue) {
                if e == ENODEV {
                    return Err(e);
                }
                res = Err(e);
            }
        }
        let rx: regs::RXDCTL = bar.try_read(regs::RXDCTL::try_at(queue).ok_or(EINVAL)?)?;
        if rx.enable() {
            if let Err(e) = disable_rx_ring(bar, queue) {
                if e == ENODEV {
                    return Err(e);
                }
                res = Err(e);
            }
        }
    }
    res
}

#[kunit_tests(rust_igb_queue)]
mod tests {
    use super::*;

    #[test]
    fn tctl() {
        // QEMU's TCTL reset value: E1000_TCTL_PSP | 0xF << E1000_CT_SHIFT
        // | 0x40 << E1000_COLD_SHIFT | 1 << 26 | 0xA << 28 = 0xa40400f8.
        let reset = regs::TCTL::from_raw(0xa404_00f8);
        // igb_setup_tctl(): & ~E1000_TCTL_CT, | E1000_TCTL_PSP | E1000_TCTL_RTLC (0x01000000)
        // | E1000_COLLISION_THRESHOLD << E1000_CT_SHIFT (0xf0) | E1000_TCTL_EN (0x2), and COLD =
        // E1000_COLLISION_DISTANCE << E1000_COLD_SHIFT (63 << 12 = 0x3f000).
        assert_eq!(tctl_value(reset).into_raw(), 0xa503_f0fa);
        // From zero (82576 after `mac::reset`, which writes TCTL = PSP).
        assert_eq!(
            tctl_value(regs::TCTL::from_raw(0x8)).into_raw(),
            0x0103_f0fa
        );
    }

    #[test]
    fn queue_control() {
        // IGB_TX_PTHRESH | IGB_TX_HTHRESH << 8 | IGB_TX_WTHRESH << 16
        // | E1000_TXDCTL_QUEUE_ENABLE (0x02000000), 82576 with MSI-X: 8 | 1 << 8 | 1 << 16.
        assert_eq!(txdctl_value().into_raw(), 0x0201_0108);
        // IGB_RX_PTHRESH | IGB_RX_HTHRESH << 8 | IGB_RX_WTHRESH << 16
        // | E1000_RXDCTL_QUEUE_ENABLE: 8 | 8 << 8 | 1 << 16 | 0x02000000.
        assert_eq!(rxdctl_value().into_raw(), 0x0201_0808);
    }

    #[test]
    fn srrctl() -> Result {
        // igb_setup_srrctl(): IGB_RX_HDR_LEN << E1000_SRRCTL_BSIZEHDRSIZE_SHIFT (256 << 2 =
        // 0x400) | IGB_RXBUFFER_2048 >> E1000_SRRCTL_BSIZEPKT_SHIFT (2)
        // | E1000_SRRCTL_DESCTYPE_ADV_ONEBUF (0x02000000).
        assert_eq!(srrctl_value(2048, false)?.into_raw(), 0x0200_0402);
        // IGB_RXBUFFER_3072, with E1000_SRRCTL_DROP_EN (0x80000000).
        assert_eq!(srrctl_value(3072, true)?.into_raw(), 0x8200_0403);
        assert_eq!(srrctl_value(127 * 1024, false)?.bsizepacket().get(), 127);
        assert!(srrctl_value(1536, false).is_err());
        assert!(srrctl_value(0, false).is_err());
        assert!(srrctl_value(128 * 1024, false).is_err());
        Ok(())
    }

    #[test]
    fn rctl() {
        // igb_setup_rctl() from zero, without EN: E1000_RCTL_BAM (0x8000) | E1000_RCTL_SECRC
        // (0x04000000) | E1000_RCTL_LPE (0x20) | E1000_RCTL_RDMTS_HALF (0).
        assert_eq!(rctl_value(regs::RCTL::zeroed()).into_raw(), 0x0400_8020);
        // EN, SBP, loopback, MO and BSIZE (E1000_RCTL_SZ_256) cleared; UPE | MPE | VFE kept.
        let busy = regs::RCTL::from_raw(0x0007_30de);
        assert_eq!(rctl_value(busy).into_raw(), 0x0404_8038);
    }

    #[test]
    fn rings() -> Result {
        // `ring->count * sizeof(union e1000_adv_rx_desc)`.
        assert_eq!(ring_bytes(0x1_0000_0000, 256)?, 4096);
        assert_eq!(ring_bytes(0x80, 8)?, 128);
        assert_eq!(ring_bytes(0x1000, MAX_DESCS)?, 65536);
        assert!(ring_bytes(0x1040, 256).is_err());
        assert!(ring_bytes(0x1000, 100).is_err());
        assert!(ring_bytes(0x1000, 0).is_err());
        assert!(ring_bytes(0x1000, 8192).is_err());
        Ok(())
    }
}
