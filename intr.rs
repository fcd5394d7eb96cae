// SPDX-License-Identifier: GPL-2.0

//! Interrupt programming for the 82576: MSI-X vector allocation, the single-vector (MSI or
//! legacy INTx) set-up, enabling, masking, throttling and software-triggered interrupts.
//!
//! Follows `igb_configure_msix()`, `igb_assign_vector()`, `igb_write_ivar()`,
//! `igb_irq_enable()`, `igb_irq_disable()`, `igb_write_itr()`, `igb_msix_other()`,
//! `igb_intr_msi()`, `igb_intr()`, `igb_ring_irq_enable()` and the EICS/ICS kicks of
//! `igb_watchdog_task()` (`igb_main.c`). Every function here is non-sleeping (single register
//! accesses or read-modify-writes) and callable from any context, hard IRQ included; none takes
//! a lock, so callers serialise read-modify-writes of the same register (in practice: set-up in
//! `open`/`stop` under RTNL with the IRQs quiet, and per-vector EIMS writes, which are not
//! read-modify-writes).
//!
//! # The two modes
//!
//! - MSI-X ([`configure_msix`], [`enable_msix`]): vector 0 takes the "other" causes (ICR: link
//!   change, DMA out of sync, reset asserted), vector `v + 1` takes queue vector `v`: the Rx
//!   and/or Tx queues [`VectorMap`] gives it.
//!   GPIE.Multiple_MSIX | PBA | EIAME | NSICR. A vector's interrupt auto-clears its EICR bit
//!   (EIAC) and, on the 82576, auto-masks its EIMS bit (EIAM with GPIE.EIAME). The queue handler
//!   only schedules NAPI; the poll re-enables with [`enable_queue_vector`] (EIMS) when it
//!   completes. The other handler reads ICR ([`msix_other_cause`]; NSICR clears it) and
//!   re-enables with [`enable_queue_vector`]`(masks.other)`.
//! - MSI / INTx ([`configure_single`], [`enable_single`]): one vector for everything, ICR
//!   causes masked by IMS. IAM equals IMS, so the handler's ICR read ([`read_icr`]) masks every
//!   cause; the poll re-enables them all with [`enable_single`] (IMS and IAM), as
//!   `igb_ring_irq_enable()` calls `igb_irq_enable()`. With INTx the handler must first check
//!   [`icr_is_ours`] (the line may be shared).
//!
//! # What QEMU does (`hw/net/igb_core.c`, QEMU 10.0)
//!
//! - Mode: `igb_raise_interrupts()` uses the MSI-X path only with GPIE.Multiple_MSIX set.
//!   Then an ICR cause enabled in IMS sets the EICR bit of the IVAR_MISC "other" vector (DRSTA
//!   that of the IVAR_MISC low byte, left invalid here), and an EICR bit newly set while
//!   enabled in EIMS sends that vector (`igb_send_msix()`), after which `igb_msix_notify()`
//!   clears the EICR bits set in EIAC. Without Multiple_MSIX, an ICR cause newly enabled in IMS
//!   sets EICR.OTHER and raises MSI-X vector 0, MSI or INTx, whichever the function has
//!   enabled (checked in that order).
//! - EIAC is essential: without it a vector's EICR bit stays set and the vector never fires
//!   again (a new interrupt needs a 0 → 1 change of EICR & EIMS). EIAC writes only OR bits in,
//!   and only while GPIE.Multiple_MSIX is set (`igb_set_eiac()`): write GPIE first.
//! - EIAM and GPIE.EIAME are not emulated (`igb_set_eiam()` stores a garbled value nobody
//!   reads): EIMS is never auto-masked, so a vector keeps interrupting while NAPI polls
//!   (harmless: `napi_schedule` is then a no-op). The EIMS write of the poll is needed on real
//!   hardware and a no-op on QEMU.
//! - IAM (`igb_mac_icr_read()`, `igb_nsicr()`): an ICR read clears ICR (unless NSICR is clear,
//!   IMS non-zero, INT_ASSERTED clear and MSI-X enabled) and then masks IMS by IAM only if
//!   GPIE.NSICR is set or ICR still has INT_ASSERTED, which the clear just removed. So with
//!   NSICR clear (MSI/INTx) QEMU never auto-masks on an ICR read either: [`enable_single`] in
//!   the poll is a no-op there too, but needed on hardware. With MSI-X, NSICR is set and IAM 0.
//! - In the single-vector modes INT_ASSERTED is set whenever ICR has any bit
//!   (`igb_fix_icr_asserted()`), masked causes included; the INTx line follows ICR & IMS.
//! - Tx completions raise EICR (IVAR Tx entry) and ICR.TXDW only if the Tx queue's IVAR entry is
//!   valid (`igb_start_xmit()`: `if (eic)`), in every mode: [`configure_single`] therefore
//!   writes IVAR for queue 0 too, as `igb_assign_vector()` does. Rx raises ICR.RXDW (and RXDMT0
//!   when exactly `SRRCTL.RDMTS * 16` descriptors are left, RXO when a frame did not fit) and the
//!   Rx IVAR entry's EICR bit.
//! - EITR (`igb_set_eitr()`, `igb_send_msix()`): only MSI-X vectors are throttled. The first
//!   interrupt goes out at once and arms a timer of `(EITR & 0x7ffe) * E1000_INTR_DELAY_NS_RES`
//!   (the raw register times the e1000e delay unit, so several times the interval programmed in
//!   bits 14:2; fixed upstream in 2025 by "net/igb: Fix interrupt throttling interval
//!   calculation" to `((EITR & 0x7ffc) >> 2)` us); interrupts during it are sent once when it
//!   expires, regardless of EIMS. EITR 0 disables throttling; CNT_IGNR is ignored (a read
//!   returns the value written without it).
//! - EICS (`igb_set_eics()`) sets EICR bits (MSI-X: all 25 vector bits); a masked vector fires
//!   when EIMS is written later. ICS sets ICR bits, raising the interrupt if enabled in IMS.
//! - IMS writes keep only `0x77d4fbfd`; EIMC/IMC clear mask bits; EICR is clear-on-read.

#![allow(dead_code)] // Part of the datapath API ahead of its users (multi-queue, offloads, ITR).

use kernel::{
    io::{
        register::Array,
        Io, //
    },
    prelude::*,
};

use crate::{
    qvec::VectorMap,
    regs::{
        self,
        Bar0,
        NUM_MSIX_VECTORS,
        NUM_QUEUES, //
    },
};

/// `E1000_IVAR_VALID`: valid bit of an IVAR / IVAR_MISC entry.
pub(crate) const IVAR_VALID: u8 = 0x80;
/// MSI-X vector of the "other" causes.
pub(crate) const OTHER_VECTOR: usize = 0;
/// `E1000_EICR_MSIX_MASK` (QEMU's name): the 25 MSI-X vector bits of EICR/EIMS/EIAC/EIAM.
pub(crate) const EICR_MSIX_MASK: u32 = 0x01ff_ffff;

/// `E1000_ICR_TXDW`.
pub(crate) const ICR_TXDW: u32 = 0x0000_0001;
/// `E1000_ICR_LSC`.
pub(crate) const ICR_LSC: u32 = 0x0000_0004;
/// `E1000_ICR_RXSEQ`.
pub(crate) const ICR_RXSEQ: u32 = 0x0000_0008;
/// `E1000_ICR_RXDMT0`.
pub(crate) const ICR_RXDMT0: u32 = 0x0000_0010;
/// `E1000_ICR_RXO` (Rx miss / overrun; the e1000e and QEMU name, igb's headers lack it).
pub(crate) const ICR_RXO: u32 = 0x0000_0040;
/// `E1000_ICR_RXT0` (RXDW on the 82576).
pub(crate) const ICR_RXT0: u32 = 0x0000_0080;
/// `E1000_ICR_DOUTSYNC`.
pub(crate) const ICR_DOUTSYNC: u32 = 0x1000_0000;
/// `E1000_ICR_DRSTA`.
pub(crate) const ICR_DRSTA: u32 = 0x4000_0000;
/// `E1000_ICR_INT_ASSERTED`.
pub(crate) const ICR_INT_ASSERTED: u32 = 0x8000_0000;
/// `IMS_ENABLE_MASK`: RXT0 | TXDW | RXDMT0 | RXSEQ | LSC | DOUTSYNC.
pub(crate) const IMS_ENABLE_MASK: u32 =
    ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXSEQ | ICR_LSC | ICR_DOUTSYNC;
/// IMS (and IAM) of the single-vector modes (`igb_irq_enable()` without MSI-X).
pub(crate) const IMS_SINGLE: u32 = IMS_ENABLE_MASK | ICR_DRSTA;
/// IMS of MSI-X mode (`igb_irq_enable()`): the "other" causes LSC | DOUTSYNC | DRSTA.
pub(crate) const IMS_MSIX_OTHER: u32 = ICR_LSC | ICR_DOUTSYNC | ICR_DRSTA;
/// The ICR causes that mean queue work in the single-vector modes.
pub(crate) const ICR_QUEUE_CAUSES: u32 = ICR_RXT0 | ICR_TXDW | ICR_RXDMT0 | ICR_RXO;

/// The interval `IGB_START_ITR` (648, "~6000 ints/sec") programs, in microseconds: the EITR
/// interval field is bits 14:2 in 1 us units on the 82576, so C's `itr_val` is `us << 2`.
pub(crate) const START_ITR_US: u32 = 648 >> 2;
/// Largest EITR interval (13-bit field), in microseconds.
pub(crate) const MAX_ITR_US: u32 = 0x1fff;

/// The EIMS bits `configure_msix` assigned (`adapter->eims_other`, `q_vector->eims_value`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct MsixMasks {
    /// EIMS bit of the "other" vector (vector 0): `BIT(0)`.
    pub(crate) other: u32,
    /// Number of queue vectors (MSI-X vector `v + 1` is queue vector `v`).
    queue_vectors: usize,
}

impl MsixMasks {
    /// Returns the masks for the other vector plus `queue_vectors` queue vectors (clamped to
    /// [`NUM_QUEUES`], which also keeps within the 25 vectors of the 82576).
    pub(crate) const fn new(queue_vectors: usize) -> Self {
        let n = if queue_vectors > NUM_QUEUES {
            NUM_QUEUES
        } else {
            queue_vectors
        };
        Self {
            other: 1 << OTHER_VECTOR,
            queue_vectors: n,
        }
    }

    /// Returns the number of queue vectors.
    pub(crate) const fn queue_vectors(&self) -> usize {
        self.queue_vectors
    }

    /// Returns the MSI-X vector of queue vector `queue` (`queue + 1`).
    pub(crate) const fn vector(queue: usize) -> usize {
        queue + 1
    }

    /// Returns the EIMS bit of queue vector `queue` (`BIT(queue + 1)`), 0 if there is no such
    /// queue vector.
    pub(crate) const fn queue(&self, queue: usize) -> u32 {
        if queue < self.queue_vectors {
            1 << Self::vector(queue)
        } else {
            0
        }
    }

    /// Returns the EIMS bits of all queue vectors.
    pub(crate) const fn queues(&self) -> u32 {
        ((1u32 << self.queue_vectors) - 1) << 1
    }

    /// Returns `eims_enable_mask`: the other vector and all queue vectors.
    pub(crate) const fn all(&self) -> u32 {
        self.other | self.queues()
    }
}

/// Returns where the 82576 IVAR table keeps queue `queue`'s entries (`igb_assign_vector()`,
/// `case e1000_82576`): the table is 2 columns × 8 rows, column-major, so the row is
/// `queue & 7` and the bit offset within IVAR[row] is `(queue & 8) << 1` for Rx and 8 more
/// for Tx. Returns `(row, rx_shift, tx_shift)`.
pub(crate) const fn ivar_slot(queue: usize) -> (usize, u32, u32) {
    let rx_shift = ((queue & 0x8) << 1) as u32;
    (queue & 0x7, rx_shift, rx_shift + 8)
}

/// Returns IVAR row value `ivar` with queue `queue`'s Rx entry pointing at MSI-X vector `rx`
/// and its Tx entry at `tx`, as two `igb_write_ivar()` calls: clear the entry byte, write
/// `vector | VALID`.
pub(crate) const fn ivar_with(ivar: u32, queue: usize, rx: usize, tx: usize) -> u32 {
    let (_, rx_shift, tx_shift) = ivar_slot(queue);
    (ivar & !(0xff << rx_shift) & !(0xff << tx_shift))
        | (ivar_entry(rx) << rx_shift)
        | (ivar_entry(tx) << tx_shift)
}

/// Returns the IVAR entry byte for MSI-X `vector`: `vector | E1000_IVAR_VALID`.
const fn ivar_entry(vector: usize) -> u32 {
    ((vector as u32) & 0x1f) | IVAR_VALID as u32
}

/// Points Rx queue `queue` at MSI-X vector `rx` and Tx queue `queue` at `tx` in IVAR
/// (`igb_assign_vector()` for the 82576, once per ring).
fn assign_vectors(bar: &Bar0<'_>, queue: usize, rx: usize, tx: usize) {
    let (row, _, _) = ivar_slot(queue);
    if let Some(loc) = regs::IVAR::try_at(row) {
        let _ = bar.try_update(loc, |r: regs::IVAR| {
            regs::IVAR::from_raw(ivar_with(r.into_raw(), queue, rx, tx))
        });
    }
}

/// Returns GPIE for MSI-X (`igb_configure_msix()`): Multiple_MSIX | PBA_support | EIAME |
/// NSICR.
pub(crate) fn gpie_msix() -> regs::GPIE {
    regs::GPIE::zeroed()
        .with_multiple_msix(true)
        .with_pba_support(true)
        .with_eiame(true)
        .with_nsicr(true)
}

/// Returns IVAR_MISC routing the other causes to [`OTHER_VECTOR`]
/// (`(vector | E1000_IVAR_VALID) << 8`), the TCP timer (and, on QEMU, DRSTA) entry invalid.
pub(crate) fn ivar_misc_msix() -> regs::IVAR_MISC {
    regs::IVAR_MISC::zeroed().with_other(OTHER_VECTOR as u8 | IVAR_VALID)
}

/// Configures MSI-X (`igb_configure_msix()` for the 82576): GPIE first ("Turn on MSI-X
/// capability first, or our settings won't stick"; QEMU also ignores EIAC writes before it),
/// the other causes on vector 0 (IVAR_MISC), then each queue's Rx and Tx ring on the MSI-X
/// vector of its queue vector in `map` (IVAR). Interrupts stay masked: enable them with
/// [`enable_msix`] once NAPI is enabled.
///
/// Returns the EIMS bits to keep for [`enable_msix`], the poll and the other handler.
pub(crate) fn configure_msix(bar: &Bar0<'_>, map: &VectorMap) -> MsixMasks {
    let masks = MsixMasks::new(map.vectors());
    bar.write_reg(gpie_msix());
    bar.write_reg(ivar_misc_msix());
    for queue in 0..map.queues() {
        assign_vectors(
            bar,
            queue,
            MsixMasks::vector(map.rx_vector(queue)),
            MsixMasks::vector(map.tx_vector(queue)),
        );
    }
    flush(bar);
    masks
}

/// Enables the MSI-X interrupts (`igb_irq_enable()` with MSI-X): ORs every vector of `masks`
/// into EIAC (auto-clear) and EIAM (auto-mask), unmasks them in EIMS and enables the other
/// causes LSC | DOUTSYNC | DRSTA in IMS. Call after [`configure_msix`], with NAPI enabled and
/// stale causes cleared ([`clear_pending`]).
pub(crate) fn enable_msix(bar: &Bar0<'_>, masks: &MsixMasks) {
    let all = masks.all();
    bar.update(regs::EIAC, |r| regs::EIAC::from_raw(r.into_raw() | all));
    bar.update(regs::EIAM, |r| regs::EIAM::from_raw(r.into_raw() | all));
    bar.write_reg(regs::EIMS::from_raw(all));
    bar.write_reg(regs::IMS::from_raw(IMS_MSIX_OTHER));
}

/// Unmasks MSI-X vectors `mask` (EIMS). The NAPI poll calls it with its vector's bit
/// ([`MsixMasks::queue`]) when it completes (`igb_ring_irq_enable()`), the other handler with
/// [`MsixMasks::other`] when done (`igb_msix_other()`). An interrupt pending in EICR fires at
/// once.
pub(crate) fn enable_queue_vector(bar: &Bar0<'_>, mask: u32) {
    bar.write_reg(regs::EIMS::from_raw(mask));
}

/// Masks MSI-X vectors `mask` (EIMC). Not needed by the handlers (EIAM masks on hardware);
/// for busy-poll style or error paths. Non-sleeping.
pub(crate) fn disable_queue_vector(bar: &Bar0<'_>, mask: u32) {
    bar.write_reg(regs::EIMC::from_raw(mask));
}

/// Reads ICR in the MSI-X other handler and returns it (`igb_msix_other()`): with GPIE.NSICR
/// the read clears every cause and EICR's other bit. Test it with [`icr_link_changed`]
/// (ICR.LSC: schedule the watchdog), [`icr_reset_asserted`] and [`icr_dma_out_of_sync`], then
/// re-enable the vector with [`enable_queue_vector`]`(masks.other)`.
pub(crate) fn msix_other_cause(bar: &Bar0<'_>) -> u32 {
    read_icr(bar)
}

/// Configures the single-vector modes (MSI or INTx): GPIE back to its reset value 0 (the C
/// driver never writes GPIE without MSI-X; it gets 0 from the MAC reset of `igb_down()`, this
/// also covers an MSI-X to MSI fallback without reset) and Rx and Tx queue 0 on vector 0 in
/// IVAR, as `igb_assign_vector(adapter->q_vector[0], 0)` does (QEMU raises Tx completion
/// interrupts only with a valid Tx IVAR entry). Interrupts stay masked until
/// [`enable_single`].
pub(crate) fn configure_single(bar: &Bar0<'_>) {
    bar.write_reg(regs::GPIE::zeroed());
    assign_vectors(bar, 0, 0, 0);
    flush(bar);
}

/// Enables the single-vector interrupts (`igb_irq_enable()` without MSI-X): IMS and IAM =
/// `IMS_ENABLE_MASK | E1000_IMS_DRSTA`. Also what the NAPI poll writes when it completes in MSI
/// or INTx mode: the handler's ICR read auto-masked these causes (IAM). A cause pending in ICR
/// fires at once.
pub(crate) fn enable_single(bar: &Bar0<'_>) {
    bar.write_reg(regs::IMS::from_raw(IMS_SINGLE));
    bar.write_reg(regs::IAM::from_raw(IMS_SINGLE));
}

/// Reads (and so clears and, with IAM, masks) ICR, returning the causes (`igb_intr()`,
/// `igb_intr_msi()`). Classify with [`icr_is_ours`], [`icr_link_changed`],
/// [`icr_has_queue_work`], [`icr_reset_asserted`], [`icr_dma_out_of_sync`].
pub(crate) fn read_icr(bar: &Bar0<'_>) -> u32 {
    bar.read(regs::ICR).into_raw()
}

/// Clears stale interrupt causes before enabling interrupts: `__igb_open()` and `igb_up()` read
/// TSICR and ICR before `igb_irq_enable()`; there is no time sync here, so only ICR is read.
pub(crate) fn clear_pending(bar: &Bar0<'_>) {
    let _ = bar.read(regs::ICR);
}

/// Returns `true` if the device asserted the interrupt (ICR.INT_ASSERTED): the INTx handler
/// returns `IRQ_NONE` otherwise (`igb_intr()`); all ones (device gone) is not ours.
pub(crate) fn icr_is_ours(icr: u32) -> bool {
    icr != u32::MAX && regs::ICR::from_raw(icr).int_asserted()
}

/// Returns `true` if the link may have changed (LSC, or RXSEQ as `igb_intr()` also treats it):
/// schedule the watchdog.
pub(crate) fn icr_link_changed(icr: u32) -> bool {
    let icr = regs::ICR::from_raw(icr);
    icr.lsc() || icr.rxseq()
}

/// Returns `true` if a queue cause is set (RXDW/RXT0, TXDW, RXDMT0, RXO). The C handlers
/// schedule NAPI unconditionally; this is for statistics and debugging.
pub(crate) fn icr_has_queue_work(icr: u32) -> bool {
    icr & ICR_QUEUE_CAUSES != 0
}

/// Returns `true` if ICR.DRSTA is set: the C driver schedules its reset task.
pub(crate) fn icr_reset_asserted(icr: u32) -> bool {
    regs::ICR::from_raw(icr).drsta()
}

/// Returns `true` if ICR.DOUTSYNC is set: the C driver counts `doosync`.
pub(crate) fn icr_dma_out_of_sync(icr: u32) -> bool {
    regs::ICR::from_raw(icr).doutsync()
}

/// Masks and disables every interrupt (`igb_irq_disable()`): clears EIAM, masks every vector
/// (EIMC), clears EIAC, IAM = 0, masks every cause (IMC), flushes. The C driver clears only
/// its own vectors in EIAM/EIMC/EIAC to leave VF vectors alone; no VFs are supported here.
/// Then call `synchronize_irq` on every vector (the C function does) before relying on no
/// handler running. (QEMU cannot clear EIAC/EIAM bits; harmless, see the module docs.)
pub(crate) fn disable_all_irqs(bar: &Bar0<'_>) {
    bar.update(regs::EIAM, |r| {
        regs::EIAM::from_raw(r.into_raw() & !EICR_MSIX_MASK)
    });
    bar.write_reg(regs::EIMC::from_raw(u32::MAX));
    bar.update(regs::EIAC, |r| {
        regs::EIAC::from_raw(r.into_raw() & !EICR_MSIX_MASK)
    });
    bar.write_reg(regs::IAM::zeroed());
    bar.write_reg(regs::IMC::from_raw(u32::MAX));
    flush(bar);
}

/// Returns the EITR value `igb_write_itr()` writes for an interval of `interval_us`
/// microseconds: interval field (bits 14:2) = `interval_us`, 0 becoming 1 (C: `itr_val` 0 →
/// 0x4) and values above [`MAX_ITR_US`] clamped, plus CNT_IGNR (82576 and later: do not reset
/// the counter on this write).
pub(crate) fn eitr_value(interval_us: u32) -> regs::EITR {
    let us = interval_us.clamp(1, MAX_ITR_US);
    regs::EITR::zeroed()
        .try_with_interval(us)
        .unwrap_or(regs::EITR::zeroed().with_const_interval::<1>())
        .with_cnt_ignr(true)
}

/// Sets the minimum interval between interrupts of MSI-X `vector` (EITR; in MSI/INTx mode
/// EITR(0)) to `interval_us` microseconds ([`eitr_value`]). The C driver writes it from the
/// interrupt handler when the adaptive ITR changed (`igb_msix_ring()`), starting at
/// [`START_ITR_US`]. On QEMU only MSI-X vectors are throttled (see the module docs).
///
/// # Errors
///
/// `EINVAL` if `vector` is not below [`NUM_MSIX_VECTORS`] (25).
pub(crate) fn write_itr(bar: &Bar0<'_>, vector: usize, interval_us: u32) -> Result {
    bar.try_write(
        regs::EITR::try_at(vector).ok_or(EINVAL)?,
        eitr_value(interval_us),
    )
}

/// Raises MSI-X vectors `mask` by software (EICS), as `igb_watchdog_task()` does to have NAPI
/// refill an Rx ring whose allocation failed and `igb_tx_timeout()` to run the queues. A masked
/// vector fires when unmasked. MSI-X mode only; see [`trigger_single`] otherwise.
pub(crate) fn trigger_msix(bar: &Bar0<'_>, mask: u32) {
    bar.write_reg(regs::EICS::from_raw(mask & EICR_MSIX_MASK));
}

/// Raises the single vector by software in MSI/INTx mode (ICS = RXDMT0, as
/// `igb_watchdog_task()`), so the handler schedules NAPI.
pub(crate) fn trigger_single(bar: &Bar0<'_>) {
    bar.write_reg(regs::ICS::from_raw(ICR_RXDMT0));
}

/// Flushes posted writes by reading STATUS (`wrfl()`).
fn flush(bar: &Bar0<'_>) {
    let _ = bar.read(regs::STATUS);
}

// `NUM_MSIX_VECTORS` bounds what `MsixMasks` may hand out: the other vector plus one per queue.
const _: () = assert!(NUM_QUEUES < NUM_MSIX_VECTORS);

#[kunit_tests(rust_igb_intr)]
mod tests {
    use super::*;

    #[test]
    fn constants() {
        // IMS_ENABLE_MASK = E1000_IMS_RXT0 (0x80) | E1000_IMS_TXDW (0x1) | E1000_IMS_RXDMT0
        // (0x10) | E1000_IMS_RXSEQ (0x8) | E1000_IMS_LSC (0x4) | E1000_IMS_DOUTSYNC (0x10000000).
        assert_eq!(IMS_ENABLE_MASK, 0x1000_009d);
        // ... | E1000_IMS_DRSTA (0x40000000), igb_irq_enable() without MSI-X.
        assert_eq!(IMS_SINGLE, 0x5000_009d);
        // E1000_IMS_LSC | E1000_IMS_DOUTSYNC | E1000_IMS_DRSTA, igb_irq_enable() with MSI-X.
        assert_eq!(IMS_MSIX_OTHER, 0x5000_0004);
        // QEMU's igb_set_ims() keeps all of them.
        assert_eq!(IMS_SINGLE & 0x77d4_fbfd, IMS_SINGLE);
        // The register definitions agree with the C masks.
        let ims = regs::IMS::zeroed()
            .with_rxdw(true)
            .with_txdw(true)
            .with_rxdmt0(true)
            .with_rxseq(true)
            .with_lsc(true)
            .with_doutsync(true)
            .with_drsta(true);
        assert_eq!(ims.into_raw(), IMS_SINGLE);
    }

    #[test]
    fn gpie_and_misc() {
        // E1000_GPIE_MSIX_MODE (0x10) | E1000_GPIE_PBA (0x80000000) | E1000_GPIE_EIAME
        // (0x40000000) | E1000_GPIE_NSICR (0x1).
        assert_eq!(gpie_msix().into_raw(), 0xc000_0011);
        // igb_configure_msix(): (vector++ | E1000_IVAR_VALID) << 8 with vector 0.
        assert_eq!(ivar_misc_msix().into_raw(), 0x0000_8000);
    }

    #[test]
    fn ivar() {
        // igb_assign_vector(), e1000_82576: row `rx_queue & 0x7`, offset `(rx_queue & 0x8) << 1`
        // (Rx) and `((tx_queue & 0x8) << 1) + 8` (Tx).
        assert_eq!(ivar_slot(0), (0, 0, 8));
        assert_eq!(ivar_slot(7), (7, 0, 8));
        assert_eq!(ivar_slot(8), (0, 16, 24));
        assert_eq!(ivar_slot(9), (1, 16, 24));
        assert_eq!(ivar_slot(15), (7, 16, 24));
        // Queue 0 on vector 1: `(1 | E1000_IVAR_VALID) << 0` and `<< 8`.
        assert_eq!(ivar_with(0, 0, 1, 1), 0x0000_8181);
        // Single-vector mode: queue 0 on vector 0.
        assert_eq!(ivar_with(0, 0, 0, 0), 0x0000_8080);
        // Separate vectors, two queues: Rx 0 on vector 1, Tx 0 on vector 3.
        assert_eq!(ivar_with(0, 0, 1, 3), 0x0000_8381);
        // Queue 9 on vector 10 keeps queue 1's entries (igb_write_ivar() read-modify-write).
        assert_eq!(ivar_with(0x0000_8282, 9, 10, 10), 0x8a8a_8282);
        assert_eq!(ivar_with(0xffff_ffff, 9, 10, 10), 0x8a8a_ffff);
        // The same bytes through the register definition (QEMU's igb_ivar_entry_rx(9) = 6:
        // IVAR0 + 1, byte 2; Tx one byte higher).
        let row = regs::IVAR::from_raw(ivar_with(0, 9, 10, 10));
        assert_eq!((row.rx_hi(), row.tx_hi(), row.rx_lo()), (0x8a, 0x8a, 0));
    }

    #[test]
    fn msix_masks() {
        let one = MsixMasks::new(1);
        assert_eq!(one.other, 0x1);
        assert_eq!(one.queue(0), 0x2);
        assert_eq!(one.queue(1), 0);
        assert_eq!(one.all(), 0x3);
        let four = MsixMasks::new(4);
        assert_eq!(four.queues(), 0x1e);
        assert_eq!(four.queue(3), 0x10);
        assert_eq!(four.all(), 0x1f);
        let many = MsixMasks::new(100);
        assert_eq!(many.queue_vectors(), NUM_QUEUES);
        assert_eq!(many.all(), 0x1_ffff);
        assert_eq!(many.all() & !EICR_MSIX_MASK, 0);
        assert_eq!(MsixMasks::new(0).all(), 0x1);
    }

    #[test]
    fn eitr() {
        // igb_write_itr(): (itr_val & 0x7FFC) | E1000_EITR_CNT_IGNR (0x80000000), 0 → 0x4.
        assert_eq!(eitr_value(0).into_raw(), 0x8000_0004);
        // IGB_20K_ITR = 196 = 49 us << 2.
        assert_eq!(eitr_value(49).into_raw(), 0x8000_00c4);
        // IGB_START_ITR = 648.
        assert_eq!(eitr_value(START_ITR_US).into_raw(), 0x8000_0288);
        // IGB_4K_ITR = 980.
        assert_eq!(eitr_value(245).into_raw(), 0x8000_03d4);
        assert_eq!(eitr_value(u32::MAX).into_raw(), 0x8000_7ffc);
    }

    #[test]
    fn icr_classification() {
        // A link change seen by the INTx handler: INT_ASSERTED | LSC.
        let lsc = ICR_INT_ASSERTED | ICR_LSC;
        assert!(icr_is_ours(lsc) && icr_link_changed(lsc) && !icr_has_queue_work(lsc));
        // Rx and Tx completions: INT_ASSERTED | RXT0 | TXDW.
        let queue = 0x8000_0081;
        assert!(icr_is_ours(queue) && !icr_link_changed(queue) && icr_has_queue_work(queue));
        // Shared INTx line, not ours.
        assert!(!icr_is_ours(0));
        assert!(!icr_is_ours(ICR_LSC));
        // Surprise removal reads all ones.
        assert!(!icr_is_ours(u32::MAX));
        assert!(icr_reset_asserted(ICR_DRSTA) && !icr_reset_asserted(ICR_LSC));
        assert!(icr_dma_out_of_sync(ICR_DOUTSYNC));
        assert!(icr_link_changed(ICR_RXSEQ));
    }
}
